//! Phase 1: the capture listener against a bare axum server that stores nothing, under the same
//! load of signed ~6 KB Persona deliveries over keep-alive HTTP/1.1 connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use persona_inspector::capture::{self, Capture, Settings};
use persona_inspector::model::{Filter, Secret, Status};
use persona_inspector::signature;
use persona_inspector::store::{SEARCH_FILE, Store};
use persona_inspector::{catalog, clock};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::failure::{Context, Result, fail};
use crate::machine::{written_by_thread, written_bytes};
use crate::payload::{Event, Rng, event_body};

pub const SECRET: &str = "wbhsec_bench_current_0123456789";
pub const PATH: &str = "/webhooks/persona";
const BODY_SIZE: usize = 6 * 1024;
/// ~2.5 GB of bodies: the capture pool never needs more unless capture outruns ~20k req/s.
const MAX_CAPTURE_POOL: usize = 400_000;

pub struct Figures {
    pub bare: Load,
    pub capture: Load,
    /// Bytes the process wrote over the capture phase, everything included (see `settle`);
    /// None where /proc/self/io is not there.
    pub written: Option<u64>,
}

impl Figures {
    /// Bytes written per body byte acknowledged.
    pub fn write_amplification(&self) -> Option<f64> {
        let written = self.written?;
        (self.capture.body_bytes > 0).then(|| written as f64 / self.capture.body_bytes as f64)
    }
}

/// A request made before timing, so the load generator only sends.
pub struct Payload {
    body: Bytes,
    signature: HeaderValue,
}

