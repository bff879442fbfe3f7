//! `persona-inspector serve --forward-to …`: the CLI's listener forwarding each capture to the
//! user's app as it arrives, retrying on Persona's schedule, and what it prints.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use common::redelivery::*;
use common::target::*;
use common::*;
use persona_inspector::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_forward_to_forwards_each_capture_without_delaying_its_answer() {
    let dir = tempfile::tempdir().expect("temp");
    let log = Log::default();
    let slow_log = log.clone();
    // A slow app: the capture must be answered long before it is.
    let target = serve_target(
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
        let mut child = inspector_without_env_secrets(data_dir)
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
    let output = inspector_without_env_secrets(dir.path())
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
    let output = inspector_without_env_secrets(dir.path())
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
    let output = inspector_without_env_secrets(dir.path())
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
                false => "re-signed with \"current\" when Persona's signature is valid and fresh, else kept",
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
