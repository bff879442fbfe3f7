//! `--hostile`: the latency of normal signed deliveries on a listener with the product's default
//! limits, first alone, then in the same run while hostile traffic hits the same listener:
//! connections trickling their request heads, signature floods (thousands of `v1=` values over
//! a 400 KB body) and 10 MiB bodies of JSON that is not an object.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderValue, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config::Config;
use crate::failure::{Context, Result};
use crate::http::{Load, PATH, Server, capture_verifying, load, payloads, runtime};
use crate::payload::Rng;

/// Normal senders: a few keep-alive connections, as Persona through ngrok.
const NORMAL_CONNECTIONS: usize = 4;
/// What the hostile traffic is made of.
pub struct Attack {
    pub slow_headers: usize,
    pub floods: usize,
    pub flood_values: usize,
    pub flood_body: usize,
    pub huge_senders: usize,
    pub huge_body: usize,
}

impl Attack {
    pub fn full() -> Attack {
        Attack {
            // Half the default connection cap: the slots they hold are not the point, their
            // cost is.
            slow_headers: 64,
            floods: 2,
            flood_values: 3000,
            flood_body: 400 * 1024,
            huge_senders: 2,
            // Just under the default --max-body, so each is read, analysed and stored.
            huge_body: 10 * 1024 * 1024 - 1024,
        }
    }
}
/// A kind of hostile traffic, for `--attack`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    SlowHeaders,
    Floods,
    BigBodies,
}

impl Attack {
    /// The full attack with only `kinds` (all of them when empty).
    pub fn only(kinds: &[Kind]) -> Attack {
        let mut attack = Attack::full();
        let on = |kind| kinds.is_empty() || kinds.contains(&kind);
        if !on(Kind::SlowHeaders) {
            attack.slow_headers = 0;
        }
        if !on(Kind::Floods) {
            attack.floods = 0;
        }
        if !on(Kind::BigBodies) {
            attack.huge_senders = 0;
        }
        attack
    }
}

/// A slow-header connection sends one more header line this often.
const TRICKLE: Duration = Duration::from_secs(1);

pub struct Figures {
    pub quiet: Load,
    pub attacked: Load,
    pub floods: Arc<Answers>,
    pub huge: Arc<Answers>,
    /// Slow-header connections the listener closed.
    pub slow_closed: u64,
}

/// How the listener answered one kind of hostile request.
#[derive(Default)]
pub struct Answers {
    pub ok: AtomicU64,
    pub refused: AtomicU64,
    pub other: AtomicU64,
    /// Connections that broke (closed by the server, or refused outright).
    pub broken: AtomicU64,
}

impl Answers {
    pub fn describe(&self) -> String {
        format!(
            "{} stored (2xx), {} answered 503, {} other statuses, {} broken connections",
            self.ok.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed),
            self.broken.load(Ordering::Relaxed)
        )
    }
}

pub fn run(config: &Config, attack: &Attack) -> Result<Figures> {
    let servers = runtime("bench-server", config.threads)?;
    let clients = runtime("bench-client", config.threads)?;
    let attackers = runtime("bench-hostile", 1)?;
    let pool = payloads(&mut Rng::new(2), config.pool)?;
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let capture = capture_verifying(dir.path())?;
    // The product's default limits (NORMAL_CONNECTIONS is under every cap).
    let server = Server::start(&servers, capture.router(), NORMAL_CONNECTIONS)?;
    let normal = Config {
        connections: NORMAL_CONNECTIONS,
        ..config.clone()
    };
    println!(
        "capture listener on {}, default limits; {NORMAL_CONNECTIONS} connections of normal deliveries",
        server.addr
    );
    let quiet = load(&clients, server.addr, pool.clone(), &normal)?;
    quiet.print("quiet");

    let stop = Arc::new(AtomicBool::new(false));
    let floods = Arc::new(Answers::default());
    let huge = Arc::new(Answers::default());
    let slow_closed = Arc::new(AtomicU64::new(0));
    let addr = server.addr;
    let flood_request = flood(attack)?;
    let huge_body = Bytes::from(zeros(attack.huge_body));
    for _ in 0..attack.slow_headers {
        attackers.spawn(slow_header(addr, stop.clone(), slow_closed.clone()));
    }
    for _ in 0..attack.floods {
        let (header, body) = flood_request.clone();
        attackers.spawn(send_repeatedly(
            addr,
            stop.clone(),
            floods.clone(),
            Some(header),
            body,
        ));
    }
    for _ in 0..attack.huge_senders {
        attackers.spawn(send_repeatedly(
            addr,
            stop.clone(),
            huge.clone(),
            None,
            huge_body.clone(),
        ));
    }
    println!(
        "hostile traffic: {} slow-header connections, {} signature floods ({} v1 values, {} KB \
         bodies), {} senders of {:.1} MiB JSON arrays",
        attack.slow_headers,
        attack.floods,
        attack.flood_values,
        attack.flood_body / 1024,
        attack.huge_senders,
        attack.huge_body as f64 / (1024.0 * 1024.0)
    );
    let attacked = load(&clients, server.addr, pool, &normal)?;
    stop.store(true, Ordering::Relaxed);
    attackers.shutdown_timeout(Duration::from_secs(1));
    attacked.print("under attack");
    server.stop(&servers)?;
    let figures = Figures {
        quiet,
        attacked,
        floods,
        huge,
        slow_closed: slow_closed.load(Ordering::Relaxed),
    };
    println!("  signature floods: {}", figures.floods.describe());
    println!("  big bodies: {}", figures.huge.describe());
    println!(
        "  slow-header connections closed by the listener: {}",
        figures.slow_closed
    );
    Ok(figures)
}