pub fn run(config: &Config) -> Result<Figures> {
    // Servers and load generator on separate schedulers, so neither steals the other's workers
    // (they still share the machine's cores, which the report says).
    let servers = runtime("bench-server", config.threads)?;
    let clients = runtime("bench-client", config.threads)?;
    let mut rng = Rng::new(1);

    // The baseline stores nothing, so a small pool sent round and round is as good as a big one.
    let pool = payloads(&mut rng, config.pool)?;
    let server = Server::start(&servers, Router::new().fallback(bare), config.connections)?;
    println!("bare axum server on {} ...", server.addr);
    let bare = load(&clients, server.addr, pool, config)?;
    server.stop(&servers)?;
    bare.print("bare");

    // Every capture request is a new delivery with its own ids, so the pool holds one payload
    // per request; sized from the baseline, which capture is not expected to outrun.
    let wanted = bare.throughput() * (config.warmup + config.measure).as_secs_f64() * 1.2;
    let size = (wanted as usize).clamp(config.pool, MAX_CAPTURE_POOL);
    let started = Instant::now();
    let pool = payloads(&mut rng, size)?;
    println!(
        "made {size} distinct signed payloads in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let capture = capture_verifying(dir.path())?;
    let server = Server::start(&servers, capture.router(), config.connections)?;
    println!(
        "capture listener on {} (store in {}) ...",
        server.addr,
        dir.path().display()
    );
    let (before, threads_before) = (written_bytes(), written_by_thread());
    let captured = load(&clients, server.addr, pool, config)?;
    server.stop(&servers)?;
    captured.print("capture");
    check_capture(capture.store(), &captured)?;
    settle(capture.store(), dir.path())?;
    let written = before
        .zip(written_bytes())
        .map(|(b, a)| a.saturating_sub(b));
    let by_thread: Vec<String> = written_by_thread()
        .into_iter()
        .map(|(name, after)| {
            let before = threads_before.get(&name).copied().unwrap_or(0);
            (name, after.saturating_sub(before))
        })
        .filter(|(_, bytes)| *bytes > 0)
        .map(|(name, bytes)| format!("{name} {:.1} MB", bytes as f64 / 1e6))
        .collect();
    println!("  written, by thread: {}", by_thread.join(", "));
    // What a capturing user's store holds once packed: rows shrunk by the packer leave free
    // pages, which later rows reuse.
    match crate::queries::database_contents(dir.path()) {
        Ok(line) => println!(
            "  capture store once packed: {line}; {:.1} MB of bodies received",
            captured.body_bytes as f64 / 1e6
        ),
        Err(e) => println!("  capture store: not read ({e})"),
    }
    if let Some(written) = written {
        println!(
            "  wrote {:.1} MB for {:.1} MB of bodies received (database, WALs, checkpoints, search index)",
            written as f64 / 1e6,
            captured.body_bytes as f64 / 1e6
        );
    }
    Ok(Figures {
        bare,
        capture: captured,
        written,
    })
}

/// How long `settle` waits for the packer.
const PACKER_WAIT: Duration = Duration::from_secs(120);

/// Lets the background work of the capture phase finish, so its bytes are counted: the search
/// index catches up, the packer packs what it can, and both WALs are copied back into their
/// databases.
fn settle(store: &Store, dir: &std::path::Path) -> Result<()> {
    store
        .list(&Filter {
            search: Some("inquiry".into()),
            limit: Some(1),
            ..Filter::default()
        })
        .context("catching up the search index")?;
    let waited = Instant::now();
    while store.packing_pending().context("asking the packer")? {
        if waited.elapsed() > PACKER_WAIT {
            println!("  the packer had not caught up after {PACKER_WAIT:?}");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "  packer caught up {:.1} s after the search index",
        waited.elapsed().as_secs_f64()
    );
    store
        .write(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
            Ok(())
        })
        .context("checkpointing the database")?;
    let search = rusqlite::Connection::open(dir.join(SEARCH_FILE)).context("opening search.db")?;
    search
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .context("checkpointing the search index")?;
    Ok(())
}

/// The figures mean nothing unless every request was really stored, with a valid signature.
fn check_capture(store: &Store, load: &Load) -> Result<()> {
    if load.failed > 0 {
        return Err(fail(format!(
            "{} capture requests were not answered 200; the first: {}",
            load.failed,
            load.first_failure.as_deref().unwrap_or("?")
        )));
    }
    if load.reused > 0 {
        return Err(fail(format!(
            "capture outran its payload pool ({} requests resent an earlier event); \
             raise MAX_CAPTURE_POOL",
            load.reused
        )));
    }
    let stored = store.count().context("counting stored deliveries")?;
    if stored != load.ok {
        return Err(fail(format!(
            "the store holds {stored} deliveries but {} requests were acknowledged",
            load.ok
        )));
    }
    for status in [
        Status::Invalid,
        Status::Missing,
        Status::Malformed,
        Status::Unchecked,
    ] {
        let filter = Filter {
            signature: Some(status),
            limit: Some(1),
            ..Filter::default()
        };
        if !store
            .list(&filter)
            .context("listing by signature")?
            .is_empty()
        {
            return Err(fail(format!(
                "a captured delivery's signature is {}, so the valid-signature path was not measured",
                status.as_str()
            )));
        }
    }
    println!("  check: all {stored} acknowledged deliveries are stored, every signature valid");
    Ok(())
}

pub fn runtime(name: &str, threads: usize) -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .context(format!("starting the {name} runtime"))
}

