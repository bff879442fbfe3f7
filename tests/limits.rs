//! The listener's promises to the internet: slow or idle connections are closed, connections
//! and requests over the caps get a prompt 503 with Retry-After, memory stays bounded whatever
//! the bodies hold, and a full disk costs retries, never an acknowledged delivery.

mod common;

use std::time::Duration;

use base64::Engine;
use common::*;
use persona_inspector::capture::{Limits, Reply, Settings};
use persona_inspector::store::Store;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for something that should happen at once before calling it a hang.
/// Generous: it only turns a hang into a failure, nothing is measured against it.
const HANG: Duration = Duration::from_secs(60);

fn stored_body(store: &Store, id: i64) -> Vec<u8> {
    let detail = store
        .get(id)
        .unwrap_or_else(|e| panic!("acknowledged delivery {id} is not stored: {e}"));
    base64::engine::general_purpose::STANDARD
        .decode(&detail.body_base64)
        .expect("body_base64 decodes")
}

fn delivery_id(response: &reqwest::Response) -> i64 {
    response.headers()["x-inspector-delivery-id"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("an acknowledgement carries the delivery id")
}

fn assert_retry_later(status: StatusCode, headers: &reqwest::header::HeaderMap, what: &str) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what}: 503");
    assert!(
        headers.contains_key("retry-after"),
        "{what}: a 503 carries Retry-After so Persona retries: {headers:?}"
    );
}

