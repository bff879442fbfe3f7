//! A resource's timeline and an event's retry chain, over deliveries posted to a real `serve`
//! and read back by the CLI from the same SQLite files while it runs.

mod common;

use std::process::Child;

use common::*;
use persona_inspector::model::{Arrival, NewDelivery, PERSONA_RETRY_SCHEDULE_S, Verification};
use persona_inspector::sample::{self, Options};
use persona_inspector::store::Store;
use persona_inspector::story::timeline::MAX_ENTRIES;
use serde_json::{Value, json};

const INQUIRY: &str = "inq_StoryTold01";
/// 2026-11-22T10:00:00Z: the events' created-at count from here, a minute apart.
const BASE_MS: i64 = 1_795_341_600_000;

/// Kills the `serve` it holds when the test ends, however it ends.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A made-up event about `resource` created `minute` minutes after BASE_MS.
fn event(name: &str, resource: &str, minute: i64) -> Value {
    let sample = sample::generate(&Options {
        seed: Some(14),
        resource_id: Some(resource.to_string()),
        ..Options::new(name, BASE_MS + minute * 60_000)
    })
    .expect("a sample");
    serde_json::from_slice(&sample.body).expect("the sample is JSON")
}

/// Posts `body`, signed now, with Persona's attempt headers when given; the stored id.
async fn deliver(url: &str, body: &Value, attempt: Option<(u32, u32)>) -> i64 {
    let bytes = serde_json::to_vec(body).expect("JSON");
    let mut request = client()
        .post(format!("{url}/hook"))
        .header("persona-signature", persona_signature(SECRET, &bytes))
        .body(bytes);
    if let Some((made, left)) = attempt {
        request = request
            .header("persona-webhook-attempts-made", made.to_string())
            .header("persona-webhook-attempts-left", left.to_string())
            .header(
                "persona-webhook-first-attempted-at",
                (BASE_MS / 1000).to_string(),
            );
    }
    let response = request.send().await.expect("request");
    assert_eq!(response.status(), 200);
    let answer: Value =
        serde_json::from_slice(&response.bytes().await.expect("answer")).expect("JSON answer");
    answer["delivery_id"]
        .as_i64()
        .expect("the answer names the delivery")
}

fn cli_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let output = inspector(dir).args(args).output().expect("run");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the output is JSON")
}

