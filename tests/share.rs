//! Sharing captures: curl commands run for real by sh and bash against a real listener, fixtures
//! round-tripped through real SQLite files, and the `export` / `import` commands of the binary.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use common::*;
use persona_inspector::capture::Settings;
use persona_inspector::model::{
    Arrival, NewDelivery, Source, Status, Verification, headers_from_json,
};
use persona_inspector::redeliver::{self, Options, Target};
use persona_inspector::share::{self, Limits};
use persona_inspector::store::Store;
use persona_inspector::view::Detail;
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
                .list(&persona_inspector::model::Filter::default())
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
        let command = share::curl(
            &original,
            &Target::parse(&target.url, true).expect("target"),
        )
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
    let command = share::curl(&original, &Target::local(4747).expect("local")).expect("command");
    assert!(
        command.contains("'http://127.0.0.1:4747/status?check=1'"),
        "{command}"
    );
    listener.stop().await;
}

/// The URL a curl command requests (the word after its method, single quotes undone).
fn curl_url(command: &str) -> String {
    let (_, rest) = command
        .split_once("--request 'POST' ")
        .expect("a POST command");
    let mut url = String::new();
    let mut chars = rest.chars();
    loop {
        match chars.next() {
            Some('\'') => url.extend(chars.by_ref().take_while(|&c| c != '\'')),
            Some('\\') => url.extend(chars.next()),
            _ => return url,
        }
    }
}

/// For each target, and each delivery's path and query, the curl command and a re-delivery
/// (what `redeliver::prepare` decides, the URL recorded and sent) to that target, appending
/// the original path or not.
fn curl_and_redelivery_urls(
    targets: &[&str],
    requests: &[(&str, Option<&str>)],
) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let deliveries = requests
        .iter()
        .map(|(path, query)| {
            let arrival = Arrival {
                received_at_ms: 0,
                method: "POST".into(),
                path: path.to_string(),
                query: query.map(str::to_string),
                remote_addr: None,
                headers: Vec::new(),
            };
            NewDelivery::captured(arrival, Vec::new(), &Verification::default())
        })
        .collect();
    let stored = store.insert_many(deliveries).expect("insert");
    let mut urls = Vec::new();
    for target in targets {
        for keep_path in [true, false] {
            for (delivery, (path, query)) in stored.iter().zip(requests) {
                let detail = store.get(delivery.id).expect("get");
                let curl = curl_url(
                    &share::curl(&detail, &Target::parse(target, keep_path).expect("target"))
                        .expect("command"),
                );
                let options = Options {
                    keep_path,
                    ..Options::new(*target)
                };
                let raw = store.raw(delivery.id).expect("raw");
                let redelivery = redeliver::prepare(raw, &options, &[], 0)
                    .expect("prepared")
                    .url;
                let case = format!("{target} keep_path={keep_path} + {path} ? {query:?}");
                urls.push((case, curl, redelivery));
            }
        }
    }
    urls
}

#[test]
fn a_curl_command_requests_the_url_a_redelivery_to_the_same_target_requests() {
    let targets = [
        "http://127.0.0.1:3000",
        "http://127.0.0.1:3000/",
        "http://localhost:3000/webhooks",
        "http://localhost:3000/webhooks/",
        "https://app.example/base?k=v",
        "http://h/api?",
        "http://h/p#frag",
        "HTTP://Example.COM:80/a/./b",
        "  http://[::1]:8080/x  ",
    ];
    let requests = [
        ("/", None),
        ("/", Some("x=1")),
        ("/a/", Some("")),
        ("/hooks/persona", None),
        ("/hooks/persona", Some("source=ngrok&x=%20y")),
        ("/bin/%E2%9C%93", Some("list[]=1&k=v")),
    ];
    for (case, curl, redelivery) in curl_and_redelivery_urls(&targets, &requests) {
        assert_eq!(curl, redelivery, "{case}");
    }
}

