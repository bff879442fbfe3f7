//! Re-delivery over real HTTP to real local servers on port 0, recorded in a real SQLite file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::*;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use persona_inspector::model::{
    Arrival, FailureKind, Headers, NewDelivery, Redelivery, Secret, Signing, Verification,
};
use persona_inspector::redeliver::{Forwarder, Options};
use persona_inspector::store::{Purge, Store};
use tokio::net::TcpListener;

/// What a handler that checks Persona's signature the right way made of a request:
/// HMAC-SHA256 over `"<t>." + raw body`, any pair, and a 300 s tolerance on `t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    Valid,
    Stale,
    Invalid,
    Missing,
}

#[derive(Clone, Debug)]
struct Received {
    method: String,
    uri: String,
    headers: Headers,
    body: Vec<u8>,
    check: Check,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

fn check(header: Option<&str>, body: &[u8]) -> Check {
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

type Log = Arc<Mutex<Vec<Received>>>;

/// A webhook handler under test: records every request, answers 200 to a valid fresh
/// signature and 401 otherwise.
async fn recording(State(log): State<Log>, request: Request) -> impl IntoResponse {
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
async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

async fn recording_target() -> (String, Log) {
    let log = Log::default();
    let url = serve(Router::new().fallback(recording).with_state(log.clone())).await;
    (url, log)
}

/// Accepts connections, reads what comes, never answers.
async fn silent_target() -> String {
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
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

struct Fixture {
    store: Store,
    dir: tempfile::TempDir,
    forwarder: Forwarder,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        store.add_secret("current", SECRET).expect("secret saved");
        Fixture {
            store,
            dir,
            forwarder: Forwarder::new().expect("client"),
        }
    }

    /// Stores a delivery as the listener would have received it.
    async fn deliver(&self, path: &str, query: Option<&str>, headers: Headers, body: &[u8]) -> i64 {
        let arrival = Arrival {
            received_at_ms: persona_inspector::clock::now_ms(),
            method: "POST".into(),
            path: path.into(),
            query: query.map(str::to_string),
            remote_addr: Some("127.0.0.1:1".into()),
            headers,
        };
        let delivery = NewDelivery::captured(arrival, body.to_vec(), &verification());
        self.store.insert(delivery).await.expect("stored").id
    }

    /// A Persona delivery signed at `t`.
    async fn signed(&self, t: i64, body: &[u8]) -> i64 {
        let headers = vec![
            ("content-type".into(), b"application/json".to_vec()),
            (
                "persona-signature".into(),
                persona_inspector::signature::sign(SECRET, t, body).into_bytes(),
            ),
        ];
        self.deliver("/", None, headers, body).await
    }

    async fn redeliver(&self, id: i64, options: &Options) -> Redelivery {
        self.forwarder
            .redeliver(&self.store, id, options)
            .await
            .expect("sent and recorded")
    }
}

/// Verifies with the test secret, as the listener would with it configured.
fn verification() -> Verification {
    Verification {
        secrets: vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }],
        ..Verification::default()
    }
}

fn resign() -> Signing {
    Signing::Resign {
        secret: "current".into(),
    }
}

fn h(pairs: &[(&str, &[u8])]) -> Headers {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect()
}

#[tokio::test]
async fn a_resigned_delivery_passes_the_handler_and_a_kept_one_passes_until_stale() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = inquiry_event("evt_fresh", "inq_1", 0);

    let fresh = f.signed(now(), &body).await;
    let kept = f.redeliver(fresh, &Options::new(&url)).await;
    assert_eq!(
        kept.attempt.answer.as_ref().map(|a| a.status),
        Some(200),
        "a fresh kept signature passes: {kept:?}"
    );

    let two_hours_ago = now() - 7_200;
    let old = f.signed(two_hours_ago, &body).await;
    let replay = f.redeliver(old, &Options::new(&url)).await;
    let answer = replay.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 401, "the handler rejects the stale replay");
    assert!(!answer.persona_success);
    assert_eq!(answer.body, b"signature rejected");
    assert!(replay.attempt.describe().contains("401 Unauthorized in"));

    let resigned = f
        .redeliver(
            old,
            &Options {
                signing: resign(),
                ..Options::new(&url)
            },
        )
        .await;
    let answer = resigned.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 200, "{resigned:?}");
    assert!(answer.persona_success, "200 in well under 5 s");
    assert!(resigned.attempt.describe().starts_with("→ 200 OK in "));
    assert_eq!(
        answer
            .headers
            .iter()
            .find(|(n, _)| n == "x-handler")
            .map(|(_, v)| v.as_slice()),
        Some(&b"yes"[..]),
        "response headers are kept"
    );

    let checks: Vec<Check> = log.lock().expect("log").iter().map(|r| r.check).collect();
    assert_eq!(checks, [Check::Valid, Check::Stale, Check::Valid]);
    let received = log.lock().expect("log")[2].clone();
    let t: i64 = received
        .header("persona-signature")
        .and_then(|s| s.strip_prefix("t=")?.split(',').next()?.parse().ok())
        .expect("t");
    assert!(
        (now() - t).abs() <= 5,
        "the new signature carries a fresh t"
    );
    assert_eq!(
        received
            .headers
            .iter()
            .filter(|(n, _)| n == "persona-signature")
            .count(),
        1,
        "the old signature is replaced, not added to"
    );
}

#[tokio::test]
async fn the_body_arrives_byte_for_byte_even_when_not_utf8() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body: Vec<u8> = vec![
        0xff, 0x00, 0xfe, b'{', b'\n', 0x80, b' ', b'}', b'\r', b'\n',
    ];
    let signature = persona_signature(SECRET, &body);
    let id = f
        .deliver(
            "/",
            None,
            h(&[
                ("content-type", b"application/octet-stream"),
                ("persona-signature", signature.as_bytes()),
            ]),
            &body,
        )
        .await;
    let sent = f
        .redeliver(
            id,
            &Options {
                signing: resign(),
                ..Options::new(&url)
            },
        )
        .await;
    assert_eq!(sent.attempt.answer.as_ref().map(|a| a.status), Some(200));
    let received = log.lock().expect("log")[0].clone();
    assert_eq!(received.body, body, "exact bytes");
    assert_eq!(received.check, Check::Valid, "signed over the raw bytes");
    assert_eq!(received.header("content-length").as_deref(), Some("10"));
    assert_eq!(sent.attempt.body_size, 10);
    assert_eq!(
        sent.attempt.edited_body, None,
        "the stored body is not copied"
    );
}