fn cli_text(dir: &std::path::Path, args: &[&str]) -> String {
    let output = inspector(dir).args(args).output().expect("run");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn strings(values: &Value) -> Vec<String> {
    values
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

#[tokio::test]
async fn one_inquiry_told_out_of_order_duplicated_changed_and_contradicted() {
    let dir = tempfile::tempdir().expect("temp");
    let (child, url, _printed) = serve(dir.path(), &["--secret", &format!("current={SECRET}")]);
    let _serving = Serving(child);

    let created = event("inquiry.created", INQUIRY, 0);
    let started = event("inquiry.started", INQUIRY, 1);
    let completed = event("inquiry.completed", INQUIRY, 2);
    let approved = event("inquiry.approved", INQUIRY, 3);
    let failed = event("inquiry.failed", INQUIRY, 4);
    let mut changed = approved.clone();
    changed["data"]["attributes"]["payload"]["data"]["attributes"]["note"] =
        json!("changed on the way");
    // A verification whose relationships name the inquiry: about another resource.
    let mut verification = event("verification.passed", "ver_StoryTold01", 5);
    let payload = &mut verification["data"]["attributes"]["payload"];
    payload["data"]["relationships"]["inquiry"]["data"]["id"] = json!(INQUIRY);
    payload["included"][0]["id"] = json!(INQUIRY);
    // An account whose body holds the id as mere text: found by the search, not a mention.
    let mut account = event("account.created", "act_StoryTold01", 6);
    account["data"]["attributes"]["payload"]["data"]["attributes"]["reference-id"] = json!(INQUIRY);

    // Arrival: created, completed, started (late), the approval three times (attempt 3 lost,
    // the last copy's body changed), failed, then the two others.
    let id_created = deliver(&url, &created, None).await;
    let id_completed = deliver(&url, &completed, None).await;
    let id_started = deliver(&url, &started, None).await;
    let id_approved = [
        deliver(&url, &approved, Some((1, 7))).await,
        deliver(&url, &approved, Some((2, 6))).await,
        deliver(&url, &changed, Some((4, 4))).await,
    ];
    let id_failed = deliver(&url, &failed, None).await;
    let id_verification = deliver(&url, &verification, None).await;
    deliver(&url, &account, None).await;

    // Read while `serve` still runs: the CLI shares its database and search index.
    let timeline = cli_json(dir.path(), &["timeline", INQUIRY, "--json"]);
    assert_eq!(
        timeline["resource"],
        json!({"type": "inquiry", "id": INQUIRY})
    );
    let entries = timeline["entries"].as_array().expect("entries");
    let row = |e: &Value| {
        (
            e["delivery_id"].as_i64().expect("id"),
            e["arrival_rank"].as_u64().expect("rank"),
            e["event_name"].as_str().expect("name").to_string(),
            e["status"].as_str().expect("status").to_string(),
            strings(&e["flags"]),
        )
    };
    let flags = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let expected = vec![
        (id_created, 1, "inquiry.created", "created", flags(&[])),
        (
            id_started,
            3,
            "inquiry.started",
            "pending",
            flags(&["out_of_order", "status_regression"]),
        ),
        (
            id_completed,
            2,
            "inquiry.completed",
            "completed",
            flags(&[]),
        ),
        (
            id_approved[0],
            4,
            "inquiry.approved",
            "approved",
            flags(&["conflicting_outcome"]),
        ),
        (
            id_approved[1],
            5,
            "inquiry.approved",
            "approved",
            flags(&["duplicate", "conflicting_outcome"]),
        ),
        (
            id_approved[2],
            6,
            "inquiry.approved",
            "approved",
            flags(&["duplicate", "conflicting_outcome"]),
        ),
        (
            id_failed,
            7,
            "inquiry.failed",
            "failed",
            flags(&["conflicting_outcome", "status_regression"]),
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(id, rank, name, status, f)| (id, rank, name.to_string(), status.to_string(), f))
        .collect();
    assert_eq!(entries.iter().map(row).collect::<Vec<_>>(), expected);
    // Created-at order, each with its arrival time.
    let created_at: Vec<&str> = entries
        .iter()
        .map(|e| e["event_created_at"].as_str().expect("created-at"))
        .collect();
    assert!(created_at.is_sorted(), "{created_at:?}");
    assert!(entries.iter().all(|e| e["received_at"].is_string()));
    assert_eq!(entries[0]["event_id"], created["data"]["id"]);
    assert_eq!(timeline["total_entries"], 7);

    assert_eq!(timeline["mentioned_in"], json!([id_verification]));
    assert_eq!(
        timeline["mentions"][0]["about"],
        json!({"type": verification["data"]["attributes"]["payload"]["data"]["type"],
               "id": "ver_StoryTold01"})
    );
    assert_eq!(timeline["mentions"][0]["via"], "relationship");

    let summary: Vec<(String, Vec<i64>, bool)> = timeline["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| {
            (
                f["flag"].as_str().expect("flag").to_string(),
                f["delivery_ids"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .map(|id| id.as_i64().expect("id"))
                    .collect(),
                f["why"].as_str().is_some_and(|why| why.len() > 40),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("out_of_order".to_string(), vec![id_started], true),
            (
                "duplicate".to_string(),
                vec![id_approved[1], id_approved[2]],
                true
            ),
            (
                "conflicting_outcome".to_string(),
                vec![id_approved[0], id_approved[1], id_approved[2], id_failed],
                true
            ),
            (
                "status_regression".to_string(),
                vec![id_started, id_failed],
                true
            ),
        ]
    );

    // The approval's retry chain, from any of its copies.
    let list = cli_json(dir.path(), &["list", "--json", "--limit", "50"]);
    let received_ms = |id: i64| {
        list.as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["received_at_ms"].as_i64())
            .expect("listed")
    };
    let show = cli_json(dir.path(), &["show", &id_approved[1].to_string(), "--json"]);
    let chain = show["retry_chain"].as_array().expect("retry_chain");
    let copies: Vec<(i64, Option<u64>, Option<u64>, bool)> = chain
        .iter()
        .map(|c| {
            (
                c["delivery_id"].as_i64().expect("id"),
                c["attempt"].as_u64(),
                c["expected_seconds"].as_u64(),
                c["same_body"].as_bool().expect("same_body"),
            )
        })
        .collect();
    assert_eq!(
        copies,
        [
            (id_approved[0], Some(1), None, true),
            (
                id_approved[1],
                Some(2),
                Some(PERSONA_RETRY_SCHEDULE_S[0]),
                true
            ),
            (
                id_approved[2],
                Some(4),
                Some(PERSONA_RETRY_SCHEDULE_S[1] + PERSONA_RETRY_SCHEDULE_S[2]),
                false
            ),
        ]
    );
    assert_eq!(chain[0]["seconds_since_previous"], Value::Null);
    for pair in [0, 1] {
        let since = (received_ms(id_approved[pair + 1]) - received_ms(id_approved[pair])) as f64;
        assert_eq!(
            chain[pair + 1]["seconds_since_previous"].as_f64(),
            Some(since / 1000.0)
        );
    }
    assert_eq!(chain[1]["attempts_left"], 6);
    assert_eq!(chain[1]["first_attempted_at"], BASE_MS / 1000);
    assert!(chain.iter().all(|c| c["received_at"].is_string()));
    assert_eq!(show["retry_chain_missing_attempts"], json!([3]));
    let notes = strings(&show["retry_chain_notes"]);
    assert!(notes.iter().any(|n| n.contains("attempt 3")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&format!("#{}", id_approved[2]))),
        "{notes:?}"
    );
    // Delivered once: no chain.
    let once = cli_json(dir.path(), &["show", &id_failed.to_string(), "--json"]);
    assert_eq!(once["retry_chain"], json!([]));
    assert_eq!(once["retry_chain_notes"], json!([]));

    // The readable forms.
    let text = cli_text(dir.path(), &["timeline", INQUIRY]);
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} in:\n{text}"))
    };
    assert!(at("inquiry.created") < at("inquiry.started"));
    assert!(at("inquiry.started") < at("inquiry.completed"));
    assert!(lines[at("inquiry.started")].contains("out_of_order, status_regression"));
    assert!(at("inquiry.failed") < at("Mentioned in"));
    assert!(lines[at("Mentioned in") + 1].contains(&format!("#{id_verification}")));
    for flag in [
        "out_of_order",
        "duplicate",
        "conflicting_outcome",
        "status_regression",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.trim_start().starts_with(&format!("{flag} ("))),
            "{flag} explained in:\n{text}"
        );
    }
    let show = cli_text(dir.path(), &["show", &id_approved[2].to_string()]);
    assert!(show.contains("Retry chain (3 copies"), "{show}");
    assert!(show.contains("← this one"), "{show}");
    assert!(show.contains("body differs from the first copy"), "{show}");
    let once = cli_text(dir.path(), &["show", &id_failed.to_string()]);
    assert!(!once.contains("Retry chain"), "{once}");
}

