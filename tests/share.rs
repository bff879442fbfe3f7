//! Sharing captures: curl commands run for real by sh and bash against a real listener, fixtures
//! round-tripped through real SQLite files, and the `export` / `import` commands of the binary.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use common::*;
use persona_inspector::capture::Settings;
use persona_inspector::delivery::{Arrival, NewDelivery, Verification, headers_from_json};
use persona_inspector::share::{self, Target};
use persona_inspector::signature::Status;
use persona_inspector::store::{Detail, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request written byte for byte, so headers and bodies can be anything HTTP/1.1 allows.
struct Raw {
    method: &'static str,
    target: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
}

impl Raw {
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nhost: sender.example\r\n",
            self.method, self.target
        )
        .into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        // A GET or HEAD without a body comes without Content-Length; an empty POST with one.
        if !self.body.is_empty() || self.method == "POST" {
            out.extend_from_slice(format!("content-length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// Sends `raw` to the listener and returns the stored delivery.
async fn capture(listener: &Listener, raw: &Raw) -> Detail {
    let address = listener.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(&raw.bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer);
    // A 413 names no delivery id; the rejected request is still stored, as the newest.
    let id = match answer
        .lines()
        .find_map(|l| l.strip_prefix("x-inspector-delivery-id: "))
    {
        Some(id) => id.trim().parse().expect("id"),
        None => {
            assert!(answer.starts_with("HTTP/1.1 413"), "stored: {answer}");
            let newest = listener
                .store()
                .list(&persona_inspector::store::Filter::default())
                .expect("list");
            newest[0].id
        }
    };
    listener.store().get(id).expect("stored")
}

/// The headers that must arrive identical: all but those curl derives from the URL and body,
/// and the hop-by-hop `connection`.
fn end_to_end(detail: &Detail) -> Vec<(String, Vec<u8>)> {
    headers_from_json(&detail.headers)
        .into_iter()
        .filter(|(n, _)| !["host", "content-length", "connection"].contains(&n.as_str()))
        .collect()
}

fn assert_same_request(original: &Detail, replayed: &Detail, how: &str) {
    let (o, r) = (&original.summary, &replayed.summary);
    assert_eq!(r.method, o.method, "{how}: method");
    assert_eq!(r.path, o.path, "{how}: path");
    assert_eq!(r.query, o.query, "{how}: query");
    assert_eq!(
        replayed.body_base64, original.body_base64,
        "{how}: the body arrives byte for byte"
    );
    assert_eq!(end_to_end(replayed), end_to_end(original), "{how}: headers");
}

/// Runs a generated command with `shell`, the script passed as `-c` or, for big bodies, on
/// standard input (one argument is limited to 128 KiB on Linux).
async fn run(shell: &str, script: &str, on_stdin: bool) {
    let mut command = tokio::process::Command::new(shell);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    if on_stdin {
        command.arg("-s").stdin(Stdio::piped());
    } else {
        command.arg("-c").arg(script).stdin(Stdio::null());
    }
    let mut child = command.spawn().expect("the shell starts");
    if on_stdin {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(script.as_bytes()).await.expect("script");
        drop(stdin);
    }
    let output = child.wait_with_output().await.expect("the shell runs");
    assert!(
        output.status.success(),
        "{shell} ran the curl command: {}\n{script}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn signed_json_with_shell_metacharacters(marker: &Path) -> Raw {
    let trap = format!(
        "it's $(touch {m}) `touch {m}` \"quoted\" \\ back\\slash %s %% ; | & > {m} ${{HOME}} '\\''",
        m = marker.display()
    );
    let mut body = serde_json::to_vec_pretty(&serde_json::json!({
        "data": {
            "type": "event",
            "id": "evt_SHARE_1",
            "attributes": {
                "name": "inquiry.approved",
                "created-at": "2026-11-22T10:00:00.000Z",
                "payload": {
                    "data": {"type": "inquiry", "id": "inq_SHARE_1", "attributes": {"status": "approved", "notes": trap}},
                    "included": []
                }
            }
        }
    }))
    .expect("json");
    body.extend_from_slice(b"\n\n");
    Raw {
        method: "POST",
        target: "/hooks/persona?source=dashboard&x=%20y".into(),
        headers: vec![
            ("content-type", b"application/json".to_vec()),
            ("user-agent", b"Persona-Webhooks/1.0".to_vec()),
            (
                "persona-signature",
                persona_signature(SECRET, &body).into_bytes(),
            ),
            ("persona-webhook-attempts-made", b"2".to_vec()),
            ("persona-webhook-attempts-left", b"6".to_vec()),
            ("x-dup", b"one".to_vec()),
            ("x-dup", b"two".to_vec()),
            ("x-empty", Vec::new()),
            (
                "x-trap",
                format!("it's $(touch {})", marker.display()).into_bytes(),
            ),
        ],
        body,
    }
}

fn binary(size: usize) -> Raw {
    let mut body: Vec<u8> = b"\0\xff\xfe'\"$(x)`x`\n\r\t%s\\\x80end\n".to_vec();
    body.extend((0..size).map(|i| (i * 7 % 256) as u8));
    Raw {
        method: "PUT",
        target: "/bin/%E2%9C%93?list[]=1&q='x'".into(),
        headers: vec![
            (
                "x-bin",
                vec![0xff, 0xfe, b'a', b'\'', b'%', b'\\', b' ', 0x80],
            ),
            ("x-tab", b"a\tb".to_vec()),
            ("accept", b"*/*".to_vec()),
        ],
        body,
    }
}

fn get_without_body() -> Raw {
    Raw {
        method: "GET",
        target: "/status?check=1".into(),
        headers: vec![("accept", b"application/json".to_vec())],
        body: Vec::new(),
    }
}

fn head() -> Raw {
    Raw {
        method: "HEAD",
        target: "/ping".into(),
        headers: vec![("user-agent", b"probe".to_vec())],
        body: Vec::new(),
    }
}

fn empty_post() -> Raw {
    Raw {
        method: "POST",
        target: "/".into(),
        headers: vec![("content-type", b"application/json".to_vec())],
        body: Vec::new(),
    }
}

#[tokio::test]
async fn curl_commands_reproduce_deliveries_byte_for_byte_in_sh_and_bash() {
    let sender_side = Listener::start(settings_with_secret()).await;
    let target = Listener::start(settings_with_secret()).await;
    let marker = sender_side.dir.path().join("pwned");
    let cases = [
        (
            "metacharacters",
            signed_json_with_shell_metacharacters(&marker),
            false,
        ),
        ("binary", binary(1000), false),
        ("GET without body", get_without_body(), false),
        ("empty POST", empty_post(), false),
        ("HEAD", head(), false),
        ("300 KiB binary", binary(300 * 1024), true),
    ];
    for (name, raw, on_stdin) in cases {
        let original = capture(&sender_side, &raw).await;
        let command = share::curl(&original, &Target::url(&target.url, true).expect("target"))
            .expect("a curl command");
        for shell in ["sh", "bash"] {
            let before = target.store().count().expect("count");
            run(shell, &command, on_stdin).await;
            assert_eq!(
                target.store().count().expect("count"),
                before + 1,
                "{name} in {shell}: one delivery arrived"
            );
            let replayed = target.store().get(before as i64 + 1).expect("replayed");
            assert_same_request(&original, &replayed, &format!("{name} in {shell}"));
            assert_eq!(
                replayed.summary.signature.status, original.summary.signature.status,
                "{name} in {shell}: the same verdict"
            );
        }
    }
    assert!(
        !marker.exists(),
        "nothing in a payload or header was run by the shell"
    );
    let first = target.store().get(1).expect("first");
    assert_eq!(
        first.summary.signature.status,
        Status::Valid,
        "the kept signature still verifies"
    );
    sender_side.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn the_default_target_is_the_original_path_on_the_local_listener() {
    let listener = Listener::start(Settings::default()).await;
    let original = capture(&listener, &get_without_body()).await;
    let command = share::curl(&original, &Target::default()).expect("command");
    assert!(
        command.contains("'http://127.0.0.1:4747/status?check=1'"),
        "{command}"
    );
    listener.stop().await;
}

fn fresh_store_with_the_secret() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    store.add_secret("current", SECRET).expect("secret");
    (dir, store)
}

#[tokio::test]
async fn a_fixture_imported_into_another_store_is_the_same_delivery() {
    let listener = Listener::start(settings_with_secret()).await;
    let small = Listener::start(Settings {
        max_body: 16,
        ..settings_with_secret()
    })
    .await;
    let marker = listener.dir.path().join("pwned");
    let originals = vec![
        capture(&listener, &signed_json_with_shell_metacharacters(&marker)).await,
        capture(&listener, &binary(100)).await,
        capture(&listener, &get_without_body()).await,
        capture(&small, &signed_json_with_shell_metacharacters(&marker)).await,
    ];
    assert_eq!(originals[0].summary.signature.status, Status::Valid);
    assert_eq!(
        originals[3].summary.outcome,
        persona_inspector::delivery::Outcome::TooLarge
    );

    let (_dir, store) = fresh_store_with_the_secret();
    for original in &originals {
        let text = serde_json::to_string_pretty(&share::fixture(original)).expect("json");
        let read = share::read_fixtures("fixture.json", text.as_bytes()).expect("reads back");
        let stored = share::import(&store, read).expect("imports");
        assert_eq!(stored.len(), 1);
        let mut imported = store.get(stored[0].id).expect("stored");
        imported.summary.id = original.summary.id;
        assert_eq!(
            &imported, original,
            "the imported delivery equals the captured one but for its id"
        );
    }

    // Several at once, as a JSON array: one transaction.
    let array = serde_json::Value::Array(originals.iter().map(share::fixture).collect());
    let read = share::read_fixtures("all.json", array.to_string().as_bytes()).expect("array");
    let stored = share::import(&store, read).expect("imports");
    assert_eq!(stored.len(), originals.len());
    listener.stop().await;
    small.stop().await;
}

#[test]
fn an_imported_fixture_is_verified_with_the_importers_secrets() {
    let body = inquiry_event("evt_KEYS", "inq_KEYS", 0);
    let arrival = Arrival {
        received_at_ms: persona_inspector::clock::now_ms(),
        method: "POST".into(),
        path: "/".into(),
        query: None,
        remote_addr: None,
        headers: vec![(
            "persona-signature".into(),
            persona_signature(SECRET, &body).into_bytes(),
        )],
    };
    let unsigned = Verification::default();
    let exporter_dir = tempfile::tempdir().expect("temp");
    let exporter = Store::open(exporter_dir.path()).expect("store");
    let id = exporter
        .insert_many(vec![NewDelivery::captured(arrival, body, &unsigned)])
        .expect("insert")[0]
        .id;
    let original = exporter.get(id).expect("get");
    assert_eq!(original.summary.signature.status, Status::Unchecked);

    let (_b, importer) = fresh_store_with_the_secret();
    let text = share::fixture(&original).to_string();
    let read = share::read_fixtures("f.json", text.as_bytes()).expect("read");
    let stored = share::import(&importer, read).expect("import");
    let imported = importer.get(stored[0].id).expect("get");
    assert_eq!(imported.summary.signature.status, Status::Valid);
    assert_eq!(
        imported.summary.signature.matched.map(|m| m.secret),
        Some("current".into())
    );
    assert_eq!(imported.summary.event_id.as_deref(), Some("evt_KEYS"));
}

// --- the binary ------------------------------------------------------------------------------

fn inspector(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_persona-inspector"));
    command.arg("--data-dir").arg(data_dir).env("NO_COLOR", "1");
    command
}

fn succeed(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("run");
    assert!(
        output.status.success(),
        "{command:?} succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn fails_saying(command: &mut Command, expected: &str) {
    let output = command.output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{command:?} fails");
    assert!(stderr.contains(expected), "{command:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{command:?}: {stderr}");
}

#[tokio::test]
async fn export_and_import_from_the_command_line() {
    let from = Listener::start(settings_with_secret()).await;
    let marker = from.dir.path().join("pwned");
    let original = capture(&from, &signed_json_with_shell_metacharacters(&marker)).await;
    let binary = capture(&from, &binary(64)).await;
    let from_dir = from.dir.path().to_path_buf();

    let fixture = succeed(inspector(&from_dir).args(["export", "1", "--fixture"])).stdout;
    let json: serde_json::Value = serde_json::from_slice(&fixture).expect("a JSON fixture");
    assert_eq!(json["format"], "persona-inspector-fixture");
    assert_eq!(json["version"], 1);
    assert_eq!(json["delivery"]["event_id"], "evt_SHARE_1");
    let body = base64::engine::general_purpose::STANDARD
        .decode(json["delivery"]["body_base64"].as_str().expect("body"))
        .expect("base64");
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(body),
        original.body_base64
    );

    let to = tempfile::tempdir().expect("temp");
    let files = tempfile::tempdir().expect("temp");
    let one = files.path().join("one.json");
    std::fs::write(&one, &fixture).expect("write");
    let two = files.path().join("two.json");
    std::fs::write(
        &two,
        succeed(inspector(&from_dir).args(["export", "2", "--fixture"])).stdout,
    )
    .expect("write");

    // A bad file among good ones: nothing is imported, and the error names file and field.
    let bad = files.path().join("bad.json");
    let mut broken = json.clone();
    broken["delivery"]["headers"][0][0] = serde_json::json!(42);
    std::fs::write(&bad, broken.to_string()).expect("write");
    fails_saying(
        inspector(to.path()).arg("import").arg(&one).arg(&bad),
        &format!("{}: delivery.headers[0][0] must be a string", bad.display()),
    );
    fails_saying(
        inspector(to.path())
            .arg("import")
            .arg(files.path().join("missing.json")),
        "cannot read",
    );
    let output = succeed(inspector(to.path()).args(["list", "--json"]));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("json"),
        serde_json::json!([]),
        "nothing was half-imported"
    );

    // Files and standard input in one go; the new ids, one a line.
    let mut child = inspector(to.path())
        .arg("import")
        .arg(&one)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(&std::fs::read(&two).expect("read"))
            .expect("write");
    }
    let output = child.wait_with_output().expect("import");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1\n2\n");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("imported 2 deliveries"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The importing store has no secret: the same bytes, verdict "unchecked".
    let show = |dir: &Path, id: &str| -> serde_json::Value {
        serde_json::from_slice(&succeed(inspector(dir).args(["show", id, "--json"])).stdout)
            .expect("json")
    };
    for id in ["1", "2"] {
        let (a, b) = (show(&from_dir, id), show(to.path(), id));
        for field in [
            "headers",
            "body_base64",
            "method",
            "path",
            "query",
            "received_at",
        ] {
            assert_eq!(a[field], b[field], "{field} of delivery {id}");
        }
    }
    assert_eq!(show(to.path(), "1")["signature"]["status"], "unchecked");

    // A curl command to another listener, exact URL or with the original path appended.
    let target = Listener::start(Settings::default()).await;
    let exact = format!("{}/my/handler", target.url);
    let command =
        succeed(inspector(&from_dir).args(["export", "2", "--curl", "--to", &exact])).stdout;
    run("sh", &String::from_utf8(command).expect("utf-8"), false).await;
    let replayed = target.store().get(1).expect("replayed");
    assert_eq!(replayed.summary.path, "/my/handler");
    assert_eq!(replayed.summary.query, None);
    assert_eq!(replayed.body_base64, binary.body_base64);
    let command = succeed(inspector(&from_dir).args([
        "export",
        "1",
        "--curl",
        "--to",
        &target.url,
        "--append-path",
    ]))
    .stdout;
    run("bash", &String::from_utf8(command).expect("utf-8"), false).await;
    assert_same_request(&original, &target.store().get(2).expect("replayed"), "CLI");
    assert!(!marker.exists(), "nothing in the payload ran");

    fails_saying(inspector(&from_dir).args(["export", "1"]), "--curl");
    fails_saying(
        inspector(&from_dir).args(["export", "1", "--curl", "--fixture"]),
        "cannot be used with",
    );
    fails_saying(
        inspector(&from_dir).args(["export", "99", "--curl"]),
        "no delivery with id 99",
    );
    fails_saying(
        inspector(&from_dir).args(["export", "1", "--curl", "--to", "ftp://host/"]),
        "http://",
    );
    fails_saying(inspector(&from_dir).arg("import"), "FILE");
    from.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn a_too_large_delivery_exports_as_a_fixture_but_not_as_curl() {
    let small = Listener::start(Settings {
        max_body: 16,
        ..Settings::default()
    })
    .await;
    let original = capture(&small, &binary(100)).await;
    let dir = small.dir.path().to_path_buf();
    fails_saying(
        inspector(&dir).args(["export", &original.summary.id.to_string(), "--curl"]),
        "export it with --fixture",
    );
    let fixture = succeed(inspector(&dir).args(["export", "1", "--fixture"])).stdout;
    let json: serde_json::Value = serde_json::from_slice(&fixture).expect("json");
    assert_eq!(json["delivery"]["outcome"], "too_large");
    assert_eq!(json["delivery"]["body_base64"], "");
    small.stop().await;
}
