//! `persona-inspector trigger`: a sample of any event, sent to the inspector that is listening
//! (found through `listening.json`, stored as `test`) or to a URL, signed as asked.

mod common;

use std::process::Output;

use base64::Engine;
use common::target::{Check, recording_target};
use common::{SECRET, Served, run_cli as run, serve, stdout_json as json};
use persona_inspector::session::listening::LISTENING_FILE;
use serde_json::Value;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_reaches_the_listening_inspector_as_a_test_event_and_the_address_goes_with_it() {
    let dir = tempfile::tempdir().expect("temp");
    let secret = format!("sb={SECRET}");
    let (child, address, _lines) = serve(dir.path(), &["--secret", &secret]);
    let mut child = Served(child);
    let file = dir.path().join(LISTENING_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("listening.json")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "it holds the test-event key");
    }

    let output = run(
        dir.path(),
        &["trigger", "inquiry.approved", "--secret", &secret, "--json"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let sent = json(&output);
    assert_eq!(sent["event_name"], "inquiry.approved");
    assert!(
        sent["event_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("evt_")),
        "{sent}"
    );
    assert_eq!(sent["resource"]["type"], "inquiry");
    assert_eq!(sent["url"], format!("{address}/sample"));
    assert_eq!(sent["status"], 200);
    let body = base64::engine::general_purpose::STANDARD
        .decode(sent["body_base64"].as_str().expect("body"))
        .expect("base64");
    let id = sent["delivery_id"]
        .as_i64()
        .expect("the listener stored it");

    let shown = json(&run(dir.path(), &["show", &id.to_string(), "--json"]).await);
    assert_eq!(shown["source"], "test", "{shown}");
    assert_eq!(shown["signature"]["status"], "valid");
    assert_eq!(shown["event_id"], sent["event_id"]);
    let stored = base64::engine::general_purpose::STANDARD
        .decode(shown["body_base64"].as_str().expect("stored body"))
        .expect("base64");
    assert_eq!(stored, body, "stored byte for byte as sent");
    let stored_headers = shown["headers"].as_array().expect("headers");
    assert!(
        stored_headers.iter().any(|h| h[0] == "persona-signature"),
        "{stored_headers:?}"
    );
    assert!(
        !stored_headers
            .iter()
            .any(|h| h[0] == persona_inspector::sample::TEST_EVENT_HEADER),
        "the key is never stored: {stored_headers:?}"
    );

    // A stopped inspector takes its address back: nothing to send to.
    child.interrupt();
    assert!(!file.exists(), "listening.json outlived the inspector");
    let output = run(dir.path(), &["trigger", "inquiry.approved"]).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no inspector is listening"),
        "{}",
        stderr(&output)
    );

    // One killed outright leaves its file: the refusal says what to check.
    let closed = common::target::closed_port();
    std::fs::write(
        &file,
        format!(r#"{{"address":"http://127.0.0.1:{closed}","test_event_key":null,"pid":1}}"#),
    )
    .expect("write");
    let output = run(dir.path(), &["trigger", "inquiry.approved"]).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("still running"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_to_a_url_is_signed_with_the_secret_in_the_casing_and_story_asked_for() {
    let dir = tempfile::tempdir().expect("temp");
    let (url, log) = recording_target().await;
    let secret = format!("sb={SECRET}");
    let send = |seed: &'static str| {
        let (dir, url, secret) = (dir.path().to_path_buf(), url.clone(), secret.clone());
        async move {
            run(
                &dir,
                &[
                    "trigger",
                    "report/watchlist.matched",
                    "--to",
                    &format!("{url}/hooks/persona"),
                    "--secret",
                    &secret,
                    "--casing",
                    "camel",
                    "--resource-id",
                    "rep_story0001",
                    "--seed",
                    seed,
                    "--json",
                ],
            )
            .await
        }
    };
    let first = send("7").await;
    assert!(first.status.success(), "{}", stderr(&first));
    let sent = json(&first);
    assert_eq!(sent["status"], 200, "the handler accepted it: {sent}");
    assert_eq!(sent["delivery_id"], Value::Null, "not the inspector's own");
    assert_eq!(sent["resource"]["id"], "rep_story0001");
    let received = log.lock().expect("log").clone();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.check, Check::Valid, "signed with the given secret");
    assert_eq!(request.uri, "/hooks/persona");
    assert_eq!(
        request.header("persona-webhook-attempts-made").as_deref(),
        Some("1")
    );
    let body: Value = serde_json::from_slice(&request.body).expect("JSON");
    let attributes = &body["data"]["attributes"];
    assert_eq!(attributes["name"], "report/watchlist.matched");
    assert!(
        attributes.get("createdAt").is_some(),
        "camelCase keys: {attributes}"
    );
    assert_eq!(attributes["payload"]["data"]["id"], "rep_story0001");

    // The same seed sends the same bytes; another seed, other ids.
    let again = json(&send("7").await);
    assert_eq!(again["body_base64"], sent["body_base64"]);
    let other = json(&send("8").await);
    assert_ne!(other["event_id"], sent["event_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_event_is_refused_with_the_closest_names_and_the_list_names_every_event() {
    let dir = tempfile::tempdir().expect("temp");
    let output = run(
        dir.path(),
        &["trigger", "inquiry.aproved", "--to", "http://127.0.0.1:9/"],
    )
    .await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("did you mean inquiry.approved"),
        "{}",
        stderr(&output)
    );

    let listed = json(&run(dir.path(), &["trigger", "--list", "--json"]).await);
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), persona_inspector::catalog::all().len());
    for event in listed {
        let types = event["resource_types"].as_array().expect("types");
        assert!(!types.is_empty(), "no resource type for {event}");
    }
    let text = run(dir.path(), &["trigger", "--list"]).await;
    let text = String::from_utf8_lossy(&text.stdout);
    let row = text
        .lines()
        .find(|line| line.trim_start().starts_with("report/watchlist.matched "))
        .expect("a row for report/watchlist.matched");
    assert!(row.trim_end().ends_with(" report/watchlist"), "{row:?}");
}
