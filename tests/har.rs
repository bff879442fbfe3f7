//! HAR export and import: captures made by a real listener over a real socket, exported by the
//! binary as HAR 1.2, checked field by field against what the HAR 1.2 specification asks of
//! the files developer tools read, and imported into another data directory byte for byte.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use persona_inspector::capture::{Reply, Settings, StatusCode};
use persona_inspector::model::{Order, Outcome, Scope, Source};
use persona_inspector::session::Session;
use persona_inspector::store::Store;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes `head` (request line and headers, CRLF-separated, without the blank line) and `body`
/// to the listener as they are; returns the stored delivery's id.
async fn send(listener: &Listener, head: &[u8], body: &[u8]) -> i64 {
    let address = listener.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let mut request = head.to_vec();
    request.extend_from_slice(
        format!(
            "\r\nhost: {address}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    request.extend_from_slice(body);
    stream.write_all(&request).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer);
    answer
        .lines()
        .find_map(|l| l.strip_prefix("x-inspector-delivery-id: "))
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_else(|| panic!("stored: {answer}"))
}

/// Every byte value, several times: no UTF-8 decoder accepts it.
fn binary() -> Vec<u8> {
    (0..=255u8).cycle().take(4096).collect()
}

struct Captures {
    listener: Listener,
    text: i64,
    binary: i64,
    empty: i64,
    large: i64,
    get: i64,
}

/// A text event (signed), a binary body with a header value that is not UTF-8, an empty body,
/// a 3 MiB body and a GET with a query, answered 202.
async fn captures() -> Captures {
    let listener = Listener::start(Settings {
        reply: Reply {
            status: StatusCode::ACCEPTED,
            ..Reply::default()
        },
        ..settings_with_secret()
    })
    .await;
    let event = inquiry_event("evt_HAR1", "inq_HAR1", 0);
    let signed = format!(
        "POST /hooks/persona HTTP/1.1\r\ncontent-type: application/json\r\npersona-signature: {}\r\ncookie: session=abc; theme=dark",
        persona_signature(SECRET, &event)
    );
    let text = send(&listener, signed.as_bytes(), &event).await;
    let mut head =
        b"POST /bin?x=%FF&y=a+b HTTP/1.1\r\ncontent-type: application/octet-stream\r\nx-raw: a"
            .to_vec();
    head.extend_from_slice(&[0xff, 0xfe]);
    head.extend_from_slice(b"b");
    let binary = send(&listener, &head, &binary()).await;
    let empty = send(&listener, b"POST /empty HTTP/1.1", b"").await;
    let large = send(
        &listener,
        b"PUT /large HTTP/1.1\r\ncontent-type: application/json",
        &inquiry_event("evt_HAR2", "inq_HAR2", 3 * 1024 * 1024),
    )
    .await;
    let get = send(
        &listener,
        b"GET /status?check=1&name=Jos%C3%A9 HTTP/1.1\r\nx-forwarded-for: 35.232.44.140",
        b"",
    )
    .await;
    Captures {
        listener,
        text,
        binary,
        empty,
        large,
        get,
    }
}

fn run(command: &mut std::process::Command) -> std::process::Output {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn fails_saying(command: &mut std::process::Command, expected: &str) {
    let output = command.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "should fail: {stderr}");
    assert!(stderr.contains(expected), "{stderr}\nexpected: {expected}");
}

// --- HAR 1.2, field by field: what the specification requires of each object ---

fn string_field(object: &Value, name: &str, at: &str) {
    assert!(
        object[name].is_string(),
        "{at}.{name} is a string: {object}"
    );
}

fn number_field(object: &Value, name: &str, at: &str) {
    assert!(object[name].is_number(), "{at}.{name} is a number");
}

/// Every key is one the specification defines, or a custom one starting with `_`.
fn only_known_keys(object: &Value, known: &[&str], at: &str) {
    let fields = object
        .as_object()
        .unwrap_or_else(|| panic!("{at} is an object"));
    for key in fields.keys() {
        assert!(
            known.contains(&key.as_str()) || key.starts_with('_'),
            "{at} has \"{key}\", which HAR 1.2 does not define and which does not start with _"
        );
    }
}

/// `[{name, value}]`, as headers, cookies and query parameters are.
fn name_value_list(list: &Value, at: &str, extra: &[&str]) {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("{at} is an array"));
    for (i, item) in items.iter().enumerate() {
        let at = format!("{at}[{i}]");
        string_field(item, "name", &at);
        string_field(item, "value", &at);
        let mut known = vec!["name", "value", "comment"];
        known.extend_from_slice(extra);
        only_known_keys(item, &known, &at);
    }
}

