//! The re-delivery target: a webhook handler under test on a free local port, recording what
//! it received and judging the Persona-Signature the way a correct handler would.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use persona_inspector::model::Headers;
use tokio::net::TcpListener;

use super::{SECRET, now};

/// What a handler that checks Persona's signature the right way made of a request:
/// HMAC-SHA256 over `"<t>." + raw body`, any pair, and a 300 s tolerance on `t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Valid,
    Stale,
    Invalid,
    Missing,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub uri: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    pub check: Check,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

pub fn check(header: Option<&str>, body: &[u8]) -> Check {
    let Some(header) = header else {
        return Check::Missing;
    };
    for pair in header.split_whitespace() {
        let mut t = None;
        let mut v1 = None;
        for part in pair.split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = value.parse::<i64>().ok(),
                Some(("v1", value)) => v1 = hex::decode(value).ok(),
                _ => {}
            }
        }
        let (Some(t), Some(v1)) = (t, v1) else {
            continue;
        };
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        if mac.verify_slice(&v1).is_ok() {
            return if (now() - t).abs() > 300 {
                Check::Stale
            } else {
                Check::Valid
            };
        }
    }
    Check::Invalid
}

pub type Log = Arc<Mutex<Vec<Received>>>;

/// A webhook handler under test: records every request, answers 200 to a valid fresh
/// signature and 401 otherwise.
pub async fn recording(State(log): State<Log>, request: Request) -> impl IntoResponse {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.expect("body").to_bytes().to_vec();
    let headers: Headers = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let signature = parts
        .headers
        .get("persona-signature")
        .and_then(|v| v.to_str().ok());
    let verdict = check(signature, &body);
    log.lock().expect("log").push(Received {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers,
        body,
        check: verdict,
    });
    match verdict {
        Check::Valid => (StatusCode::OK, [("x-handler", "yes")], "ok"),
        _ => (
            StatusCode::UNAUTHORIZED,
            [("x-handler", "yes")],
            "signature rejected",
        ),
    }
}

/// Serves `router` on a free port; returns its base URL.
pub async fn serve_target(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

pub async fn recording_target() -> (String, Log) {
    let log = Log::default();
    let url = serve_target(Router::new().fallback(recording).with_state(log.clone())).await;
    (url, log)
}

/// Accepts connections, reads what comes, never answers.
pub async fn silent_target() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut sink = tokio::io::sink();
                let _ = tokio::io::copy(&mut socket, &mut sink).await;
            });
        }
    });
    url
}

/// A port that was free a moment ago and has nothing listening on it now.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A handler that answers 500 to its first `failures` requests, then 200; records them all.
pub async fn flaky_target(failures: usize) -> (String, Log) {
    let log = Log::default();
    let seen = log.clone();
    let url = serve_target(Router::new().fallback(move |request: Request| {
        let seen = seen.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await.expect("body").to_bytes().to_vec();
            let mut log = seen.lock().expect("log");
            log.push(Received {
                method: parts.method.to_string(),
                uri: parts.uri.to_string(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
                    .collect(),
                check: check(
                    parts
                        .headers
                        .get("persona-signature")
                        .and_then(|v| v.to_str().ok()),
                    &body,
                ),
                body,
            });
            match log.len() <= failures {
                true => StatusCode::INTERNAL_SERVER_ERROR,
                false => StatusCode::OK,
            }
        }
    }))
    .await;
    (url, log)
}
