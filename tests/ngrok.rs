//! ngrok awareness against a stand-in agent: a real HTTP server on port 0 answering `GET
//! /api/tunnels` with the JSON shape ngrok documents for its agent API ("List Tunnels"), or
//! with what a stranger on that port might answer; and `serve`'s banner, told the stand-in's
//! address by PERSONA_INSPECTOR_NGROK_API.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::inspector;
use persona_inspector::ngrok::{self, NgrokStatus, Tunnel};
use serde_json::{Value, json};

/// A tunnel as the agent lists it (documented fields, metrics and all).
fn documented(name: &str, public_url: &str, proto: &str, addr: &str) -> Value {
    json!({
        "name": name,
        "uri": format!("/api/tunnels/{name}"),
        "public_url": public_url,
        "proto": proto,
        "config": {"addr": addr, "inspect": true},
        "metrics": {
            "conns": {"count": 0, "gauge": 0, "rate1": 0, "rate5": 0, "rate15": 0,
                      "p50": 0, "p90": 0, "p95": 0, "p99": 0},
            "http": {"count": 0, "rate1": 0, "rate5": 0, "rate15": 0,
                     "p50": 0, "p90": 0, "p95": 0, "p99": 0}
        }
    })
}

fn tunnel_list(tunnels: Vec<Value>) -> Value {
    json!({"tunnels": tunnels, "uri": "/api/tunnels"})
}

/// The status, headers and body the stand-in answers with.
type Canned = (StatusCode, Vec<(String, String)>, Vec<u8>);

/// A stand-in agent answering `/api/tunnels` with whatever the test puts in it.
struct Agent {
    url: String,
    answer: Arc<Mutex<Canned>>,
}