fn check_har_1_2(har: &Value) {
    only_known_keys(har, &["log"], "har");
    let log = &har["log"];
    only_known_keys(
        log,
        &[
            "version", "creator", "browser", "pages", "entries", "comment",
        ],
        "log",
    );
    assert_eq!(log["version"], "1.2");
    string_field(&log["creator"], "name", "log.creator");
    string_field(&log["creator"], "version", "log.creator");
    let entries = log["entries"].as_array().expect("log.entries is an array");
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("log.entries[{i}]");
        only_known_keys(
            entry,
            &[
                "pageref",
                "startedDateTime",
                "time",
                "request",
                "response",
                "cache",
                "timings",
                "serverIPAddress",
                "connection",
                "comment",
            ],
            &at,
        );
        let started = entry["startedDateTime"].as_str().expect("startedDateTime");
        time::OffsetDateTime::parse(started, &time::format_description::well_known::Rfc3339)
            .expect("startedDateTime is an ISO 8601 date-time");
        assert!(entry["cache"].is_object(), "{at}.cache is an object");

        let timings = &entry["timings"];
        only_known_keys(
            timings,
            &[
                "blocked", "dns", "connect", "send", "wait", "receive", "ssl", "comment",
            ],
            &format!("{at}.timings"),
        );
        let mut sum = 0.0;
        for required in ["send", "wait", "receive"] {
            let value = timings[required]
                .as_f64()
                .expect("send, wait, receive are numbers");
            assert!(value >= 0.0, "{at}.timings.{required} must not be negative");
            sum += value;
        }
        for optional in ["blocked", "dns", "connect", "ssl"] {
            if let Some(value) = timings.get(optional) {
                let value = value.as_f64().expect("a number");
                assert!(value >= -1.0);
                sum += value.max(0.0);
            }
        }
        assert_eq!(
            entry["time"].as_f64(),
            Some(sum),
            "{at}.time is the sum of its timings"
        );

        let request = &entry["request"];
        let at_request = format!("{at}.request");
        only_known_keys(
            request,
            &[
                "method",
                "url",
                "httpVersion",
                "cookies",
                "headers",
                "queryString",
                "postData",
                "headersSize",
                "bodySize",
                "comment",
            ],
            &at_request,
        );
        for field in ["method", "url", "httpVersion"] {
            string_field(request, field, &at_request);
        }
        reqwest::Url::parse(request["url"].as_str().unwrap_or_default())
            .expect("request.url is an absolute URL");
        name_value_list(
            &request["cookies"],
            &format!("{at_request}.cookies"),
            &["path", "domain", "expires", "httpOnly", "secure"],
        );
        name_value_list(&request["headers"], &format!("{at_request}.headers"), &[]);
        name_value_list(
            &request["queryString"],
            &format!("{at_request}.queryString"),
            &[],
        );
        number_field(request, "headersSize", &at_request);
        number_field(request, "bodySize", &at_request);
        if let Some(post) = request.get("postData") {
            let at = format!("{at_request}.postData");
            only_known_keys(post, &["mimeType", "params", "text", "comment"], &at);
            string_field(post, "mimeType", &at);
            string_field(post, "text", &at);
        }

        let response = &entry["response"];
        let at_response = format!("{at}.response");
        only_known_keys(
            response,
            &[
                "status",
                "statusText",
                "httpVersion",
                "cookies",
                "headers",
                "content",
                "redirectURL",
                "headersSize",
                "bodySize",
                "comment",
            ],
            &at_response,
        );
        number_field(response, "status", &at_response);
        for field in ["statusText", "httpVersion", "redirectURL"] {
            string_field(response, field, &at_response);
        }
        name_value_list(&response["cookies"], &format!("{at_response}.cookies"), &[]);
        name_value_list(&response["headers"], &format!("{at_response}.headers"), &[]);
        number_field(response, "headersSize", &at_response);
        number_field(response, "bodySize", &at_response);
        let content = &response["content"];
        only_known_keys(
            content,
            &[
                "size",
                "compression",
                "mimeType",
                "text",
                "encoding",
                "comment",
            ],
            &format!("{at_response}.content"),
        );
        number_field(content, "size", "content");
        string_field(content, "mimeType", "content");
    }
}