#[test]
fn a_curl_command_keeps_what_the_url_standard_would_rewrite_and_means_the_same_url() {
    let requests = [
        ("/bin/%E2%9C%93", Some("list[]=1&q='x'")),
        ("/a/{b}/`c`", None),
        ("/a/../b", Some("x=\"1\"")),
    ];
    let urls = curl_and_redelivery_urls(&["http://h:3000/api?k=v"], &requests);
    let kept: Vec<_> = urls.iter().take(requests.len()).collect();
    assert_eq!(
        kept.iter()
            .map(|(_, curl, _)| curl.as_str())
            .collect::<Vec<_>>(),
        [
            "http://h:3000/api/bin/%E2%9C%93?k=v&list[]=1&q='x'",
            "http://h:3000/api/a/{b}/`c`?k=v",
            "http://h:3000/api/a/../b?k=v&x=\"1\"",
        ],
        "curl sends the original path and query byte for byte"
    );
    for (case, curl, redelivery) in &kept {
        assert_ne!(curl, redelivery, "{case}: the standard rewrites it");
    }
    for (case, curl, redelivery) in &urls {
        assert_eq!(
            reqwest::Url::parse(curl).expect("a URL").as_str(),
            redelivery,
            "{case}: the same URL once an HTTP client parses it"
        );
    }
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
        persona_inspector::model::Outcome::TooLarge
    );

    let (_dir, store) = fresh_store_with_the_secret();
    for original in &originals {
        let text = serde_json::to_string_pretty(&share::fixture(original)).expect("json");
        let read = share::read_fixtures("fixture.json", text.as_bytes(), &Limits::default())
            .expect("reads back");
        let before = persona_inspector::clock::now_ms();
        let stored = share::import(&store, read).expect("imports");
        assert_eq!(stored.len(), 1);
        let mut imported = store.get(stored[0].id).expect("stored");
        let s = &mut imported.summary;
        assert_eq!(s.source, Source::Imported, "an import is marked as one");
        assert_eq!(
            s.original_received_at.as_deref(),
            Some(original.summary.received_at.as_str()),
            "the time the fixture claims is kept apart"
        );
        assert!(
            s.received_at_ms >= before,
            "received_at is when it was imported, not the claim: {}",
            s.received_at
        );
        assert_eq!(imported.reply_status, None, "nobody answered an import");
        imported.reply_status = original.reply_status;
        let s = &mut imported.summary;
        // Apart from its provenance and id, the imported delivery equals the captured one.
        s.id = original.summary.id;
        s.source = Source::Captured;
        s.received_at = original.summary.received_at.clone();
        s.received_at_ms = original.summary.received_at_ms;
        s.original_received_at = None;
        s.original_received_at_ms = None;
        assert_eq!(
            &imported, original,
            "the imported delivery equals the captured one but for its id and provenance"
        );
    }

    // Several at once, as a JSON array: one transaction.
    let array = serde_json::Value::Array(originals.iter().map(share::fixture).collect());
    let read = share::read_fixtures("all.json", array.to_string().as_bytes(), &Limits::default())
        .expect("array");
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
    let read = share::read_fixtures("f.json", text.as_bytes(), &Limits::default()).expect("read");
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
        for field in ["headers", "body_base64", "method", "path", "query"] {
            assert_eq!(a[field], b[field], "{field} of delivery {id}");
        }
        assert_eq!(
            (&a["source"], &a["original_received_at"]),
            (&serde_json::json!("captured"), &serde_json::Value::Null),
            "a capture has no claimed time of its own"
        );
        assert_eq!(b["source"], "imported", "show --json says it was imported");
        assert_eq!(
            a["received_at"], b["original_received_at"],
            "the claimed arrival time is kept apart"
        );
        assert_ne!(
            a["received_at"], b["received_at"],
            "received_at is the import's"
        );
    }
    let listed: serde_json::Value =
        serde_json::from_slice(&succeed(inspector(to.path()).args(["list", "--json"])).stdout)
            .expect("json");
    assert_eq!(listed[0]["source"], "imported", "list --json says so too");
    let shown = succeed(inspector(to.path()).args(["show", "1"])).stdout;
    assert!(
        String::from_utf8_lossy(&shown)
            .contains("source     imported from a fixture, which claims"),
        "show says so in words: {}",
        String::from_utf8_lossy(&shown)
    );
    assert!(listed[0]["original_received_at"].is_string(), "{listed}");
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

#[test]
fn imports_over_the_file_or_body_limit_are_refused_naming_the_file_and_the_limit() {
    let body = vec![b'x'; 2048];
    let fixture = |body: &[u8]| {
        serde_json::json!({
            "format": share::FIXTURE_FORMAT,
            "version": 1,
            "delivery": {
                "received_at": "2026-11-22T10:04:05.123Z",
                "method": "POST",
                "path": "/",
                "headers": [],
                "body_base64": base64::engine::general_purpose::STANDARD.encode(body),
            }
        })
        .to_string()
    };
    let big = fixture(&body);
    let limits = Limits {
        max_file: 64 * 1024,
        max_body: 1024,
    };
    let error = share::read_fixtures("big.json", big.as_bytes(), &limits)
        .expect_err("a body over the limit")
        .to_string();
    assert!(
        error.contains("big.json: delivery.body_base64 holds 2 KiB, over the 1 KiB limit"),
        "{error}"
    );
    let error = share::read_fixtures(
        "big.json",
        big.as_bytes(),
        &Limits {
            max_file: 1024,
            max_body: 4096,
        },
    )
    .expect_err("a file over the limit")
    .to_string();
    assert!(
        error.contains("big.json is over the 1 KiB limit for a fixture file"),
        "{error}"
    );
    assert!(
        share::read_fixtures("big.json", big.as_bytes(), &Limits::default()).is_ok(),
        "within the default limits"
    );
    // A reader is read no further than the limit.
    let endless = std::io::repeat(b' ');
    let error = share::read_limited("standard input", endless, &limits)
        .expect_err("endless input stops at the limit")
        .to_string();
    assert!(
        error.contains("standard input is over the 64 KiB limit"),
        "{error}"
    );

    // The command line: --max-body and --max-file, the file named, nothing stored.
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("big.json");
    std::fs::write(&file, &big).expect("write");
    let data = tempfile::tempdir().expect("temp");
    fails_saying(
        inspector(data.path())
            .args(["import", "--max-body", "1KiB"])
            .arg(&file),
        &format!(
            "{}: delivery.body_base64 holds 2 KiB, over the 1 KiB limit for one body",
            file.display()
        ),
    );
    fails_saying(
        inspector(data.path())
            .args(["import", "--max-file", "1KiB"])
            .arg(&file),
        &format!(
            "{} is over the 1 KiB limit for a fixture file",
            file.display()
        ),
    );
    let output = succeed(inspector(data.path()).args(["list", "--json"]));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("json"),
        serde_json::json!([]),
        "nothing refused was stored"
    );
    succeed(inspector(data.path()).arg("import").arg(&file));
}

