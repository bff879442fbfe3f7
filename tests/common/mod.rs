//! A real listener on port 0 over a real SQLite file in a temporary directory.
#![allow(dead_code)]

pub mod redelivery;
pub mod session;
pub mod target;
pub mod unverified;

use persona_inspector::capture::{self, Capture, Limits, Settings};
use persona_inspector::model::Secret;
use persona_inspector::signature;
use persona_inspector::store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use tokio::sync::oneshot;

pub const SECRET: &str = "wbhsec_test_current_0123456789";

pub struct Listener {
    pub url: String,
    pub capture: Capture,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Listener {
    pub async fn start(settings: Settings) -> Listener {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        Listener::serve(dir, store, settings, Limits::default()).await
    }

    /// A listener under `limits`, over a store with room for `queue` waiting inserts.
    pub async fn start_with(settings: Settings, limits: Limits, queue: usize) -> Listener {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with_queue(dir.path(), queue).expect("store opens");
        Listener::serve(dir, store, settings, limits).await
    }

    async fn serve(
        dir: tempfile::TempDir,
        store: Store,
        settings: Settings,
        limits: Limits,
    ) -> Listener {
        let capture = Capture::new(store, settings);
        let listener = capture::bind("127.0.0.1", 0).await.expect("bind port 0");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel();
        let router = capture.router();
        let task = tokio::spawn(async move {
            capture::serve_with(listener, router, limits, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        Listener {
            url,
            capture,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn store(&self) -> &Store {
        self.capture.store()
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

pub fn settings_with_secret() -> Settings {
    let mut settings = Settings::default();
    settings.verification.secrets = vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }];
    settings
}

pub fn now() -> i64 {
    persona_inspector::clock::now_ms() / 1000
}

/// The Persona-Signature header Persona would send for this body, now.
pub fn persona_signature(secret: &str, body: &[u8]) -> String {
    signature::sign(secret, now(), body)
}

/// A Persona inquiry.approved event with an included account, about `pad` bytes bigger.
pub fn inquiry_event(event_id: &str, inquiry_id: &str, pad: usize) -> Vec<u8> {
    serde_json::json!({
        "data": {
            "type": "event",
            "id": event_id,
            "attributes": {
                "name": "inquiry.approved",
                "created-at": "2026-11-22T10:00:00.000Z",
                "payload": {
                    "data": {
                        "type": "inquiry",
                        "id": inquiry_id,
                        "attributes": {
                            "status": "approved",
                            "reference-id": "user-42",
                            "notes": "x".repeat(pad),
                        },
                        "relationships": {
                            "account": {"data": {"type": "account", "id": "act_ABC123"}},
                            "template": {"data": {"type": "template", "id": "tmpl_missing"}}
                        }
                    },
                    "included": [
                        {"type": "account", "id": "act_ABC123", "attributes": {"reference-id": "user-42"}}
                    ]
                }
            }
        }
    })
    .to_string()
    .into_bytes()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The `persona-inspector` binary on `data_dir`, as a user would run it.
pub fn inspector(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_persona-inspector"));
    command.arg("--data-dir").arg(data_dir).env("NO_COLOR", "1");
    command
}

/// As [`inspector`], blind to any secrets the shell running the tests holds: a test gives it
/// the ones it means it to have.
pub fn inspector_without_env_secrets(data_dir: &std::path::Path) -> Command {
    let mut command = inspector(data_dir);
    command.env_remove("PERSONA_INSPECTOR_SECRETS");
    command
}

/// Runs the binary on `dir` with `args` (and no secrets from the shell), off the async workers
/// so the test's own servers keep answering.
pub async fn run_cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut command = inspector_without_env_secrets(dir);
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().expect("run persona-inspector"))
        .await
        .expect("joined")
}

/// The command's stdout as JSON, or a panic that shows what it printed instead.
pub fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A `serve` child that is killed when the test ends, however it ends.
pub struct Served(pub Child);

impl Served {
    /// Stops it as Ctrl-C would, and waits for it.
    pub fn interrupt(&mut self) {
        #[cfg(unix)]
        // SAFETY: kill(2) with the child's own pid and a plain signal number.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGINT);
        }
        #[cfg(not(unix))]
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve --port 0`; returns the child, the address it announced, and its stdout lines.
pub fn serve(
    data_dir: &std::path::Path,
    extra: &[&str],
) -> (Child, String, mpsc::Receiver<String>) {
    let mut command = inspector(data_dir);
    command.args(["serve", "--port", "0"]).args(extra);
    serve_command(command)
}

/// Starts a prepared `serve` command; as [`serve`].
pub fn serve_command(mut command: Command) -> (Child, String, mpsc::Receiver<String>) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("line");
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_string();
        }
    };
    // Keep draining both pipes so the child never blocks on a full one.
    std::thread::spawn(move || for _ in lines {});
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (printed, printed_lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = printed.send(line);
        }
    });
    (child, url, printed_lines)
}

/// Property tests' settings: a fixed seed and case count, so every run (and CI) tries the same
/// cases in the same time, and a failure reproduces as it is.
pub fn properties(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0010),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// xorshift bytes: as incompressible as real randomness, and the same every run.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