fn entry_of(har: &Value, id: i64) -> &Value {
    har["log"]["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["_deliveryId"] == id))
        .unwrap_or_else(|| panic!("delivery {id} is in the HAR"))
}

#[tokio::test]
async fn captures_exported_as_har_are_valid_and_import_back_byte_for_byte() {
    let c = captures().await;
    let ids = [c.text, c.binary, c.empty, c.large, c.get];
    let dir = c.listener.dir.path().to_path_buf();
    let mut export = inspector(&dir);
    export.arg("export").arg("--har");
    for id in ids {
        export.arg(id.to_string());
    }
    let exported = run(&mut export).stdout;
    let har: Value = serde_json::from_slice(&exported).expect("the HAR is JSON");
    check_har_1_2(&har);
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), ids.len());
    assert_eq!(har["log"]["creator"]["name"], "persona-inspector");

    let store = c.listener.store();
    let text = entry_of(&har, c.text);
    let original = store.raw(c.text).expect("stored");
    assert_eq!(text["request"]["method"], "POST");
    assert_eq!(
        text["request"]["url"],
        format!("{}/hooks/persona", c.listener.url)
    );
    assert_eq!(text["request"]["postData"]["mimeType"], "application/json");
    assert_eq!(
        text["request"]["postData"]["text"]
            .as_str()
            .map(str::as_bytes),
        Some(original.body.as_slice())
    );
    assert_eq!(
        text["request"]["cookies"],
        json!([{"name": "session", "value": "abc"}, {"name": "theme", "value": "dark"}])
    );
    assert_eq!(text["request"]["bodySize"], original.body.len());
    assert_eq!(
        text["response"]["status"], 202,
        "what the listener answered"
    );
    assert_eq!(text["response"]["statusText"], "Accepted");
    assert_eq!(
        text["startedDateTime"],
        store.get(c.text).expect("get").summary.received_at
    );

    let binary_entry = entry_of(&har, c.binary);
    assert!(binary_entry["request"].get("postData").is_none());
    assert_eq!(binary_entry["request"]["_content"]["encoding"], "base64");
    assert_eq!(
        binary_entry["request"]["_content"]["text"],
        BASE64.encode(binary())
    );
    let raw_header = binary_entry["request"]["headers"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["name"] == "x-raw"))
        .expect("x-raw");
    assert_eq!(raw_header["_valueBase64"], BASE64.encode(b"a\xff\xfeb"));
    assert_eq!(
        binary_entry["request"]["queryString"],
        json!([{"name": "x", "value": "\u{fffd}"}, {"name": "y", "value": "a b"}])
    );
    assert!(entry_of(&har, c.empty)["request"].get("postData").is_none());
    assert_eq!(entry_of(&har, c.empty)["request"]["bodySize"], 0);
    assert_eq!(
        entry_of(&har, c.get)["request"]["queryString"],
        json!([{"name": "check", "value": "1"}, {"name": "name", "value": "José"}])
    );

    // Imported into another data directory: the same requests, byte for byte.
    let other = tempfile::tempdir().expect("temp");
    let file = other.path().join("captures.har");
    std::fs::write(&file, &exported).expect("write");
    let imported = run(inspector(other.path()).arg("import").arg(&file)).stdout;
    let new_ids: Vec<i64> = String::from_utf8_lossy(&imported)
        .lines()
        .map(|l| l.parse().expect("an id a line"))
        .collect();
    assert_eq!(new_ids.len(), ids.len());
    let copy = Store::open(other.path()).expect("store");
    for (old, new) in ids.iter().zip(&new_ids) {
        let (a, b) = (store.raw(*old).expect("old"), copy.raw(*new).expect("new"));
        assert_eq!(b.arrival.method, a.arrival.method, "#{old}");
        assert_eq!(b.arrival.path, a.arrival.path, "#{old}");
        assert_eq!(b.arrival.query, a.arrival.query, "#{old}");
        assert_eq!(b.arrival.headers, a.arrival.headers, "#{old}");
        assert_eq!(b.arrival.remote_addr, a.arrival.remote_addr, "#{old}");
        assert!(
            b.body == a.body,
            "#{old}: the body is byte for byte the same"
        );
        assert_eq!(b.body_size, a.body_size);
        assert_eq!(b.source, Source::Imported);
        assert_eq!(b.reply_status, None, "nobody answered the import");
        let (sa, sb) = (
            store.get(*old).expect("old").summary,
            copy.get(*new).expect("new").summary,
        );
        assert_eq!(sb.original_received_at, Some(sa.received_at), "#{old}");
        assert_eq!(sb.source_ip, sa.source_ip, "#{old}: the peer travels along");
        assert_eq!(sb.event_id, sa.event_id);
    }
    assert_eq!(
        copy.raw(new_ids[4]).expect("get").arrival.query.as_deref(),
        Some("check=1&name=Jos%C3%A9")
    );
    assert_eq!(
        copy.get(new_ids[4])
            .expect("get")
            .summary
            .source_ip
            .as_deref(),
        Some("35.232.44.140")
    );

    // Re-exported, an import says nobody answered it.
    let again = run(inspector(other.path()).args(["export", "--har", "--all"])).stdout;
    let again: Value = serde_json::from_slice(&again).expect("JSON");
    check_har_1_2(&again);
    assert_eq!(again["log"]["entries"][0]["response"]["status"], 0);
    assert_eq!(again["log"]["entries"][0]["_source"], "imported");
}