mod fixture_reader {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
            // Field names and values the reader looks for, so the walk goes deep.
            prop_oneof![
                Just("persona-inspector-fixture"),
                Just("POST"),
                Just("/"),
                Just("too_large"),
                Just("2026-11-22T10:04:05.123Z"),
                Just("e30="),
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("format".to_string()),
                            Just("version".to_string()),
                            Just("delivery".to_string()),
                            Just("received_at".to_string()),
                            Just("method".to_string()),
                            Just("path".to_string()),
                            Just("query".to_string()),
                            Just("headers".to_string()),
                            Just("body_base64".to_string()),
                            Just("body_size".to_string()),
                            Just("outcome".to_string()),
                            Just("signature".to_string()),
                            "[a-z_]{1,8}",
                        ],
                        inner,
                    ),
                    0..8
                )
                .prop_map(|fields| serde_json::Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    /// A fixture whose top level is right, so the delivery's own fields get exercised.
    fn near_fixture() -> impl Strategy<Value = serde_json::Value> {
        (json_value(), prop_oneof![Just(1u64), any::<u64>()]).prop_map(|(delivery, version)| {
            serde_json::json!({
                "format": share::FIXTURE_FORMAT,
                "version": version,
                "delivery": delivery,
            })
        })
    }

    fn header_name() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9-]{0,15}"
    }

    /// Header values as HTTP allows them: visible bytes, spaces, tabs and bytes above 0x7F.
    fn header_value() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![0x20u8..=0x7e, Just(b'\t'), 0x80u8..=0xff],
            0..40,
        )
    }

    proptest! {
        #![proptest_config(properties(256))]

        #[test]
        fn arbitrary_bytes_never_panic_the_reader(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = share::read_fixtures("fuzz.json", &bytes, &Limits::default());
        }

        #[test]
        fn arbitrary_json_never_panics_the_reader(value in prop_oneof![json_value(), near_fixture()]) {
            let text = value.to_string();
            let _ = share::read_fixtures("fuzz.json", text.as_bytes(), &Limits::default());
            let array = serde_json::Value::Array(vec![value]).to_string();
            let _ = share::read_fixtures("fuzz.json", array.as_bytes(), &Limits::default());
        }
    }

    #[test]
    fn an_exported_delivery_imports_with_the_same_request() {
        let (_from_dir, from) = fresh_store_with_the_secret();
        let (_to_dir, to) = fresh_store_with_the_secret();
        let request = (
            prop_oneof![
                Just("POST"),
                Just("PUT"),
                Just("PATCH"),
                Just("GET"),
                Just("DELETE")
            ],
            "/[a-zA-Z0-9._~!$&'()*+,;=:@%/-]{0,30}",
            prop::option::of("[a-zA-Z0-9._~!$&'()*+,;=:@%/?-]{0,30}"),
            prop::collection::vec((header_name(), header_value()), 0..8),
            prop::collection::vec(any::<u8>(), 0..600),
        );
        let mut runner = proptest::test_runner::TestRunner::new(properties(256));
        runner
            .run(&request, |(method, path, query, headers, body)| {
                let arrival = Arrival {
                    received_at_ms: 1_795_341_845_123,
                    method: method.into(),
                    path: path.clone(),
                    query: query.clone(),
                    remote_addr: None,
                    headers: headers.clone(),
                };
                let delivery =
                    NewDelivery::captured(arrival, body.clone(), &Verification::default());
                let id = from.insert_many(vec![delivery]).expect("stored")[0].id;
                let text = share::fixture(&from.get(id).expect("read back")).to_string();
                let read = share::read_fixtures("round.json", text.as_bytes(), &Limits::default())
                    .expect("an exported fixture reads");
                let stored = share::import(&to, read).expect("imports");
                let raw = to.raw(stored[0].id).expect("imported");
                prop_assert_eq!(&raw.body, &body, "the body, byte for byte");
                prop_assert_eq!(&raw.arrival.method, method);
                prop_assert_eq!(&raw.arrival.path, &path);
                prop_assert_eq!(&raw.arrival.query, &query);
                prop_assert_eq!(
                    &raw.arrival.headers,
                    &headers,
                    "headers, in order, exact bytes"
                );
                prop_assert_eq!(raw.source, Source::Imported);
                Ok(())
            })
            .expect("every exported delivery imports as it was");
    }
}