#[test]
fn an_id_nothing_names_is_an_empty_timeline_and_an_empty_id_an_error() {
    let dir = tempfile::tempdir().expect("temp");
    let timeline = cli_json(dir.path(), &["timeline", "inq_Nobody", "--json"]);
    assert_eq!(
        timeline["resource"],
        json!({"type": null, "id": "inq_Nobody"})
    );
    assert_eq!(timeline["entries"], json!([]));
    assert_eq!(timeline["mentioned_in"], json!([]));
    assert_eq!(timeline["flags"], json!([]));
    let text = cli_text(dir.path(), &["timeline", "inq_Nobody"]);
    assert!(
        text.contains("no stored delivery is about inq_Nobody"),
        "{text}"
    );
    for id in ["", "   ", "\"", "!!"] {
        let output = inspector(dir.path())
            .args(["timeline", id])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{id:?}: {stderr}");
        if id.trim().is_empty() {
            assert!(!output.status.success());
            assert!(stderr.contains("the resource id is empty"), "{stderr}");
        } else {
            assert!(output.status.success(), "{id:?}: {stderr}");
        }
    }
}

#[test]
fn a_resource_with_more_deliveries_than_the_cap_lists_the_first_and_says_so() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let count = MAX_ENTRIES as i64 + 5;
    let deliveries: Vec<NewDelivery> = (0..count)
        .map(|n| {
            // Stored newest-created first: the cap must keep the earliest created.
            let body = event("inquiry.transitioned", "inq_Busy", count - n);
            let arrival = Arrival {
                received_at_ms: BASE_MS + n,
                method: "POST".into(),
                path: "/hook".into(),
                query: None,
                remote_addr: None,
                headers: Vec::new(),
            };
            let bytes = serde_json::to_vec(&body).expect("JSON");
            NewDelivery::captured(arrival, bytes, &Verification::default())
        })
        .collect();
    store.insert_many(deliveries).expect("insert");
    let timeline = store.timeline("inq_Busy").expect("timeline");
    assert_eq!(timeline.entries.len(), MAX_ENTRIES as usize);
    assert_eq!(timeline.total_entries, count as u64);
    assert_eq!(timeline.entries[0].arrival_rank, MAX_ENTRIES);
    assert_eq!(timeline.entries[MAX_ENTRIES as usize - 1].arrival_rank, 1);
    assert!(
        timeline
            .notes
            .iter()
            .any(|n| n.contains(&count.to_string())),
        "{:?}",
        timeline.notes
    );
    // Each arrived after every later-created one: all but the first to arrive are out of order.
    let out_of_order = timeline
        .flags
        .iter()
        .find(|f| f.flag.as_str() == "out_of_order")
        .expect("out_of_order");
    assert_eq!(out_of_order.delivery_ids.len(), MAX_ENTRIES as usize - 1);
}