#[tokio::test]
async fn a_selection_or_a_filter_is_exported_and_the_window_gets_the_same_har() {
    let c = captures().await;
    let dir = c.listener.dir.path().to_path_buf();
    let by_event =
        run(inspector(&dir).args(["export", "--har", "--event", "inquiry.approved"])).stdout;
    let by_event: Value = serde_json::from_slice(&by_event).expect("JSON");
    let ids: Vec<&Value> = by_event["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["_deliveryId"])
        .collect();
    assert_eq!(ids, vec![&json!(c.text), &json!(c.large)], "oldest first");

    let search = run(inspector(&dir).args(["export", "--har", "--search", "inq_HAR2"])).stdout;
    let search: Value = serde_json::from_slice(&search).expect("JSON");
    assert_eq!(search["log"]["entries"].as_array().map(Vec::len), Some(1));

    fails_saying(
        inspector(&dir).args(["export", "--har"]),
        "name the deliveries for --har",
    );
    fails_saying(
        inspector(&dir).args(["export", "--har", &c.text.to_string(), "--event", "x"]),
        "not several of them",
    );
    fails_saying(
        inspector(&dir).args(["export", "--har", &c.text.to_string(), "99999"]),
        "no delivery with id 99999",
    );
    fails_saying(
        inspector(&dir).args(["export", "--har", "--event", "nothing.matches"]),
        "nothing to export",
    );
    fails_saying(
        inspector(&dir).args([
            "export",
            &c.text.to_string(),
            &c.empty.to_string(),
            "--curl",
        ]),
        "exactly one delivery id",
    );
    fails_saying(
        inspector(&dir).args(["export", "--fixture", "--event", "inquiry.approved"]),
        "pick deliveries for --har",
    );
    let one = run(inspector(&dir).args(["export", &c.text.to_string(), "--fixture"])).stdout;
    assert!(String::from_utf8_lossy(&one).contains("persona-inspector-fixture"));

    // The window's command: the same HAR, and the window's import reads it back.
    let cli = run(inspector(&dir).args([
        "export",
        "--har",
        &c.binary.to_string(),
        &c.empty.to_string(),
    ]))
    .stdout;
    let session = Session::start(&dir, "127.0.0.1", Some(0)).await;
    let text = session
        .export_har(Scope::Ids {
            ids: vec![c.empty, c.binary],
        })
        .await
        .expect("exported");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        serde_json::from_slice::<Value>(&cli).expect("JSON")
    );
    let nothing = session
        .export_har(Scope::Ids { ids: vec![99_999] })
        .await
        .expect_err("nothing to export");
    assert_eq!(nothing.kind(), "invalid");
    session.stop().await.expect("stop");
    let elsewhere = tempfile::tempdir().expect("temp");
    let other = Session::start(elsewhere.path(), "127.0.0.1", Some(0)).await;
    let imported = other.import_fixtures(text).await.expect("imported");
    assert_eq!(imported.len(), 2);
    let bodies = other
        .read(move |store| {
            let ids = store.bulk_ids(&Scope::Ids { ids: imported }, Order::Received)?;
            ids.iter()
                .map(|id| Ok(store.raw(*id)?.body))
                .collect::<persona_inspector::Result<Vec<_>>>()
        })
        .await
        .expect("read");
    assert_eq!(bodies, vec![binary(), Vec::new()]);
    other.stop().await.expect("stop");
}