/// Signed `inquiry.*` deliveries, each with its own event, inquiry and account ids. Bodies come
/// from one template per event name with fresh ids patched in, because building every body
/// from scratch would take minutes for the few hundred thousand a fast machine needs.
pub fn payloads(rng: &mut Rng, n: usize) -> Result<Arc<Vec<Payload>>> {
    // Placeholders as long as the ids `Rng::id` makes for 3-letter prefixes (4 + 24 bytes).
    const SLOTS: [(&str, &str); 3] = [
        ("evt", "evt_SLOTSLOTSLOTSLOTSLOTSLOT"),
        ("inq", "inq_SLOTSLOTSLOTSLOTSLOTSLOT"),
        ("act", "act_SLOTSLOTSLOTSLOTSLOTSLOT"),
    ];
    let now_ms = clock::now_ms();
    let templates: Vec<_> = catalog::all()
        .iter()
        .filter(|e| e.name.starts_with("inquiry."))
        .map(|e| {
            let event = Event {
                name: e.name,
                event_id: SLOTS[0].1,
                resource_id: SLOTS[1].1,
                account_id: SLOTS[2].1,
                created_at_ms: now_ms,
                size: BODY_SIZE,
            };
            let body = event_body(rng, &event);
            // (offset, which id) of every placeholder in the body.
            let slots: Vec<(usize, usize)> = (0..body.len())
                .flat_map(|at| (0..SLOTS.len()).map(move |which| (at, which)))
                .filter(|&(at, which)| body[at..].starts_with(SLOTS[which].1.as_bytes()))
                .collect();
            (body, slots)
        })
        .collect();
    if templates.is_empty() {
        return Err(fail("the event catalog has no inquiry.* events"));
    }
    (0..n.max(1))
        .map(|i| {
            let (template, slots) = &templates[i % templates.len()];
            let ids = SLOTS.map(|(prefix, _)| rng.id(prefix));
            let mut body = template.clone();
            for &(at, which) in slots {
                body[at..at + ids[which].len()].copy_from_slice(ids[which].as_bytes());
            }
            let signature = signature::sign(SECRET, now_ms / 1000, &body);
            Ok(Payload {
                signature: HeaderValue::from_str(&signature).context("signature header")?,
                body: Bytes::from(body),
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Arc::new)
}

/// Reads the whole body, as the capture handler does, and answers at once: HTTP's cost alone.
pub async fn bare(body: Bytes) -> StatusCode {
    std::hint::black_box(body);
    StatusCode::OK
}

pub struct Server {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Both servers go through the product's own bind/serve, so only the handler differs.
    pub fn start(runtime: &Runtime, router: Router, connections: usize) -> Result<Server> {
        let listener = runtime
            .block_on(capture::bind("127.0.0.1", 0))
            .context("binding 127.0.0.1:0")?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let (stop, stopped) = oneshot::channel::<()>();
        // Every load connection may have a request in flight; the default cap is lower.
        let limits = capture::Limits {
            max_in_flight: capture::DEFAULT_MAX_IN_FLIGHT.max(connections),
            max_connections: capture::DEFAULT_MAX_CONNECTIONS.max(connections),
            ..capture::Limits::default()
        };
        let task = runtime.spawn(capture::serve_with(listener, router, limits, async {
            let _ = stopped.await;
        }));
        Ok(Server { addr, stop, task })
    }

    pub fn stop(self, runtime: &Runtime) -> Result<()> {
        let _ = self.stop.send(());
        let task = self.task;
        // The timer must be made inside the runtime, hence the async block.
        match runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), task).await })
        {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(fail(format!("the server on {} failed: {e}", self.addr))),
            Ok(Err(e)) => Err(fail(format!("the server task on {} died: {e}", self.addr))),
            Err(_) => Err(fail(format!(
                "the server on {} did not shut down within 10 s",
                self.addr
            ))),
        }
    }
}

/// One phase's outcome.
pub struct Load {
    /// Of every request sent after the warm-up, sorted.
    pub latencies: Vec<Duration>,
    pub window: Duration,
    /// Answered 200, warm-up included (what the store must hold).
    pub ok: u64,
    pub failed: u64,
    pub first_failure: Option<String>,
    /// Requests that had to resend a payload because the pool ran out.
    pub reused: u64,
    /// Body bytes of the requests answered 200, warm-up included.
    pub body_bytes: u64,
}

impl Load {
    pub fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.window.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        crate::stats::percentile(&self.latencies, p)
    }

    pub fn print(&self, name: &str) {
        println!(
            "  {name}: {:.0} req/s over {:.1} s; latency p50 {}, p99 {}, p99.9 {}",
            self.throughput(),
            self.window.as_secs_f64(),
            crate::stats::ms(self.percentile(0.50)),
            crate::stats::ms(self.percentile(0.99)),
            crate::stats::ms(self.percentile(0.999)),
        );
    }
}

/// Runs `config.connections` connections against `addr`: warm-up, then the measured window.
pub fn load(
    runtime: &Runtime,
    addr: SocketAddr,
    pool: Arc<Vec<Payload>>,
    config: &Config,
) -> Result<Load> {
    let next = Arc::new(AtomicUsize::new(0));
    let measure_from = Instant::now() + config.warmup;
    let until = measure_from + config.measure;
    runtime.block_on(async {
        let connections: Vec<_> = (0..config.connections)
            .map(|_| {
                let (pool, next) = (pool.clone(), next.clone());
                tokio::spawn(connection(addr, pool, next, measure_from, until))
            })
            .collect();
        let mut total = Load {
            latencies: Vec::new(),
            window: config.measure,
            ok: 0,
            failed: 0,
            first_failure: None,
            reused: 0,
            body_bytes: 0,
        };
        for task in connections {
            let one = task.await.context("a load connection task died")??;
            total.latencies.extend(one.latencies);
            total.ok += one.ok;
            total.failed += one.failed;
            total.body_bytes += one.body_bytes;
            total.first_failure = total.first_failure.or(one.first_failure);
        }
        total.latencies.sort_unstable();
        total.reused = next.load(Ordering::Relaxed).saturating_sub(pool.len()) as u64;
        Ok(total)
    })
}