/// A `Persona-Signature` with many wrong `v1=` values, and its body.
fn flood(attack: &Attack) -> Result<(HeaderValue, Bytes)> {
    let t = persona_inspector::clock::now_ms() / 1000;
    let mut signature = format!("t={t}");
    for i in 0..attack.flood_values {
        signature.push_str(&format!(",v1={i:064x}"));
    }
    let header = HeaderValue::from_str(&signature).context("flood header")?;
    let body = format!(
        "{{\"pad\":\"{}\"}}",
        "x".repeat(attack.flood_body.saturating_sub(10))
    );
    Ok((header, Bytes::from(body)))
}

/// `[0,0,…]` of `size` bytes: a cheap body that is costly as a parsed document.
fn zeros(size: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(size);
    body.push(b'[');
    while body.len() + 3 < size {
        body.extend_from_slice(b"0,");
    }
    body.extend_from_slice(b"0]");
    body
}

/// Sends the same request over keep-alive connections until `stop`, reconnecting when the
/// listener closes one.
async fn send_repeatedly(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    answers: Arc<Answers>,
    signature: Option<HeaderValue>,
    body: Bytes,
) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = TcpStream::connect(addr).await else {
            answers.broken.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let Ok((mut sender, connection)) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
        else {
            answers.broken.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        tokio::spawn(connection);
        while !stop.load(Ordering::Relaxed) {
            let mut request = Request::post(PATH)
                .header(header::HOST, "bench")
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(signature) = &signature {
                request = request.header("persona-signature", signature.clone());
            }
            let Ok(request) = request.body(Full::new(body.clone())) else {
                return;
            };
            if sender.ready().await.is_err() {
                answers.broken.fetch_add(1, Ordering::Relaxed);
                break;
            }
            let Ok(response) = sender.send_request(request).await else {
                answers.broken.fetch_add(1, Ordering::Relaxed);
                break;
            };
            let status = response.status();
            let _ = response.into_body().collect().await;
            let counter = match status {
                s if s.is_success() => &answers.ok,
                StatusCode::SERVICE_UNAVAILABLE => &answers.refused,
                _ => &answers.other,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Opens a connection and trickles its request head, a header line at a time, until the
/// listener closes it; then opens another.
async fn slow_header(addr: SocketAddr, stop: Arc<AtomicBool>, closed: Arc<AtomicU64>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let mut line: &[u8] = b"POST /webhooks/persona HTTP/1.1\r\nhost: bench\r\n";
        let mut answer = [0u8; 1024];
        while !stop.load(Ordering::Relaxed) {
            if stream.write_all(line).await.is_err() {
                closed.fetch_add(1, Ordering::Relaxed);
                break;
            }
            line = b"x-slow: 1\r\n";
            // Reading sees the close at once; a write would only fail a round later.
            tokio::select! {
                () = tokio::time::sleep(TRICKLE) => {}
                read = stream.read(&mut answer) => if matches!(read, Ok(0) | Err(_)) {
                    closed.fetch_add(1, Ordering::Relaxed);
                    break;
                },
            }
        }
    }
}