#[tokio::test]
async fn hop_by_hop_headers_stay_behind_and_host_is_the_targets() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = b"{}";
    let signature = persona_inspector::signature::sign(SECRET, now(), body);
    let id = f
        .deliver(
            "/",
            None,
            h(&[
                ("host", b"abc123.ngrok-free.app"),
                ("user-agent", b"Persona-Webhook/1.0"),
                ("accept", b"application/json"),
                ("connection", b"keep-alive, x-hop"),
                ("x-hop", b"named in Connection"),
                ("keep-alive", b"timeout=5"),
                ("proxy-authorization", b"Basic eDp5"),
                ("te", b"trailers"),
                ("transfer-encoding", b"chunked"),
                ("upgrade", b"h2c"),
                ("content-length", b"999"),
                ("x-forwarded-for", b"203.0.113.9"),
                ("persona-webhook-attempts-made", b"2"),
                ("x-multi", b"one"),
                ("x-multi", b"two"),
                ("content-type", b"application/json"),
                ("persona-signature", signature.as_bytes()),
            ]),
            body,
        )
        .await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    assert_eq!(
        sent.attempt.answer.as_ref().map(|a| a.status),
        Some(200),
        "{sent:?}"
    );
    let received = log.lock().expect("log")[0].clone();
    let host = url.trim_start_matches("http://");
    assert_eq!(received.header("host").as_deref(), Some(host));
    assert_eq!(received.header("content-length").as_deref(), Some("2"));
    for gone in [
        "connection",
        "x-hop",
        "keep-alive",
        "proxy-authorization",
        "te",
        "transfer-encoding",
        "upgrade",
    ] {
        assert_eq!(received.header(gone), None, "{gone} must not be forwarded");
    }
    for (name, value) in [
        ("user-agent", "Persona-Webhook/1.0"),
        ("accept", "application/json"),
        ("x-forwarded-for", "203.0.113.9"),
        ("persona-webhook-attempts-made", "2"),
        ("content-type", "application/json"),
        ("persona-signature", signature.as_str()),
    ] {
        assert_eq!(received.header(name).as_deref(), Some(value), "{name}");
    }
    let multi: Vec<&[u8]> = received
        .headers
        .iter()
        .filter(|(n, _)| n == "x-multi")
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(
        multi,
        [&b"one"[..], &b"two"[..]],
        "repeated headers keep both values"
    );
    assert_eq!(received.method, "POST");
    let recorded: Vec<&str> = sent
        .attempt
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(
        !recorded.contains(&"host") && !recorded.contains(&"connection"),
        "the record lists what was sent: {recorded:?}"
    );
}

#[tokio::test]
async fn the_original_path_and_query_are_appended_to_the_target() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = b"{}";
    let headers = h(&[(
        "persona-signature",
        persona_inspector::signature::sign(SECRET, now(), body).as_bytes(),
    )]);
    let id = f
        .deliver(
            "/webhooks/persona",
            Some("source=ngrok&x=%2F"),
            headers,
            body,
        )
        .await;
    for (target, keep_path, want) in [
        (
            format!("{url}/base/?k=v"),
            true,
            "/base/webhooks/persona?k=v&source=ngrok&x=%2F",
        ),
        (url.clone(), true, "/webhooks/persona?source=ngrok&x=%2F"),
        (format!("{url}/only"), false, "/only"),
    ] {
        let sent = f
            .redeliver(
                id,
                &Options {
                    keep_path,
                    ..Options::new(&target)
                },
            )
            .await;
        let received = log.lock().expect("log").last().cloned().expect("received");
        assert_eq!(received.uri, want, "{target} keep_path={keep_path}");
        assert_eq!(sent.attempt.url, format!("{url}{want}"));
        assert_eq!(
            sent.attempt.target, target,
            "the target is recorded as typed"
        );
    }
}

#[tokio::test]
async fn a_500_is_a_recorded_answer_that_persona_would_retry() {
    let f = Fixture::new();
    let url =
        serve(Router::new().fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }))
            .await;
    let id = f.signed(now(), b"{}").await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    let answer = sent.attempt.answer.as_ref().expect("a 500 is an answer");
    assert_eq!((answer.status, answer.body.as_slice()), (500, &b"boom"[..]));
    assert!(!answer.persona_success);
    assert!(sent.attempt.failure.is_none());
    let line = sent.attempt.describe();
    assert!(
        line.starts_with("→ 500 Internal Server Error in ")
            && line.ends_with("— Persona would count this as a failure and retry"),
        "{line}"
    );
    let history = f.store.redeliveries(id).expect("history");
    assert_eq!(history, [sent], "read back exactly as recorded");
}

#[tokio::test]
async fn a_target_that_never_answers_times_out_with_a_plain_reason() {
    let f = Fixture::new();
    let url = silent_target().await;
    let id = f.signed(now(), b"{}").await;
    let started = Instant::now();
    let sent = f
        .redeliver(
            id,
            &Options {
                timeout_ms: 300,
                ..Options::new(&url)
            },
        )
        .await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(
        failure.message,
        "no answer within 300 ms — Persona would wait up to 5 s"
    );
    assert!(sent.attempt.answer.is_none());
    assert!(sent.attempt.duration_ms >= 300.0);
    assert_eq!(
        sent.attempt.describe(),
        "✗ no answer within 300 ms — Persona would wait up to 5 s"
    );
}

#[tokio::test]
async fn a_closed_port_says_nothing_is_listening() {
    let f = Fixture::new();
    let port = closed_port();
    let id = f.signed(now(), b"{}").await;
    let sent = f
        .redeliver(id, &Options::new(format!("http://127.0.0.1:{port}/hooks")))
        .await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::NotListening);
    assert_eq!(
        failure.message,
        format!("nothing is listening on 127.0.0.1:{port} — is your app running?")
    );
    let recorded = f.store.redeliveries(id).expect("history");
    assert_eq!(recorded[0].attempt.failure.as_ref(), Some(failure));
}

#[tokio::test]
async fn tls_and_dns_failures_are_named() {
    let f = Fixture::new();
    let (url, _log) = recording_target().await;
    let id = f.signed(now(), b"{}").await;
    let https = url.replace("http://", "https://");
    let sent = f.redeliver(id, &Options::new(&https)).await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Tls, "{failure:?}");
    assert!(
        failure
            .message
            .starts_with("TLS handshake with 127.0.0.1 failed: ")
            && failure.message.contains("try http://"),
        "{}",
        failure.message
    );

    let sent = f
        .redeliver(
            id,
            &Options {
                timeout_ms: 3000,
                ..Options::new("http://no-such-host.invalid/hooks")
            },
        )
        .await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Dns, "{failure:?}");
    assert!(
        failure
            .message
            .starts_with("could not resolve host no-such-host.invalid"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn an_invalid_url_is_refused_before_anything_is_sent() {
    let f = Fixture::new();
    let id = f.signed(now(), b"{}").await;
    for (target, says) in [
        ("localhost:3000/hooks", "write http://localhost:3000/hooks"),
        ("ftp://example.com/", "only http:// and https://"),
        ("", "no URL to send to"),
    ] {
        let error = f
            .forwarder
            .redeliver(&f.store, id, &Options::new(target))
            .await
            .expect_err("refused");
        assert!(error.to_string().contains(says), "{target:?}: {error}");
    }
    let error = f
        .forwarder
        .redeliver(
            &f.store,
            id,
            &Options {
                signing: Signing::Resign {
                    secret: "staging".into(),
                },
                ..Options::new("http://127.0.0.1:1")
            },
        )
        .await
        .expect_err("unknown label");
    assert!(
        error
            .to_string()
            .contains("no secret is labelled \"staging\""),
        "{error}"
    );
    let error = f
        .forwarder
        .redeliver(&f.store, 999, &Options::new("http://127.0.0.1:1"))
        .await
        .expect_err("unknown delivery");
    assert!(
        error.to_string().contains("no delivery with id 999"),
        "{error}"
    );
    assert!(f.store.redeliveries(id).expect("history").is_empty());
    assert!(f.store.recent_targets(10).expect("targets").is_empty());
}

#[tokio::test]
async fn an_answer_over_1_mib_is_truncated_and_flagged() {
    let f = Fixture::new();
    let url = serve(Router::new().fallback(|| async { vec![b'x'; 2 * 1024 * 1024 + 5] })).await;
    let id = f.signed(now(), b"{}").await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    let answer = sent.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 1024 * 1024);
    assert!(answer.truncated);
    assert!(sent.attempt.describe().contains("the first 1 MiB is kept"));
    let recorded = &f.store.redeliveries(id).expect("history")[0];
    let recorded = recorded.attempt.answer.as_ref().expect("answer");
    assert_eq!(
        (recorded.body.len(), recorded.truncated),
        (1024 * 1024, true)
    );
}

#[tokio::test]
async fn an_edited_request_is_resigned_sent_and_recorded() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let id = f.signed(now() - 7_200, b"{\"original\":true}").await;
    let edited = b"{\"edited\":true}".to_vec();
    let mut options = Options {
        signing: resign(),
        ..Options::new(&url)
    };
    options.edits.body = Some(edited.clone());
    options.edits.headers = Some(h(&[
        ("content-type", b"application/json"),
        ("x-edited", b"yes"),
    ]));
    let sent = f.redeliver(id, &options).await;
    assert_eq!(sent.attempt.answer.as_ref().map(|a| a.status), Some(200));
    let received = log.lock().expect("log")[0].clone();
    assert_eq!(received.body, edited);
    assert_eq!(
        received.check,
        Check::Valid,
        "the edited body is what was signed"
    );
    assert_eq!(received.header("x-edited").as_deref(), Some("yes"));
    assert_eq!(sent.attempt.edited_body.as_deref(), Some(edited.as_slice()));
    let recorded = &f.store.redeliveries(id).expect("history")[0];
    assert_eq!(
        recorded.attempt.edited_body.as_deref(),
        Some(edited.as_slice())
    );
    assert_eq!(recorded.attempt.signing, resign());
    let names: Vec<&str> = recorded
        .attempt
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["content-type", "x-edited", "persona-signature"]);
    let json = serde_json::to_value(recorded).expect("json");
    assert_eq!(
        json["signing"],
        serde_json::json!({"mode": "resign", "secret": "current"})
    );
    assert_eq!(json["answer"]["status"], 200);
    assert!(json["edited_body_base64"].is_string(), "{json}");
}