/// Reads until the server closes the connection (EOF or reset); what it sent before, if any.
async fn read_until_closed(socket: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(HANG, async {
        let mut buf = [0u8; 4096];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open (it sent {:?})",
        String::from_utf8_lossy(&seen)
    );
    seen
}

#[tokio::test]
async fn a_connection_that_stops_mid_head_or_sits_idle_is_closed() {
    let limits = Limits {
        header_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let listener = Listener::start_with(Settings::default(), limits, 16).await;
    let mut socket = TcpStream::connect(listener.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    socket
        .write_all(b"POST /webhooks HTTP/1.1\r\nhost: example\r\ncontent-le")
        .await
        .expect("half a head");
    read_until_closed(&mut socket).await;

    // A connection that never sends a byte is closed the same way.
    let mut idle = TcpStream::connect(listener.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    read_until_closed(&mut idle).await;
    assert_eq!(
        listener.store().count().expect("count"),
        0,
        "nothing stored"
    );

    // So is a keep-alive connection left idle after its request was answered.
    let mut kept_alive = TcpStream::connect(listener.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    kept_alive
        .write_all(b"POST /webhooks HTTP/1.1\r\nhost: example\r\ncontent-length: 2\r\n\r\n{}")
        .await
        .expect("a whole request");
    let answer = read_until_closed(&mut kept_alive).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "the request was answered before the close: {:?}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(listener.store().count().expect("count"), 1, "it was stored");
    listener.stop().await;
}

#[tokio::test]
async fn over_the_connection_cap_a_request_gets_503_and_a_freed_slot_lets_deliveries_in() {
    // The held connections must outlast the test however slow the machine is.
    let limits = Limits {
        max_connections: 3,
        header_timeout: Duration::from_secs(600),
        ..Limits::default()
    };
    let listener = Listener::start_with(settings_with_secret(), limits, 16).await;
    let address = listener.url.trim_start_matches("http://").to_string();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(&address).await.expect("connect"));
    }

    // Accepted in order, so by the time this one is accepted the three hold every slot.
    let body = inquiry_event("evt_CAP", "inq_CAP", 100);
    let refused = client()
        .post(&listener.url)
        .header("persona-signature", persona_signature(SECRET, &body))
        .body(body.clone())
        .send()
        .await
        .expect("an answer, not a hang or a reset");
    assert_retry_later(
        refused.status(),
        refused.headers(),
        "a request over the connection cap",
    );

    drop(held.pop());
    // The slot frees once the server sees the close; until then, each try is turned away.
    let mut tries = 0;
    let acknowledged = loop {
        tries += 1;
        let response = client()
            .post(&listener.url)
            .header("persona-signature", persona_signature(SECRET, &body))
            .body(body.clone())
            .send()
            .await
            .expect("an answer");
        if response.status() == StatusCode::OK {
            break response;
        }
        assert_retry_later(
            response.status(),
            response.headers(),
            "while the slot frees",
        );
        assert!(tries < 200, "a freed slot never let a delivery in");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let id = delivery_id(&acknowledged);
    assert_eq!(stored_body(listener.store(), id), body, "stored exactly");
    assert_eq!(
        listener.store().count().expect("count"),
        1,
        "only the acknowledged delivery is stored"
    );
    drop(held);
    listener.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_its_replies_loses_its_connection() {
    // Big replies fill the socket buffers after a few requests.
    let settings = Settings {
        reply: Reply {
            body: Some(vec![b'r'; 1024 * 1024].into()),
            ..Reply::default()
        },
        ..Settings::default()
    };
    let limits = Limits {
        max_connections: 1,
        stall_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let listener = Listener::start_with(settings, limits, 16).await;
    let address = listener
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("small receive buffer");
    let mut greedy = socket.connect(address).await.expect("connect");
    let request = b"POST /w HTTP/1.1\r\nhost: example\r\ncontent-length: 2\r\n\r\n{}";
    // Sixteen replies of 1 MiB: far more than the two sockets' buffers hold.
    greedy
        .write_all(&request.repeat(16))
        .await
        .expect("pipelined requests");

    // It holds the only slot until its stalled reply is given up on; then others get in.
    let mut tries = 0;
    loop {
        tries += 1;
        let response = client()
            .post(&listener.url)
            .body("{}")
            .send()
            .await
            .expect("an answer");
        if response.status() == StatusCode::OK {
            break;
        }
        assert_retry_later(
            response.status(),
            response.headers(),
            "while the slot is held",
        );
        assert!(
            tries < 500,
            "the connection that stopped reading still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(greedy);
    listener.stop().await;
}

/// Holds the store's writer until the returned sender is dropped.
async fn block_writer(store: &Store) -> std::sync::mpsc::Sender<()> {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (blocked, writer_is_blocked) = tokio::sync::oneshot::channel();
    let store = store.clone();
    std::thread::spawn(move || {
        store
            .write(move |_| {
                let _ = blocked.send(());
                let _ = released.recv();
                Ok(())
            })
            .expect("the blocking work runs");
    });
    writer_is_blocked.await.expect("the writer took the work");
    release
}

/// Sends `n` distinct deliveries at once while the writer is held; expects `refused` of them
/// answered 503 before it lets the writer go, then checks the rest were acknowledged and that
/// every acknowledged body is stored exactly.
async fn flood_a_held_writer(listener: &Listener, n: usize, refused: usize) {
    let release = block_writer(listener.store()).await;
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..n {
        let (url, answers) = (listener.url.clone(), answers.clone());
        let body = inquiry_event(&format!("evt_{i}"), &format!("inq_{i}"), 500);
        tokio::spawn(async move {
            let response = client()
                .post(url)
                .body(body.clone())
                .send()
                .await
                .expect("an answer");
            let _ = answers.send((body, response));
        });
    }
    drop(answers);
    let mut refusals = 0;
    while refusals < refused {
        let (_, response) = tokio::time::timeout(HANG, answered.recv())
            .await
            .unwrap_or_else(|_| {
                panic!("only {refusals} of {n} were refused while the writer was held, expected {refused}")
            })
            .expect("every sender answers");
        assert_retry_later(
            response.status(),
            response.headers(),
            "an answer while the writer is held",
        );
        refusals += 1;
    }
    drop(release);
    let mut acknowledged = Vec::new();
    while let Some((body, response)) = answered.recv().await {
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "every request past the refused ones waits and is acknowledged"
        );
        acknowledged.push((delivery_id(&response), body));
    }
    assert_eq!(
        acknowledged.len(),
        n - refused,
        "the rest were acknowledged"
    );
    for (id, body) in &acknowledged {
        assert_eq!(&stored_body(listener.store(), *id), body, "delivery {id}");
    }
    assert_eq!(
        listener.store().count().expect("count"),
        acknowledged.len() as u64,
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn a_full_writer_queue_answers_503_at_once_and_nothing_acknowledged_is_lost() {
    let listener = Listener::start_with(Settings::default(), Limits::default(), 4).await;
    flood_a_held_writer(&listener, 12, 8).await;
    listener.stop().await;
}

#[tokio::test]
async fn over_the_in_flight_cap_requests_get_503_and_nothing_acknowledged_is_lost() {
    let limits = Limits {
        max_in_flight: 3,
        ..Limits::default()
    };
    let listener = Listener::start_with(Settings::default(), limits, 256).await;
    flood_a_held_writer(&listener, 10, 7).await;
    listener.stop().await;
}

#[tokio::test]
async fn serve_stopped_by_sigterm_first_answers_the_request_in_flight() {
    let dir = tempfile::tempdir().expect("temp");
    // Stored, then 500 ms before the answer: the request is in flight when the stop comes.
    let (mut child, url, printed) = serve(dir.path(), &["--delay-ms", "500"]);
    let body = inquiry_event("evt_LAST", "inq_LAST", 100);
    let sending = tokio::spawn(client().post(&url).body(body.clone()).send());
    // serve prints a delivery's line once it is stored.
    let line = tokio::task::spawn_blocking(move || printed.recv_timeout(HANG))
        .await
        .expect("task");
    assert!(line.is_ok(), "the delivery was stored and printed");
    // SAFETY: kill(2) on our own child's pid.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0, "SIGTERM sent");
    let response = sending
        .await
        .expect("task")
        .expect("an answer, not a dropped connection");
    assert_eq!(response.status(), StatusCode::OK, "answered after the stop");
    let status = child.wait().expect("exit status");
    assert!(status.success(), "serve stops cleanly: {status:?}");
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(stored_body(&store, delivery_id(&response)), body);
}

/// The peak resident memory of process `pid`, in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM in kB");
    kib * 1024
}

const MIB: usize = 1024 * 1024;

/// 10 MiB less a little (the default --max-body is 10 MiB), in shapes that would cost most as
/// a parsed document: numbers in an array, an array nested in an object with a wrong type.
fn hostile_bodies() -> Vec<Vec<u8>> {
    let size = 10 * MIB - 64;
    let zeros = |open: &str, close: &str| {
        let mut body = open.as_bytes().to_vec();
        while body.len() + close.len() + 2 < size {
            body.extend_from_slice(b"0,");
        }
        body.extend_from_slice(b"0");
        body.extend_from_slice(close.as_bytes());
        body
    };
    let mut string = b"\"".to_vec();
    string.resize(size - 1, b'a');
    string.push(b'"');
    vec![
        zeros("[", "]"),
        zeros("[", "]"),
        zeros(r#"{"data": 5, "x": ["#, "]}"),
        zeros(
            r#"{"data": {"id": 7, "attributes": {"payload": {"included": ["#,
            "]}}}}",
        ),
        string,
        inquiry_event("evt_BIG", "inq_BIG", size - 2000),
    ]
}

#[tokio::test]
async fn peak_memory_stays_bounded_with_several_10_mib_bodies_in_parallel() {
    let dir = tempfile::tempdir().expect("temp");
    let (mut child, url, _printed) = serve(dir.path(), &[]);
    let first = client()
        .post(&url)
        .body(inquiry_event("evt_WARM", "inq_WARM", 1000))
        .send()
        .await
        .expect("warm-up");
    assert_eq!(first.status(), StatusCode::OK);
    let baseline = peak_memory(child.id());

    let bodies = hostile_bodies();
    let parallel = bodies.len() as u64;
    let sends = bodies.into_iter().map(|body| {
        let url = url.clone();
        tokio::spawn(async move {
            let response = client().post(url).body(body).send().await.expect("answer");
            response.status()
        })
    });
    for send in sends.collect::<Vec<_>>() {
        assert_eq!(
            send.await.expect("task"),
            StatusCode::OK,
            "each body is kept"
        );
    }
    let peak = peak_memory(child.id());
    println!(
        "peak memory: baseline {} MiB, after {parallel} bodies of 10 MiB in parallel {} MiB",
        baseline / MIB as u64,
        peak / MIB as u64
    );
    let _ = child.kill();
    let _ = child.wait();

    // Per body in flight: the kept buffer (capacity up to 16 MiB as it doubles past 8), the
    // copy SQLite binds, and transient chunks; 4 × 10 MiB covers it. A parsed 10 MiB array of
    // zeros alone is hundreds of MiB.
    let bound = baseline + parallel * 4 * 10 * MIB as u64;
    assert!(
        peak <= bound,
        "peak {} MiB over {} MiB (baseline {} MiB + {parallel} × 40 MiB)",
        peak / MIB as u64,
        bound / MIB as u64,
        baseline / MIB as u64
    );
}

#[tokio::test]
async fn when_the_disk_is_full_deliveries_get_503_and_every_acknowledged_one_is_intact() {
    use std::os::unix::process::CommandExt;

    let dir = tempfile::tempdir().expect("temp");
    // Create the database first, so the limit bites on deliveries, not on the schema.
    drop(Store::open(dir.path()).expect("store opens"));
    let mut command = inspector(dir.path());
    command.args(["serve", "--port", "0"]);
    // SAFETY: between fork and exec only async-signal-safe calls: setrlimit and signal.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 * MIB as libc::rlim_t,
                rlim_max: 2 * MIB as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Otherwise the kernel kills the process at the limit instead of failing the write.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let (mut child, url, _printed) = serve_command(command);

    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for n in 0..400 {
        // Incompressible bodies are stored as they arrive (store/body.rs): 40 KB each, where
        // a Persona event's padding would compress to almost nothing and never fill the disk.
        let body = random_bytes(40_000, n + 1);
        let response = client()
            .post(&url)
            .body(body.clone())
            .send()
            .await
            .expect("the server answers, full disk or not");
        if response.status() == StatusCode::OK {
            acknowledged.push((delivery_id(&response), body));
        } else {
            assert_retry_later(response.status(), response.headers(), "a failed write");
            refused += 1;
            if refused == 20 {
                break;
            }
        }
    }
    assert!(
        child.try_wait().expect("status").is_none(),
        "the server is still running after the writes failed"
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        acknowledged.len() >= 5,
        "some deliveries fit before the disk filled: {}",
        acknowledged.len()
    );
    assert_eq!(refused, 20, "writes failed before 400 deliveries of ~40 KB");

    println!(
        "disk full: {} deliveries acknowledged, then {refused} answered 503",
        acknowledged.len()
    );
    let store = Store::open(dir.path()).expect("reopen once the disk has room");
    for (id, body) in &acknowledged {
        assert!(stored_body(&store, *id) == *body, "delivery {id} intact");
    }
}