impl Agent {
    async fn start() -> Agent {
        let answer: Arc<Mutex<Canned>> =
            Arc::new(Mutex::new((StatusCode::OK, Vec::new(), Vec::new())));
        let shared = answer.clone();
        let app = Router::new().route(
            "/api/tunnels",
            get(move || {
                let shared = shared.clone();
                async move {
                    let (status, headers, body) = shared.lock().expect("answer").clone();
                    let mut response: Response = (status, body).into_response();
                    for (name, value) in headers {
                        response.headers_mut().insert(
                            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                            value.parse().expect("value"),
                        );
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Agent { url, answer }
    }

    fn answers_json(&self, value: Value) {
        self.answers(StatusCode::OK, value.to_string().into_bytes());
    }

    fn answers(&self, status: StatusCode, body: Vec<u8>) {
        *self.answer.lock().expect("answer") = (
            status,
            vec![(header::CONTENT_TYPE.to_string(), "application/json".into())],
            body,
        );
    }
}

/// A port nothing listens on: bound, then let go.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn the_tunnel_that_leads_to_the_listener_gives_its_public_url() {
    let agent = Agent::start().await;
    // ngrok v2's pair: the http and the https URL of one tunnel; the https one is for Persona.
    agent.answers_json(tunnel_list(vec![
        documented(
            "other",
            "https://other.ngrok-free.app",
            "https",
            "localhost:3000",
        ),
        documented(
            "web",
            "http://abc.ngrok-free.app",
            "http",
            "http://localhost:4747",
        ),
        documented(
            "web (http)",
            "https://abc.ngrok-free.app",
            "https",
            "http://localhost:4747",
        ),
    ]));
    match ngrok::status_at(&agent.url, 4747).await {
        NgrokStatus::Tunnel {
            public_url,
            tunnels,
        } => {
            assert_eq!(public_url, "https://abc.ngrok-free.app");
            assert_eq!(tunnels.len(), 3);
            assert_eq!(
                tunnels[0],
                Tunnel {
                    name: Some("other".into()),
                    public_url: "https://other.ngrok-free.app".into(),
                    proto: "https".into(),
                    addr: "localhost:3000".into(),
                    port: Some(3000),
                }
            );
        }
        other => panic!("expected the tunnel to 4747, got {other:?}"),
    }
    // Every form of addr the agent takes.
    for addr in ["4747", "127.0.0.1:4747", "[::1]:4747", "localhost:4747"] {
        agent.answers_json(tunnel_list(vec![documented(
            "t",
            "https://x.ngrok.app",
            "https",
            addr,
        )]));
        assert!(
            matches!(
                ngrok::status_at(&agent.url, 4747).await,
                NgrokStatus::Tunnel { .. }
            ),
            "{addr}"
        );
    }
}

#[tokio::test]
async fn tunnels_to_other_ports_or_hosts_are_reported_as_such() {
    let agent = Agent::start().await;
    agent.answers_json(tunnel_list(vec![
        documented("api", "https://api.ngrok.app", "https", "localhost:3000"),
        documented("lan", "https://lan.ngrok.app", "https", "192.0.2.7:4747"),
    ]));
    match ngrok::status_at(&agent.url, 4747).await {
        NgrokStatus::OtherPorts { port, tunnels } => {
            assert_eq!(port, 4747);
            let ports: Vec<Option<u16>> = tunnels.iter().map(|t| t.port).collect();
            assert_eq!(
                ports,
                vec![Some(3000), None],
                "another host is not this machine"
            );
        }
        other => panic!("expected a warning, got {other:?}"),
    }
    agent.answers_json(tunnel_list(Vec::new()));
    assert_eq!(
        ngrok::status_at(&agent.url, 4747).await,
        NgrokStatus::OtherPorts {
            port: 4747,
            tunnels: Vec::new()
        }
    );
}

#[tokio::test]
async fn no_agent_and_strangers_on_its_port_say_nothing() {
    let closed = format!("http://127.0.0.1:{}", closed_port().await);
    assert_eq!(ngrok::status_at(&closed, 4747).await, NgrokStatus::NoAgent);

    let agent = Agent::start().await;
    let garbage: Vec<(StatusCode, Vec<u8>)> = vec![
        (StatusCode::OK, b"<html>not ngrok</html>".to_vec()),
        (StatusCode::OK, b"{\"tunnels\": \"all of them\"}".to_vec()),
        (StatusCode::OK, vec![0xff, 0x00, 0x7b]),
        (StatusCode::OK, Vec::new()),
        (StatusCode::NOT_FOUND, b"{\"tunnels\": []}".to_vec()),
        // Bigger than any tunnel list: not read to the end.
        (
            StatusCode::OK,
            format!("{{\"tunnels\": [], \"pad\": \"{}\"}}", "x".repeat(1 << 20)).into_bytes(),
        ),
    ];
    for (status, body) in garbage {
        let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
        agent.answers(status, body);
        assert_eq!(
            ngrok::status_at(&agent.url, 4747).await,
            NgrokStatus::NoAgent,
            "{status} {shown}"
        );
    }

    // A redirect is not followed, even to a real tunnel list.
    let real = Agent::start().await;
    real.answers_json(tunnel_list(vec![documented(
        "t",
        "https://x.ngrok.app",
        "https",
        "4747",
    )]));
    *agent.answer.lock().expect("answer") = (
        StatusCode::FOUND,
        vec![(
            header::LOCATION.to_string(),
            format!("{}/api/tunnels", real.url),
        )],
        Vec::new(),
    );
    assert_eq!(
        ngrok::status_at(&agent.url, 4747).await,
        NgrokStatus::NoAgent
    );

    // Something that accepts and never answers is given up on within the short timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_url = format!("http://{}", silent.local_addr().expect("address"));
    let started = Instant::now();
    assert_eq!(
        ngrok::status_at(&silent_url, 4747).await,
        NgrokStatus::NoAgent
    );
    let waited = started.elapsed();
    assert!(
        waited >= ngrok::TIMEOUT && waited < ngrok::TIMEOUT + Duration::from_secs(2),
        "waited {waited:?}"
    );
    drop(silent);

    // Only this machine is asked.
    assert_eq!(
        ngrok::status_at("http://192.0.2.1:4040", 4747).await,
        NgrokStatus::NoAgent
    );
}

/// Runs `serve` on `port` with the stand-in agent named, and returns its banner (stderr up to
/// "Press Ctrl-C").
fn banner(agent: &str, port: u16) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp");
    let mut child = inspector(dir.path())
        .args(["serve", "--port", &port.to_string()])
        .env(ngrok::AGENT_ENV, agent)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut banner = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let done = line.contains("Press Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    banner
}

#[tokio::test]
async fn serve_prints_the_url_that_leads_to_it_or_warns() {
    let agent = Agent::start().await;
    // The port serve will take: free now (the agent must name it before serve starts).
    let port = closed_port().await;
    agent.answers_json(tunnel_list(vec![documented(
        "command_line",
        "https://d95211d2.ngrok-free.app",
        "https",
        &format!("http://localhost:{port}"),
    )]));
    let url = agent.url.clone();
    let lines = tokio::task::spawn_blocking(move || banner(&url, port))
        .await
        .expect("join");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("listening on http://127.0.0.1:{port}"))),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l
            == "  ngrok:       https://d95211d2.ngrok-free.app → this listener (paste it into \
                Persona's dashboard, Webhooks)"),
        "{lines:?}"
    );

    agent.answers_json(tunnel_list(vec![documented(
        "api",
        "https://api.ngrok.app",
        "https",
        "localhost:1",
    )]));
    let url = agent.url.clone();
    let lines = tokio::task::spawn_blocking(move || banner(&url, 0))
        .await
        .expect("join");
    let warning = lines
        .iter()
        .find(|l| l.starts_with("  ngrok:"))
        .unwrap_or_else(|| panic!("a warning: {lines:?}"));
    assert!(
        warning.contains("ngrok's tunnels lead elsewhere (https://api.ngrok.app → localhost:1)")
            && warning.contains("`ngrok http "),
        "{warning}"
    );

    // No agent: not a word about ngrok, besides the usual hint.
    let closed = format!("http://127.0.0.1:{}", closed_port().await);
    let lines = tokio::task::spawn_blocking(move || banner(&closed, 0))
        .await
        .expect("join");
    assert!(!lines.iter().any(|l| l.contains("ngrok:")), "{lines:?}");
    assert!(lines.last().is_some_and(|l| l.contains("Press Ctrl-C")));
}
