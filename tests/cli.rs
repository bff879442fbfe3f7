//! The `persona-inspector` binary, run as a user would.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use common::*;
use persona_inspector::store::Store;

#[test]
fn a_port_in_use_is_a_clear_error_and_a_failing_exit() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let dir = tempfile::tempdir().expect("temp");
    let output = inspector(dir.path())
        .args(["serve", "--port", &port])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "port {port} on 127.0.0.1 is in use — pick another with --port"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_arguments_are_clear_errors_never_panics() {
    let dir = tempfile::tempdir().expect("temp");
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["serve".into(), "--secret".into(), "=wbhsec_x".into()],
            "label",
        ),
        (
            vec!["serve".into(), "--secret".into(), "current=".into()],
            "secret",
        ),
        (
            vec!["serve".into(), "--max-body".into(), "lots".into()],
            "size",
        ),
        (
            vec!["serve".into(), "--status".into(), "99".into()],
            "status",
        ),
        (
            vec!["list".into(), "--signature".into(), "maybe".into()],
            "verdict",
        ),
        (
            vec!["show".into(), "424242".into()],
            "no delivery with id 424242",
        ),
        (
            vec!["purge".into(), "--older-than".into(), "7".into()],
            "unit",
        ),
        (vec!["recheck".into()], "--secret"),
    ];
    for (args, expected) in cases {
        let output = inspector(dir.path()).args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} fails");
        assert!(
            stderr.to_lowercase().contains(&expected.to_lowercase()),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_persona-inspector"))
        .arg("--data-dir")
        .arg(&not_a_dir)
        .arg("list")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot use data directory") && stderr.contains("--data-dir"),
        "{stderr}"
    );
}

#[tokio::test]
async fn list_and_show_print_the_documented_json() {
    let dir = tempfile::tempdir().expect("temp");
    let (mut child, url, printed) = serve(dir.path(), &["--secret", &format!("current={SECRET}")]);
    let body = inquiry_event("evt_CLI", "inq_CLI", 10);
    let response = client()
        .post(format!("{url}/hook?a=b"))
        .header("persona-signature", persona_signature(SECRET, &body))
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let line = printed
        .recv_timeout(Duration::from_secs(10))
        .expect("serve prints a line per delivery");
    for part in [
        "POST /hook?a=b",
        "inquiry.approved",
        "inq_CLI",
        "valid (current)",
    ] {
        assert!(line.contains(part), "the line shows {part}: {line}");
    }
    client()
        .post(&url)
        .body("{oops")
        .send()
        .await
        .expect("request");
    child.kill().expect("kill");
    let _ = child.wait();

    let output = inspector(dir.path())
        .args(["list", "--json", "--limit", "10"])
        .output()
        .expect("list");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("list --json is JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 2);
    let row = &rows[1];
    for field in [
        "id",
        "received_at",
        "method",
        "path",
        "query",
        "event_id",
        "event_name",
        "resource",
        "signature",
        "body_size",
    ] {
        assert!(row.get(field).is_some(), "list rows have {field}: {row}");
    }
    assert_eq!(row["query"], "a=b");
    assert_eq!(row["resource"]["type"], "inquiry");
    assert_eq!(row["resource"]["id"], "inq_CLI");
    assert_eq!(row["signature"]["status"], "valid");
    assert!(rows[0]["parse_error"]["line"].is_number(), "{}", rows[0]);

    let filtered = inspector(dir.path())
        .args(["list", "--json", "--event", "inquiry.approved"])
        .output()
        .expect("list");
    let filtered: serde_json::Value = serde_json::from_slice(&filtered.stdout).expect("json");
    assert_eq!(filtered.as_array().map(Vec::len), Some(1));

    let id = row["id"].to_string();
    let output = inspector(dir.path())
        .args(["show", &id, "--json"])
        .output()
        .expect("show");
    assert!(output.status.success());
    let detail: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("show --json is JSON");
    let exact = base64::engine::general_purpose::STANDARD
        .decode(detail["body_base64"].as_str().expect("body_base64"))
        .expect("base64");
    assert_eq!(exact, body);
    let headers = detail["headers"].as_array().expect("headers");
    assert!(
        headers.iter().any(|h| h[0] == "persona-signature"),
        "{detail}"
    );
    assert!(
        headers
            .iter()
            .all(|h| h.as_array().is_some_and(|p| p.len() >= 2))
    );
    assert_eq!(detail["included"][0]["id"], "act_ABC123");
    assert!(detail.get("parse_error").is_some());
    assert!(detail["signature"]["explanation"].is_string());

    let human = inspector(dir.path())
        .args(["show", &id])
        .output()
        .expect("show");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("inquiry.approved") && text.contains("valid"),
        "{text}"
    );
}

#[tokio::test]
async fn every_acknowledged_delivery_survives_sigkill() {
    let dir = tempfile::tempdir().expect("temp");
    let (mut child, url, _printed) = serve(dir.path(), &[]);
    type Acknowledged = Arc<Mutex<Vec<(i64, Vec<u8>)>>>;
    let acked: Acknowledged = Arc::default();
    let client = client();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                if Instant::now() > deadline {
                    break;
                }
                let body = inquiry_event(
                    &format!("evt_{worker}_{n}"),
                    &format!("inq_{worker}_{n}"),
                    2000,
                );
                let Ok(response) = client.post(&url).body(body.clone()).send().await else {
                    break; // the server is gone
                };
                if response.status() != 200 {
                    break;
                }
                let id = response.headers()["x-inspector-delivery-id"]
                    .to_str()
                    .ok()
                    .and_then(|v| v.parse::<i64>().ok())
                    .expect("ack carries the id");
                acked.lock().expect("lock").push((id, body));
            }
        }));
    }
    // Kill in the middle of the load, once a good number is acknowledged.
    while acked.lock().expect("lock").len() < 500 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    for task in tasks {
        task.await.expect("worker");
    }

    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 500, "load ran: {} acknowledged", acked.len());
    let store = Store::open(dir.path()).expect("reopen after SIGKILL");
    for (id, body) in &acked {
        let detail = store
            .get(*id)
            .unwrap_or_else(|e| panic!("acknowledged delivery {id} lost: {e}"));
        let stored = base64::engine::general_purpose::STANDARD
            .decode(&detail.body_base64)
            .expect("base64");
        assert!(stored == *body, "delivery {id} stored with different bytes");
    }
    assert!(store.count().expect("count") >= acked.len() as u64);
}

#[test]
fn listening_beyond_loopback_is_called_out() {
    let dir = tempfile::tempdir().expect("temp");
    let mut child = inspector(dir.path())
        .args(["serve", "--host", "0.0.0.0", "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let banner: Vec<String> = BufReader::new(stderr)
        .lines()
        .take(2)
        .map_while(Result::ok)
        .collect();
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(
        banner
            .iter()
            .any(|l| l.contains("reachable from other machines")),
        "{banner:?}"
    );
}