#[tokio::test]
async fn attempts_read_back_newest_first_recent_targets_and_purge_removes_them() {
    let f = Fixture::new();
    let (url, _log) = recording_target().await;
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let id = f.signed(now(), b"{}").await;
    let other = f.signed(now(), b"[]").await;
    let a = f.redeliver(id, &Options::new(&url)).await;
    let b = f.redeliver(id, &Options::new(&closed)).await;
    let c = f.redeliver(id, &Options::new(&url)).await;
    let d = f.redeliver(other, &Options::new(&closed)).await;
    let history = f.store.redeliveries(id).expect("history");
    let ids: Vec<i64> = history.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [c.id, b.id, a.id],
        "newest first, only this delivery's"
    );
    assert_eq!(
        history[1].attempt.failure.as_ref().map(|x| x.kind),
        Some(FailureKind::NotListening)
    );
    assert_eq!(
        f.store.recent_targets(10).expect("targets"),
        [closed.clone(), url.clone()],
        "each once, the most recently used first"
    );
    assert_eq!(f.store.recent_targets(1).expect("targets"), [closed]);

    // Reopening keeps them; purging a delivery takes its history along.
    let dir = f.dir.path().to_path_buf();
    drop(f.store);
    let store = Store::open(&dir).expect("reopen");
    assert_eq!(store.redeliveries(id).expect("history").len(), 3);
    store.purge(Purge::All).expect("purge");
    assert!(store.redeliveries(id).expect("history").is_empty());
    assert!(
        store
            .redeliveries(d.delivery_id)
            .expect("history")
            .is_empty()
    );
    assert!(store.recent_targets(10).expect("targets").is_empty());
}

#[tokio::test]
async fn a_delivery_purged_while_in_flight_is_not_recorded() {
    let f = Fixture::new();
    let slow = serve(Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "late"
    }))
    .await;
    let id = f.signed(now(), b"{}").await;
    let store = f.store.clone();
    let send = tokio::spawn({
        let forwarder = f.forwarder.clone();
        async move { forwarder.redeliver(&store, id, &Options::new(&slow)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let store = f.store.clone();
    tokio::task::spawn_blocking(move || store.purge(Purge::All))
        .await
        .expect("join")
        .expect("purge");
    let result = send.await.expect("join");
    assert!(
        matches!(result, Err(persona_inspector::Error::NotFound(n)) if n == id),
        "{result:?}"
    );
}

// ---- the CLI ----

fn inspector(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_persona-inspector"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env("NO_COLOR", "1")
        .env_remove("PERSONA_INSPECTOR_SECRETS");
    command
}

async fn run(command: Command) -> std::process::Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().expect("run"))
        .await
        .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_resend_prints_one_line_and_fails_only_without_an_answer() {
    let f = Fixture::new();
    let dir = f.dir.path().to_path_buf();
    let (url, log) = recording_target().await;
    let failing =
        serve(Router::new().fallback(|| async { StatusCode::INTERNAL_SERVER_ERROR })).await;
    let id = f.signed(now() - 7_200, b"{\"a\":1}").await.to_string();

    let mut resend = inspector(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &url,
        "--resign",
        "current",
        "--keep-path",
    ]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("POST {url}/  → 200 OK in ")),
        "{stdout}"
    );
    assert_eq!(log.lock().expect("log")[0].check, Check::Valid);

    // A secret given on the command line re-signs too, without being saved.
    let mut resend = inspector(&dir);
    resend
        .args(["resend", &id, "--to", &url, "--resign", "cli"])
        .env("PERSONA_INSPECTOR_SECRETS", format!("cli={SECRET}"));
    assert!(run(resend).await.status.success());
    assert_eq!(log.lock().expect("log")[1].check, Check::Valid);

    let mut resend = inspector(&dir);
    resend.args(["resend", &id, "--to", &failing]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "an HTTP answer is a success: {output:?}"
    );
    assert!(
        stdout.contains("→ 500 Internal Server Error in ")
            && stdout.contains("Persona would count this as a failure and retry"),
        "{stdout}"
    );

    let port = closed_port();
    let mut resend = inspector(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &format!("http://127.0.0.1:{port}"),
        "--json",
    ]);
    let output = run(resend).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "no answer fails: {output:?}");
    assert_eq!(
        stderr.trim(),
        format!("error: nothing is listening on 127.0.0.1:{port} — is your app running?")
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json on stdout");
    assert_eq!(json["failure"]["kind"], "not_listening", "{json}");

    let mut resend = inspector(&dir);
    resend.args(["resend", &id, "--to", "localhost:3000"]);
    let output = run(resend).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("write http://localhost:3000"), "{stderr}");

    assert_eq!(
        f.store
            .redeliveries(id.parse().expect("id"))
            .expect("history")
            .len(),
        4,
        "every sent attempt is recorded, the refused one is not"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_forward_to_forwards_each_capture_without_delaying_its_answer() {
    let dir = tempfile::tempdir().expect("temp");
    let log = Log::default();
    let slow_log = log.clone();
    // A slow app: the capture must be answered long before it is.
    let target = serve(
        Router::new()
            .fallback(move |state: State<Log>, request: Request| async move {
                tokio::time::sleep(Duration::from_millis(2500)).await;
                recording(state, request).await
            })
            .with_state(slow_log),
    )
    .await;
    let mut serving = Serving::start(
        dir.path(),
        &["--forward-to", &target, "--forward-resign", "current"],
    )
    .await;
    let (url, banner) = (serving.url.clone(), &serving.banner);
    assert!(
        banner
            .iter()
            .any(|l| l.contains(&format!("forwarding:  each capture to {target}"))),
        "{banner:?}"
    );
    let client = client();
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = inquiry_event(&format!("evt_{n}"), &format!("inq_{n}"), 0);
        let started = Instant::now();
        let response = post_signed(&client, &format!("{url}/webhooks/persona"), body).await;
        let took = started.elapsed();
        assert_eq!(response.status(), 200);
        assert!(
            took < Duration::from_millis(1500),
            "the answer to Persona waited for the forward: {took:?}"
        );
        ids.push(
            response.headers()["x-inspector-delivery-id"]
                .to_str()
                .expect("id")
                .to_string(),
        );
    }
    let printed = serving.lines(2).await;
    for id in &ids {
        let line = printed
            .iter()
            .find(|l| l.contains(&format!("#{id}")))
            .unwrap_or_else(|| panic!("no line for #{id}: {printed:?}"));
        assert!(line.contains("inquiry.approved"), "{line}");
        assert!(line.contains("  → 200 OK in "), "{line}");
    }
    serving.stop();
    let received = log.lock().expect("log").clone();
    assert_eq!(received.len(), 2);
    assert!(
        received
            .iter()
            .all(|r| r.check == Check::Valid && r.uri == "/")
    );
    let store = Store::open(dir.path()).expect("open");
    for id in ids {
        let history = store
            .redeliveries(id.parse().expect("id"))
            .expect("history");
        assert_eq!(history.len(), 1, "the forward is recorded");
        assert_eq!(history[0].attempt.target, target);
    }
}