/// One keep-alive connection sending requests one after another until `until`.
async fn connection(
    addr: SocketAddr,
    pool: Arc<Vec<Payload>>,
    next: Arc<AtomicUsize>,
    measure_from: Instant,
    until: Instant,
) -> Result<Load> {
    let stream = TcpStream::connect(addr)
        .await
        .context(format!("connecting to {addr}"))?;
    stream.set_nodelay(true).context("setting TCP_NODELAY")?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .context("HTTP/1.1 handshake")?;
    // hyper's connection does the I/O; it ends when `sender` is dropped. Its errors also
    // surface through `send_request`, which is where they are reported.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let host = HeaderValue::from_str(&addr.to_string()).context("host header")?;
    let mut out = Load {
        latencies: Vec::new(),
        window: Duration::ZERO,
        ok: 0,
        failed: 0,
        first_failure: None,
        reused: 0,
        body_bytes: 0,
    };
    while Instant::now() < until {
        let payload = &pool[next.fetch_add(1, Ordering::Relaxed) % pool.len()];
        let request = Request::post(PATH)
            .header(header::HOST, host.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, "Persona-Webhooks")
            .header("persona-signature", payload.signature.clone())
            .header("persona-webhook-attempts-made", "1")
            .header("persona-webhook-attempts-left", "7")
            .body(Full::new(payload.body.clone()))
            .context("building a request")?;
        sender
            .ready()
            .await
            .context(format!("connection to {addr}"))?;
        let sent = Instant::now();
        let response = sender
            .send_request(request)
            .await
            .context(format!("sending to {addr}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .context("reading a response")?
            .to_bytes();
        let took = sent.elapsed();
        if sent >= measure_from {
            out.latencies.push(took);
        }
        if status == StatusCode::OK {
            out.ok += 1;
            out.body_bytes += payload.body.len() as u64;
        } else {
            out.failed += 1;
            if out.first_failure.is_none() {
                out.first_failure = Some(format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
        }
    }
    Ok(out)
}

/// A capture engine over a fresh store in `dir`, verifying with the bench's secret.
pub fn capture_verifying(dir: &std::path::Path) -> Result<Capture> {
    let store = Store::open(dir).context("opening the capture store")?;
    // As the app's and `serve`'s session does: bodies are packed in the background.
    store.start_packing().context("starting the packer")?;
    let mut settings = Settings::default();
    settings.verification.secrets = vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }];
    Ok(Capture::new(store, settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use persona_inspector::jsonapi::headline;
    use persona_inspector::model::{Headers, Verification};

    #[test]
    fn pooled_payloads_are_distinct_valid_signed_inquiry_events() {
        let pool = payloads(&mut Rng::new(9), 20).unwrap_or_else(|e| panic!("{e:?}"));
        let verification = Verification {
            secrets: vec![Secret {
                label: "current".into(),
                value: SECRET.into(),
            }],
            ..Verification::default()
        };
        let mut ids = std::collections::HashSet::new();
        for p in pool.iter() {
            // The created-at text varies by a few bytes with the clock (RFC 3339 trims zeros).
            assert!(p.body.len() + 16 >= BODY_SIZE, "{} bytes", p.body.len());
            let indexed = headline(&p.body).expect("the body parses");
            assert!(
                indexed
                    .event_name
                    .is_some_and(|n| n.starts_with("inquiry."))
            );
            for id in [indexed.event_id, indexed.resource_id] {
                let id = id.unwrap_or_default();
                assert!(id.len() == 28 && !id.contains("SLOT"), "{id}");
                assert!(ids.insert(id.clone()), "{id} repeats");
            }
            let headers: Headers =
                vec![("persona-signature".into(), p.signature.as_bytes().to_vec())];
            let verdict = verification.verify(&headers, &p.body, clock::now_ms());
            assert_eq!(verdict.status, Status::Valid, "{}", verdict.explanation);
        }
    }
}