#[tokio::test]
async fn a_body_over_the_limit_exports_as_refused_and_imports_as_such() {
    let listener = Listener::start(Settings {
        max_body: 16,
        ..Settings::default()
    })
    .await;
    let address = listener.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "POST /big HTTP/1.1\r\nhost: {address}\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{}",
        "x".repeat(100)
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let dir = listener.dir.path().to_path_buf();
    let har = run(inspector(&dir).args(["export", "--har", "--all"])).stdout;
    let har: Value = serde_json::from_slice(&har).expect("JSON");
    check_har_1_2(&har);
    let entry = &har["log"]["entries"][0];
    assert_eq!(entry["_outcome"], "too_large");
    assert_eq!(entry["request"]["bodySize"], 100);
    assert!(entry["request"].get("postData").is_none());
    assert_eq!(entry["response"]["status"], 413);

    let other = tempfile::tempdir().expect("temp");
    let file = other.path().join("big.har");
    std::fs::write(&file, har.to_string()).expect("write");
    run(inspector(other.path()).arg("import").arg(&file));
    let copy = Store::open(other.path()).expect("store");
    let rows = copy.list(&Default::default()).expect("list");
    assert_eq!(rows[0].outcome, Outcome::TooLarge);
    assert_eq!(rows[0].body_size, 100);
}

fn har_with(entries: Vec<Value>) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
        .to_string()
}

fn good_entry() -> Value {
    json!({
        "startedDateTime": "2026-11-22T10:04:05.123Z",
        "time": 1,
        "request": {"method": "POST", "url": "https://example.test/hook", "httpVersion": "HTTP/2",
                    "headers": [{"name": "content-type", "value": "application/json"}],
                    "postData": {"mimeType": "application/json", "text": "{}"}},
        "response": {"status": 200}
    })
}