/// `persona-inspector serve --port 0 ARGS…` with the test secret, its banner read.
struct Serving {
    child: std::process::Child,
    url: String,
    banner: Vec<String>,
    printed: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Serving {
    async fn start(data_dir: &std::path::Path, args: &[&str]) -> Serving {
        let mut child = inspector(data_dir)
            .args(["serve", "--port", "0"])
            .args(args)
            .env("PERSONA_INSPECTOR_SECRETS", format!("current={SECRET}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let stdout = child.stdout.take().expect("stdout");
        let (url, banner) = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stderr).lines();
            let mut banner = Vec::new();
            let url = loop {
                let line = lines
                    .next()
                    .expect("serve printed its address")
                    .expect("line");
                banner.push(line.clone());
                if let Some(at) = line.find("http://") {
                    break line[at..].trim().to_string();
                }
            };
            for line in lines.by_ref().map_while(Result::ok) {
                let done = line.contains("Press Ctrl-C");
                banner.push(line);
                if done {
                    break;
                }
            }
            std::thread::spawn(move || for _ in lines {});
            (url, banner)
        })
        .await
        .expect("join");
        let (sender, printed) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Serving {
            child,
            url,
            banner,
            printed,
        }
    }

    /// The next `n` lines on stdout.
    async fn lines(&mut self, n: usize) -> Vec<String> {
        let mut printed = Vec::new();
        while printed.len() < n {
            let line = tokio::time::timeout(Duration::from_secs(15), self.printed.recv())
                .await
                .unwrap_or_else(|_| panic!("only {} lines: {printed:?}", printed.len()))
                .expect("serve still running");
            printed.push(line);
        }
        printed
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_forwards_chosen_events_and_prints_each_retry() {
    let dir = tempfile::tempdir().expect("temp");
    let (target, log) = flaky_target(1).await;
    let mut serving = Serving::start(
        dir.path(),
        &[
            "--forward-to",
            &target,
            "--forward-event",
            "inquiry.completed",
            "--forward-event",
            "inquiry.complete",
            "--forward-retry-speedup",
            "1000",
        ],
    )
    .await;
    assert!(
        serving.banner.iter().any(|l| l.contains(&format!(
            "forwarding:  each inquiry.completed or inquiry.complete (not in the catalog of \
             2026-11-22: a typo, or an event newer than it?) to {target} (signature kept as Persona sent it; failures retried \
             on Persona's schedule 1000× faster"
        ))),
        "{:?}",
        serving.banner
    );
    let client = client();
    for (event_id, name) in [
        ("evt_skip", "inquiry.created"),
        ("evt_take", "inquiry.completed"),
    ] {
        let body = event(event_id, name, "2026-11-22T10:00:00.000Z");
        let response = post_signed(&client, &serving.url, body).await;
        assert_eq!(response.status(), 200);
    }
    let printed = serving.lines(3).await;
    serving.stop();
    assert!(
        printed[0].contains("inquiry.created") && !printed[0].contains('→'),
        "not forwarded, printed at once: {printed:?}"
    );
    assert!(
        printed[1].contains("inquiry.completed")
            && printed[1].contains("→ 500 Internal Server Error in ")
            && printed[1].contains("· retry 1 in "),
        "{printed:?}"
    );
    assert!(
        printed[2].contains("↻ #2 retry 1  → 200 OK in "),
        "{printed:?}"
    );
    assert_eq!(log.lock().expect("log").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_serve_calls_off_its_waiting_retries() {
    let dir = tempfile::tempdir().expect("temp");
    let (target, log) = flaky_target(usize::MAX).await;
    // Persona's real schedule: the first retry would come 3 s after the 500.
    let mut serving = Serving::start(
        dir.path(),
        &["--forward-to", &target, "--forward-retry-speedup", "1"],
    )
    .await;
    let body = event("evt_wait", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let response = post_signed(&client(), &serving.url, body).await;
    assert_eq!(response.status(), 200);
    let printed = serving.lines(1).await;
    assert!(printed[0].contains("· retry 1 in 3"), "{printed:?}");
    let store = Store::open(dir.path()).expect("open beside serve");
    assert_eq!(
        store.pending_retries().expect("pending").len(),
        1,
        "waiting"
    );

    let pid = serving.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || serving.child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(
        status.success(),
        "serve stops cleanly on SIGTERM: {status:?}"
    );
    assert!(
        store.pending_retries().expect("pending").is_empty(),
        "no retry is left for the app to resume"
    );
    let history = store.redeliveries(1).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].attempt.next_retry_at_ms, None,
        "its row says none follows"
    );
    assert_eq!(
        log.lock().expect("log").len(),
        1,
        "the retry was never sent"
    );
}

#[test]
fn serve_refuses_a_forward_loop_and_an_unknown_label() {
    let dir = tempfile::tempdir().expect("temp");
    let port = closed_port().to_string();
    let output = inspector(dir.path())
        .args([
            "serve",
            "--port",
            &port,
            "--forward-to",
            &format!("http://localhost:{port}/x"),
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("is this inspector's own listener"),
        "{stderr}"
    );
    let output = inspector(dir.path())
        .args([
            "serve",
            "--port",
            "0",
            "--forward-to",
            "http://127.0.0.1:1",
            "--forward-resign",
            "nope",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("no secret is labelled \"nope\""),
        "{stderr}"
    );
    let output = inspector(dir.path())
        .args(["serve", "--port", "0", "--forward-to", "http://127.0.0.1:1"])
        .args(["--forward-retry-speedup", "0"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("a retry speed-up of 0× cannot be used"),
        "{stderr}"
    );
}

#[test]
fn secrets_are_not_in_the_forwarders_debug_output() {
    let forwarder = Forwarder::new().expect("client").with_secrets(vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }]);
    let shown = format!("{forwarder:?}");
    assert!(
        shown.contains("current") && !shown.contains(SECRET),
        "{shown}"
    );
}

/// A handler that answers 500 to its first `failures` requests, then 200; records them all.
async fn flaky_target(failures: usize) -> (String, Log) {
    let log = Log::default();
    let seen = log.clone();
    let url = serve(Router::new().fallback(move |request: Request| {
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

/// A Persona event created at `created_at`, named `name`.
fn event(id: &str, name: &str, created_at: &str) -> Vec<u8> {
    format!(
        r#"{{"data":{{"type":"event","id":"{id}","attributes":{{"name":"{name}","created-at":"{created_at}","payload":{{"data":{{"type":"inquiry","id":"inq_{id}","attributes":{{"status":"completed"}}}}}}}}}}}}"#
    )
    .into_bytes()
}

fn summary(store: &Store, id: i64) -> persona_inspector::store::Summary {
    store.get(id).expect("stored").summary
}

/// Posts `body` to `url` signed with the test secret, as Persona would; the listener's answer.
async fn post_signed(client: &reqwest::Client, url: &str, body: Vec<u8>) -> reqwest::Response {
    client
        .post(url)
        .header("persona-signature", persona_signature(SECRET, &body))
        .body(body)
        .send()
        .await
        .expect("capture answers")
}

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_retries_continue_the_captures_count_and_stop_where_persona_would() {
    use persona_inspector::model::Rule;
    use persona_inspector::relay::Relay;
    let f = Fixture::new();
    let (target, log) = flaky_target(usize::MAX).await;
    let body = event("evt_late", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let signature = persona_signature(SECRET, &body);
    let late = |made: &'static [u8], left: &'static [u8]| {
        h(&[
            ("persona-webhook-attempts-made", made),
            ("persona-webhook-attempts-left", left),
            ("persona-signature", signature.as_bytes()),
        ])
    };
    // Persona's 6th attempt: 2 left, so the forward is retried twice, never a 9th time.
    let sixth = f.deliver("/", None, late(b"6", b"2"), &body).await;
    // Its last attempt: Persona would not retry it, so neither does the forward rule.
    let last = f.deliver("/", None, late(b"8", b"0"), &body).await;
    let results = Arc::new(Mutex::new(Vec::new()));
    let heard = results.clone();
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        retry_speedup: Some(100_000),
        ..Rule::default()
    };
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule,
        move |forwarded| heard.lock().expect("results").push(forwarded),
    );
    relay.offer(&summary(&f.store, sixth));
    relay.offer(&summary(&f.store, last));
    eventually("four forwards", || {
        (results.lock().expect("results").len() == 4).then_some(())
    })
    .await;
    // The last retries are Persona's longest (46656 s and 117649 s, sped up to 0.5 s and 1.2 s):
    // wait past where a fifth forward would have come.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let mut counts: Vec<(String, String)> = log
        .lock()
        .expect("log")
        .iter()
        .map(|r| {
            (
                r.header("persona-webhook-attempts-made").expect("made"),
                r.header("persona-webhook-attempts-left").expect("left"),
            )
        })
        .collect();
    counts.sort();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    assert_eq!(
        counts,
        pairs(&[("6", "2"), ("7", "1"), ("8", "0"), ("8", "0")]),
        "each send carries a count Persona itself would send"
    );
    for (id, sends) in [(sixth, 3), (last, 1)] {
        let history = f.store.redeliveries(id).expect("history");
        assert_eq!(history.len(), sends);
        assert_eq!(
            history[0].attempt.next_retry_at_ms, None,
            "the newest attempt promises no retry past Persona's last attempt"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_retries_failures_on_personas_schedule_sped_up() {
    use persona_inspector::model::Rule;
    use persona_inspector::relay::Relay;
    let f = Fixture::new();
    let (target, log) = flaky_target(2).await;
    let body = event("evt_retry", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let signature = persona_signature(SECRET, &body);
    let headers = h(&[
        ("persona-webhook-attempts-made", b"1"),
        ("persona-webhook-attempts-left", b"7"),
        ("persona-signature", signature.as_bytes()),
    ]);
    let id = f.deliver("/", None, headers, &body).await;
    let results = Arc::new(Mutex::new(Vec::new()));
    let heard = results.clone();
    let rule = Rule {
        enabled: true,
        target: target.clone(),
        signing: resign(),
        // 3 s, 64 s, 729 s… become 0.03 ms, 0.64 ms, 7.3 ms…
        retry_speedup: Some(100_000),
        ..Rule::default()
    };
    rule.check(&f.forwarder, &f.store, None)
        .expect("usable rule");
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule,
        move |forwarded| heard.lock().expect("results").push(forwarded),
    );
    relay.offer(&summary(&f.store, id));
    eventually("three forwards", || {
        (results.lock().expect("results").len() == 3).then_some(())
    })
    .await;

    let received = log.lock().expect("log").clone();
    assert_eq!(received.len(), 3, "500, 500, then 200: no fourth try");
    assert!(
        received
            .iter()
            .all(|r| r.body == body && r.check == Check::Valid)
    );
    let made: Vec<String> = received
        .iter()
        .map(|r| r.header("persona-webhook-attempts-made").expect("made"))
        .collect();
    assert_eq!(
        made,
        ["1", "2", "3"],
        "retries carry Persona's attempt numbers"
    );
    assert_eq!(
        received[2]
            .header("persona-webhook-attempts-left")
            .as_deref(),
        Some("5")
    );

    let history = f.store.redeliveries(id).expect("history");
    let rows: Vec<(u32, Option<u16>, bool)> = history
        .iter()
        .rev()
        .map(|r| {
            (
                r.attempt.retry,
                r.attempt.answer.as_ref().map(|a| a.status),
                r.attempt.next_retry_at_ms.is_some(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (0, Some(500), true),
            (1, Some(500), true),
            (2, Some(200), false)
        ]
    );
    assert!(
        history
            .iter()
            .all(|r| r.attempt.origin == persona_inspector::model::Origin::Forward)
    );
    let mark = summary(&f.store, id)
        .forward
        .expect("the list shows the forward");
    assert!(mark.delivered);
    assert_eq!(
        (mark.status, mark.retry, mark.next_retry_at_ms),
        (Some(200), 2, None)
    );
    let listed = f
        .store
        .list(&Default::default())
        .expect("list")
        .into_iter()
        .find(|s| s.id == id)
        .expect("listed");
    assert_eq!(listed.forward, Some(mark));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_change_calls_off_waiting_retries_and_a_restart_resumes_them() {
    use persona_inspector::model::Rule;
    use persona_inspector::relay::Relay;
    let f = Fixture::new();
    let nothing = format!("http://127.0.0.1:{}", closed_port());
    let rule = Rule {
        enabled: true,
        target: nothing.clone(),
        // Persona's own pace: the first retry is 3 s away.
        retry_speedup: Some(1),
        ..Rule::default()
    };
    let body = event("evt_wait", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let first = f.signed(now(), &body).await;
    let heard = Arc::new(Mutex::new(0usize));
    let count = heard.clone();
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule.clone(),
        move |_| *count.lock().expect("count") += 1,
    );
    relay.offer(&summary(&f.store, first));
    let pending = eventually("a waiting retry", || {
        f.store.pending_retries().ok().filter(|p| !p.is_empty())
    })
    .await;
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].delivery_id, pending[0].retry), (first, 1));
    let mark = summary(&f.store, first).forward.expect("forwarded");
    assert_eq!(mark.failure, Some(FailureKind::NotListening));
    assert!(
        mark.next_retry_at_ms.is_some(),
        "the list says a retry is coming"
    );

    // Turning retries off stops it, and the row no longer promises one.
    let calmer = Rule {
        retry_speedup: None,
        ..rule.clone()
    };
    assert_eq!(relay.set_rule(calmer).expect("rule set"), 1);
    assert!(f.store.pending_retries().expect("pending").is_empty());
    assert_eq!(
        summary(&f.store, first)
            .forward
            .expect("forwarded")
            .next_retry_at_ms,
        None
    );
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(
        *heard.lock().expect("count"),
        1,
        "no retry after the rule changed"
    );
    drop(relay);

    // A retry left waiting when the app stopped is sent by the next run's relay, to the
    // target of the rule it runs with then.
    let second = f.signed(now(), &body).await;
    let stopped = Relay::new(f.store.clone(), f.forwarder.clone(), rule.clone(), |_| {});
    stopped.offer(&summary(&f.store, second));
    eventually("a waiting retry", || {
        f.store.pending_retries().ok().filter(|p| !p.is_empty())
    })
    .await;
    drop(stopped); // its task keeps sleeping; the rule below changes nothing it watches
    let (target, log) = recording_target().await;
    let restarted = Rule {
        target: target.clone(),
        retry_speedup: Some(1000),
        ..rule
    };
    let done = Arc::new(Mutex::new(Vec::new()));
    let results = done.clone();
    let next_run = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        restarted,
        move |forwarded| results.lock().expect("results").push(forwarded),
    );
    assert_eq!(next_run.resume().expect("resumed"), 1);
    let forwarded = eventually("the resumed retry", || {
        done.lock().expect("results").first().cloned()
    })
    .await;
    let record = forwarded.result.expect("sent");
    assert_eq!((forwarded.delivery_id, record.attempt.retry), (second, 1));
    assert_eq!(log.lock().expect("log").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_forwards_only_the_event_names_it_names() {
    use persona_inspector::model::Rule;
    use persona_inspector::relay::Relay;
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        events: vec!["inquiry.completed".into()],
        ..Rule::default()
    };
    let relay = Relay::new(f.store.clone(), f.forwarder.clone(), rule, |_| {});
    let taken = f
        .signed(
            now(),
            &event("evt_a", "inquiry.completed", "2026-11-22T10:00:00.000Z"),
        )
        .await;
    let left = f
        .signed(
            now(),
            &event("evt_b", "inquiry.created", "2026-11-22T10:00:00.000Z"),
        )
        .await;
    relay.offer(&summary(&f.store, left));
    relay.offer(&summary(&f.store, taken));
    eventually("the forward", || {
        summary(&f.store, taken).forward.filter(|m| m.delivered)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(log.lock().expect("log").len(), 1);
    assert_eq!(summary(&f.store, left).forward, None);
}

#[tokio::test]
async fn bulk_redelivery_sends_in_created_at_or_received_order_and_sums_up() {
    use persona_inspector::bulk::{self, Cancel, Progress};
    use persona_inspector::model::{Order, Scope};
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    // Arrival order differs from creation order, as Persona's deliveries may.
    let mut ids = Vec::new();
    for (event_id, created) in [
        ("evt_2", "2026-11-22T10:00:02.000Z"),
        ("evt_3", "2026-11-22T10:00:03.000Z"),
        ("evt_1", "2026-11-22T10:00:01.000Z"),
    ] {
        ids.push(
            f.signed(now(), &event(event_id, "inquiry.completed", created))
                .await,
        );
    }
    let not_persona = f.deliver("/", None, Vec::new(), b"plain text").await;
    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let scope = Scope::Ids {
        ids: vec![ids[0], ids[1], ids[2], not_persona, 999_999],
    };
    let (planned, missing) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &options).expect("plan");
    assert_eq!(planned, [ids[2], ids[0], ids[1], not_persona]);
    assert_eq!(missing, 1);
    let mut steps = Vec::new();
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &options,
        &Cancel::default(),
        |progress, forwarded| steps.push((progress.done, forwarded.delivery_id)),
    )
    .await;
    let received: Vec<Vec<u8>> = log
        .lock()
        .expect("log")
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let order: Vec<String> = received
        .iter()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned())
        .collect();
    assert!(order[0].contains("evt_1") && order[1].contains("evt_2") && order[2].contains("evt_3"));
    assert_eq!(received[3], b"plain text", "not a Persona event: last");
    assert_eq!(
        steps,
        [(1, ids[2]), (2, ids[0]), (3, ids[1]), (4, not_persona)]
    );
    // The plain-text delivery had no signature: without the opt-in it went out without one,
    // and the handler refused it.
    assert_eq!(
        done,
        Progress {
            total: 4,
            done: 4,
            delivered: 3,
            rejected: 1,
            missing: 1,
            finished: true,
            ..Progress::default()
        }
    );
    assert_eq!(
        done.describe(),
        "4 sent: 3 delivered, 1 rejected; 1 no longer stored"
    );
    let origins = f.store.redeliveries(ids[0]).expect("history");
    assert_eq!(
        origins[0].attempt.origin,
        persona_inspector::model::Origin::Bulk
    );
    assert_eq!(
        summary(&f.store, ids[0]).forward,
        None,
        "a bulk send is not a forward"
    );

    // Received order over a filter, and the failures counted apart.
    let filter = persona_inspector::model::Filter {
        event_name: Some("inquiry.completed".into()),
        ..Default::default()
    };
    let scope = Scope::Filter { filter };
    let closed = Options::new(format!("http://127.0.0.1:{}", closed_port()));
    let (planned, _) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Received, &closed).expect("plan");
    assert_eq!(planned, ids);
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        0,
        &closed,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!((done.unreachable, done.delivered), (3, 0));
    assert_eq!(done.describe(), "3 sent: 0 delivered, 3 unreachable");
}

#[tokio::test]
async fn bulk_redelivery_stops_when_cancelled_and_refuses_what_it_cannot_send() {
    use persona_inspector::bulk::{self, Cancel};
    use persona_inspector::model::{Order, Scope};
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            f.signed(
                now(),
                &event(
                    &format!("evt_{n}"),
                    "inquiry.completed",
                    "2026-11-22T10:00:00.000Z",
                ),
            )
            .await,
        );
    }
    let options = Options::new(target.clone());
    let cancel = Cancel::default();
    let stop = cancel.clone();
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &ids,
        0,
        &options,
        &cancel,
        |progress, _| {
            if progress.done == 2 {
                stop.cancel();
            }
        },
    )
    .await;
    assert!(done.cancelled && done.finished);
    assert_eq!((done.done, done.total), (2, 5));
    assert_eq!(log.lock().expect("log").len(), 2);
    assert!(
        done.describe().ends_with("cancelled with 3 left"),
        "{}",
        done.describe()
    );

    let nothing = Scope::Filter {
        filter: persona_inspector::model::Filter {
            event_name: Some("report.run".into()),
            ..Default::default()
        },
    };
    let error = bulk::plan(&f.forwarder, &f.store, &nothing, Order::Created, &options)
        .expect_err("nothing to send");
    assert!(error.to_string().contains("no delivery matches"), "{error}");
    let edited = Options {
        edits: persona_inspector::redeliver::Edits {
            body: Some(b"{}".to_vec()),
            headers: None,
        },
        ..options.clone()
    };
    let scope = Scope::Ids { ids: ids.clone() };
    let error = bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &edited)
        .expect_err("edits refused");
    assert!(
        error.to_string().contains("edits belong to one delivery"),
        "{error}"
    );
    let unknown = Options {
        signing: Signing::Resign {
            secret: "nope".into(),
        },
        ..options
    };
    let error = bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &unknown)
        .expect_err("label refused");
    assert!(
        error.to_string().contains("no secret is labelled \"nope\""),
        "{error}"
    );
    // A delivery purged before its turn is counted as not sent, and the run goes on.
    f.store.purge(Purge::All).expect("purged");
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &ids[..2],
        0,
        &Options::new(target),
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!((done.skipped, done.done), (2, 2));
}

// --- re-signing only what Persona signed -----------------------------------------------------

/// A stored delivery re-signing must not vouch for without the opt-in, and the
/// `Persona-Signature` it arrived with (None: it had none).
struct Unverified {
    id: i64,
    kind: &'static str,
    original: Option<String>,
    note: &'static str,
}

impl Fixture {
    /// One delivery of each kind Persona did not sign, the same body for all: signed with
    /// another secret (invalid), unsigned (missing), a header that does not parse (malformed),
    /// stored with no secret to check it (unchecked), and a validly signed one imported from a
    /// fixture (imported: nothing shows Persona sent it). Those two carry a correct but old
    /// signature, so a handler tells it from a fresh one.
    async fn unverified(&self, body: &[u8]) -> Vec<Unverified> {
        let mut found = Vec::new();
        let forged = persona_inspector::signature::sign("wbhsec_not_the_users", now(), body);
        let invalid = h(&[("persona-signature", forged.as_bytes())]);
        found.push(Unverified {
            id: self.deliver("/", None, invalid, body).await,
            kind: "invalid",
            original: Some(forged),
            note: "sent with its original signature: not re-signed because its signature is \
                   invalid",
        });
        found.push(Unverified {
            id: self.deliver("/", None, Vec::new(), body).await,
            kind: "missing",
            original: None,
            note: "sent without a signature, as it arrived: not re-signed because it arrived \
                   without a signature",
        });
        found.push(Unverified {
            id: self
                .deliver("/", None, h(&[("persona-signature", b"v1=zz")]), body)
                .await,
            kind: "malformed",
            original: Some("v1=zz".into()),
            note: "sent with its original signature: not re-signed because its signature is \
                   malformed",
        });
        let old = now() - 7_200;
        let signed = persona_inspector::signature::sign(SECRET, old, body);
        let unchecked = NewDelivery::captured(
            Arrival {
                received_at_ms: persona_inspector::clock::now_ms(),
                method: "POST".into(),
                path: "/".into(),
                query: None,
                remote_addr: None,
                headers: h(&[("persona-signature", signed.as_bytes())]),
            },
            body.to_vec(),
            &Verification::default(),
        );
        found.push(Unverified {
            id: self.store.insert(unchecked).await.expect("stored").id,
            kind: "unchecked",
            original: Some(signed.clone()),
            note: "sent with its original signature: not re-signed because its signature was \
                   never checked",
        });
        let valid = self.signed(old, body).await;
        let fixture = persona_inspector::share::fixture(&self.store.get(valid).expect("stored"));
        let read = persona_inspector::share::read_fixtures(
            "f.json",
            fixture.to_string().as_bytes(),
            &Default::default(),
        )
        .expect("reads");
        let imported = persona_inspector::share::import(&self.store, read).expect("imports")[0].id;
        assert_eq!(
            summary(&self.store, imported).signature.status,
            persona_inspector::model::Status::Valid,
            "its signature checks out, and still it is not Persona's delivery to us"
        );
        let original = self
            .store
            .raw(imported)
            .expect("raw")
            .arrival
            .headers
            .iter()
            .find(|(n, _)| n == "persona-signature")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
        found.push(Unverified {
            id: imported,
            kind: "imported",
            original,
            note: "sent with its original signature: not re-signed because it was imported \
                   from a fixture, not received from Persona",
        });
        for u in &found {
            assert_eq!(
                summary(&self.store, u.id).signature.status.as_str() == "valid",
                u.kind == "imported",
                "{} is what it says",
                u.kind
            );
        }
        found
    }
}

/// The request `log` received for each of `unverified`, in order, carried its original
/// signature (or none) and each recorded attempt says why it was not re-signed.
fn assert_sent_as_they_came(store: &Store, unverified: &[Unverified], received: &[Received]) {
    assert_eq!(received.len(), unverified.len(), "one request each");
    for (u, r) in unverified.iter().zip(received) {
        assert_eq!(
            r.header("persona-signature"),
            u.original,
            "a {} delivery keeps the signature it came with",
            u.kind
        );
        let history = store.redeliveries(u.id).expect("history");
        let attempt = &history[0].attempt;
        assert_eq!(
            attempt.signing,
            Signing::Keep,
            "{}: recorded as kept",
            u.kind
        );
        assert_eq!(
            attempt.signing_note.as_deref(),
            Some(u.note),
            "{}: the recorded attempt says why",
            u.kind
        );
        assert!(
            attempt.describe().ends_with(u.note),
            "{}",
            attempt.describe()
        );
    }
}

#[tokio::test]
async fn resend_keeps_the_signature_of_what_persona_did_not_sign_unless_asked() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = event(
        "evt_oracle",
        "inquiry.completed",
        "2026-11-22T10:00:00.000Z",
    );
    let unverified = f.unverified(&body).await;
    let valid = f.signed(now(), &body).await;
    let asked = Options {
        signing: resign(),
        ..Options::new(&url)
    };
    for u in &unverified {
        f.redeliver(u.id, &asked).await;
    }
    let received = log.lock().expect("log").clone();
    assert_sent_as_they_came(&f.store, &unverified, &received);
    assert!(received.iter().all(|r| r.check != Check::Valid));

    // What Persona signed is re-signed without asking.
    let sent = f.redeliver(valid, &asked).await;
    assert_eq!(sent.attempt.signing_note, None);
    assert_eq!(
        log.lock().expect("log").last().map(|r| r.check),
        Some(Check::Valid)
    );

    // With the opt-in, each is re-signed.
    log.lock().expect("log").clear();
    let opted_in = Options {
        resign_unverified: true,
        ..asked
    };
    for u in &unverified {
        let sent = f.redeliver(u.id, &opted_in).await;
        assert_eq!(sent.attempt.signing, resign(), "{}", u.kind);
        assert_eq!(sent.attempt.signing_note, None, "{}", u.kind);
    }
    let received = log.lock().expect("log").clone();
    assert!(
        received.iter().all(|r| r.check == Check::Valid),
        "opted in, every kind is re-signed: {:?}",
        received.iter().map(|r| r.check).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_resend_re_signs_an_invalid_delivery_only_with_resign_unverified() {
    let f = Fixture::new();
    let dir = f.dir.path().to_path_buf();
    let (url, log) = recording_target().await;
    let body = event("evt_cli", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let invalid = &f.unverified(&body).await[0];
    let id = invalid.id.to_string();

    let mut resend = inspector(&dir);
    resend.args(["resend", &id, "--to", &url, "--resign", "current"]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("→ 401 Unauthorized in ") && stdout.trim_end().ends_with(invalid.note),
        "the line says why: {stdout}"
    );
    assert!(stderr.contains("--resign-unverified"), "{stderr}");
    assert_sent_as_they_came(
        &f.store,
        std::slice::from_ref(invalid),
        &log.lock().expect("log"),
    );

    let mut resend = inspector(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &url,
        "--resign",
        "current",
        "--resign-unverified",
    ]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("→ 200 OK in ") && !stdout.contains("not re-signed"),
        "{stdout}"
    );
    assert_eq!(log.lock().expect("log")[1].check, Check::Valid);
}

#[tokio::test]
async fn bulk_counts_the_unverified_and_re_signs_them_only_when_opted_in() {
    use persona_inspector::bulk::{self, Cancel};
    use persona_inspector::model::{Order, Scope};
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let body = event("evt_bulk", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let unverified = f.unverified(&body).await;
    let valid = f.signed(now(), &body).await;
    let mut ids: Vec<i64> = unverified.iter().map(|u| u.id).collect();
    ids.push(valid);
    let scope = Scope::Ids { ids: ids.clone() };

    let counted = bulk::count_unverified(&f.store, &scope).expect("counted");
    assert_eq!((counted.total, counted.unverified), (6, 5));
    let kinds: Vec<(&str, u64)> = counted
        .kinds
        .iter()
        .map(|k| (k.kind.as_str(), k.count))
        .collect();
    assert_eq!(
        kinds,
        [
            ("imported", 1),
            ("invalid", 1),
            ("malformed", 1),
            ("missing", 1),
            ("unchecked", 1)
        ],
        "each kind counted"
    );

    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let (planned, missing) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Received, &options).expect("plan");
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &options,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!(
        (done.delivered, done.rejected),
        (1, 5),
        "{}",
        done.describe()
    );
    let received = log.lock().expect("log").clone();
    assert_sent_as_they_came(&f.store, &unverified, &received[..5]);
    assert_eq!(
        received[5].check,
        Check::Valid,
        "Persona's own is re-signed"
    );

    log.lock().expect("log").clear();
    let opted_in = Options {
        resign_unverified: true,
        ..options
    };
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &opted_in,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!(
        done.delivered,
        6,
        "opted in, all re-signed: {}",
        done.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_re_signs_only_persona_signed_captures_unless_its_setting_says() {
    use persona_inspector::model::Rule;
    use persona_inspector::relay::Relay;
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let body = event("evt_rule", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let unverified = f.unverified(&body).await;
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        ..Rule::default()
    };
    assert!(!rule.resign_unverified, "off by default");
    let relay = Relay::new(f.store.clone(), f.forwarder.clone(), rule.clone(), |_| {});
    for u in &unverified {
        relay.offer(&summary(&f.store, u.id));
        eventually("the forward", || summary(&f.store, u.id).forward).await;
    }
    assert_sent_as_they_came(&f.store, &unverified, &log.lock().expect("log"));

    log.lock().expect("log").clear();
    relay
        .set_rule(Rule {
            resign_unverified: true,
            ..rule
        })
        .expect("rule changed");
    for u in &unverified {
        let before = summary(&f.store, u.id).forward.map(|m| m.redelivery_id);
        relay.offer(&summary(&f.store, u.id));
        eventually("the second forward", || {
            summary(&f.store, u.id)
                .forward
                .filter(|m| Some(m.redelivery_id) != before)
        })
        .await;
    }
    assert!(
        log.lock()
            .expect("log")
            .iter()
            .all(|r| r.check == Check::Valid),
        "with the setting on, all are re-signed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_forwards_an_invalid_capture_with_its_own_signature_unless_told() {
    let (target, log) = recording_target().await;
    let forged = |body: &[u8]| persona_inspector::signature::sign("wbhsec_guess", now(), body);
    let client = client();
    for opt_in in [false, true] {
        let dir = tempfile::tempdir().expect("temp");
        let mut args = vec!["--forward-to", &target, "--forward-resign", "current"];
        if opt_in {
            args.push("--forward-resign-unverified");
        }
        let mut serving = Serving::start(dir.path(), &args).await;
        assert!(
            serving.banner.iter().any(|l| l.contains(match opt_in {
                false => "re-signed with \"current\" when Persona's signature is valid, else kept",
                true => "re-signed with \"current\", even when Persona did not sign it",
            })),
            "{:?}",
            serving.banner
        );
        let body = inquiry_event("evt_forged", "inq_forged", 0);
        let signature = forged(&body);
        let response = client
            .post(&serving.url)
            .header("persona-signature", &signature)
            .body(body)
            .send()
            .await
            .expect("captured");
        assert_eq!(response.status(), 200);
        let printed = serving.lines(1).await;
        serving.stop();
        let received = log.lock().expect("log").pop().expect("forwarded");
        if opt_in {
            assert_eq!(received.check, Check::Valid, "told to, serve re-signs it");
            assert!(!printed[0].contains("not re-signed"), "{printed:?}");
        } else {
            assert_eq!(
                received.header("persona-signature").as_deref(),
                Some(signature.as_str()),
                "an outsider's request is not signed with the user's secret"
            );
            assert!(
                printed[0].ends_with(
                    "sent with its original signature: not re-signed because its signature \
                     is invalid"
                ),
                "{printed:?}"
            );
            let store = Store::open(dir.path()).expect("open");
            let history = store.redeliveries(1).expect("history");
            assert!(history[0].attempt.signing_note.is_some(), "recorded");
        }
    }
}

#[tokio::test]
async fn a_test_event_is_re_signed_without_asking_and_a_forged_one_stays_a_capture() {
    use persona_inspector::model::Source;
    use persona_inspector::sample::{EXAMPLE_SECRET, TEST_EVENT_HEADER, TestEventKey};
    let key = TestEventKey::generate().expect("random");
    let listener = Listener::start(persona_inspector::capture::Settings {
        test_event: Some(key.clone()),
        ..settings_with_secret()
    })
    .await;
    let store = listener.store().clone();
    let forwarder = Forwarder::new().expect("client");
    let (target, log) = recording_target().await;
    let client = client();
    // Signed as the app signs a test event before the user has added a secret: not valid.
    let post = |mark: String| {
        let body = persona_inspector::sample::inquiry_completed(persona_inspector::clock::now_ms());
        client
            .post(&listener.url)
            .header(
                "persona-signature",
                persona_signature(EXAMPLE_SECRET, &body),
            )
            .header(TEST_EVENT_HEADER, mark)
            .body(body)
            .send()
    };
    let id = |response: reqwest::Response| -> i64 {
        response.headers()["x-inspector-delivery-id"]
            .to_str()
            .expect("id")
            .parse()
            .expect("number")
    };
    let own = id(post(key.value().to_string()).await.expect("answered"));
    let forged = id(post("0".repeat(64)).await.expect("answered"));

    let test = store.get(own).expect("stored");
    assert_eq!(test.summary.source, Source::Test);
    assert_eq!(test.summary.signature.status.as_str(), "invalid");
    assert!(
        !test.headers.to_string().contains(key.value()),
        "the key is not stored: {}",
        test.headers
    );
    let outsider = store.get(forged).expect("stored");
    assert_eq!(
        outsider.summary.source,
        Source::Captured,
        "an outsider's copy of the header is an ordinary capture"
    );
    assert!(outsider.headers.to_string().contains(TEST_EVENT_HEADER));

    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let sent = forwarder
        .with_secrets(vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }])
        .redeliver(&store, own, &options)
        .await
        .expect("sent");
    assert_eq!(
        sent.attempt.signing_note, None,
        "a test event needs no opt-in"
    );
    assert_eq!(log.lock().expect("log")[0].check, Check::Valid);
    let forwarder = Forwarder::new().expect("client").with_secrets(vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }]);
    let sent = forwarder
        .redeliver(&store, forged, &options)
        .await
        .expect("sent");
    assert!(
        sent.attempt.signing_note.is_some(),
        "the forged one is not re-signed"
    );
    assert_eq!(log.lock().expect("log")[1].check, Check::Invalid);
    listener.stop().await;
}