#[test]
fn malformed_har_files_are_refused_naming_the_entry_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("bad.har");
    let refused = |text: String, expected: &str| {
        std::fs::write(&file, text).expect("write");
        fails_saying(inspector(dir.path()).arg("import").arg(&file), expected);
    };
    let with = |field: &str, value: Value| {
        let mut entry = good_entry();
        entry["request"][field] = value;
        har_with(vec![good_entry(), entry])
    };
    refused("{\"log\": {".into(), "bad.har is not JSON");
    refused(
        json!({"log": {}}).to_string(),
        "bad.har: log.entries is missing",
    );
    refused(
        json!({"log": {"entries": {}}}).to_string(),
        "log.entries must be an array",
    );
    refused(
        har_with(vec![json!([])]),
        "log.entries[0] must be a JSON object",
    );
    let mut no_url = good_entry();
    no_url["request"]
        .as_object_mut()
        .expect("object")
        .remove("url");
    refused(
        har_with(vec![good_entry(), no_url]),
        "bad.har: log.entries[1].request.url is missing",
    );
    let mut no_time = good_entry();
    no_time["startedDateTime"] = json!("yesterday");
    refused(
        har_with(vec![no_time]),
        "log.entries[0].startedDateTime is not an RFC 3339 time",
    );
    refused(with("url", json!("/relative")), "is not an absolute URL");
    refused(with("method", json!("GET POST")), "is not an HTTP method");
    refused(
        with("headers", json!([{"name": "x", "value": "a\r\nb"}])),
        "log.entries[1].request.headers[0] has a value with a control character",
    );
    refused(
        with("headers", json!([{"name": "bad name", "value": "v"}])),
        "log.entries[1].request.headers[0].name \"bad name\" is not a header name",
    );
    refused(
        with("_content", json!({"text": "!!", "encoding": "base64"})),
        "log.entries[1].request._content.text is not valid base64",
    );
    refused(
        with("_content", json!({"text": "AA=="})),
        "_content.encoding must be \"base64\"",
    );
    refused(
        with("postData", json!({"mimeType": "x", "text": 42})),
        "postData.text must be a string",
    );
    let store = Store::open(dir.path()).expect("store");
    assert_eq!(store.count().expect("count"), 0, "nothing was stored");
    drop(store);

    // Bounded: a body over --max-body, a file over --max-file.
    let mut big = good_entry();
    big["request"]["postData"]["text"] = json!("x".repeat(2048));
    std::fs::write(&file, har_with(vec![big])).expect("write");
    fails_saying(
        inspector(dir.path())
            .args(["import", "--max-body", "1KiB"])
            .arg(&file),
        "log.entries[0].request.body holds 2 KiB, over the 1 KiB limit for one body",
    );
    fails_saying(
        inspector(dir.path())
            .args(["import", "--max-file", "1KiB"])
            .arg(&file),
        "over the 1 KiB limit",
    );

    // A HAR written by another tool, HTTP/2 pseudo-headers and all, imports.
    let mut chrome = good_entry();
    chrome["request"]["headers"] = json!([
        {"name": ":method", "value": "POST"},
        {"name": "Content-Type", "value": "application/json"}
    ]);
    std::fs::write(&file, har_with(vec![chrome])).expect("write");
    run(inspector(dir.path()).arg("import").arg(&file));
    let store = Store::open(dir.path()).expect("store");
    let raw = store
        .raw(store.list(&Default::default()).expect("list")[0].id)
        .expect("raw");
    assert_eq!(raw.arrival.path, "/hook");
    assert_eq!(raw.body, b"{}");
    assert_eq!(
        raw.arrival.headers,
        vec![("content-type".to_string(), b"application/json".to_vec())]
    );
}
