//! `check-endpoint`: Persona's cases sent to real handlers written here — one correct, one that
//! verifies like the wrong example in the seeds (a bare hex HMAC of the body), one slow — over
//! real sockets, recorded in a real SQLite file, through the core, the session and the binary.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use common::target::{Check, check, closed_port, serve_target};
use common::*;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use persona_inspector::endpoint_check::{self, Plan};
use persona_inspector::model::{CaseVerdict, CheckRun, Secret};
use persona_inspector::redeliver::Client;
use persona_inspector::session::Session;
use persona_inspector::store::{Purge, Store};
use persona_inspector::{Error, model};

/// The cases a handler that compares the header with a bare HMAC of the body fails: it
/// refuses everything Persona really sends and accepts the bare HMAC.
const SEED_004_FAILS: [&str; 5] = [
    "signed",
    "rotation",
    "bare-hmac",
    "duplicate",
    "out-of-order",
];

fn secret() -> Secret {
    Secret {
        label: "current".into(),
        value: SECRET.into(),
    }
}

/// What the correct handler accepted: how many deliveries of each event id.
type Accepted = Arc<Mutex<HashMap<String, u32>>>;

#[derive(Clone, Default)]
struct Handler {
    accepted: Accepted,
    /// How long it takes over a delivery it accepts.
    delay: Duration,
}

/// A correct Persona handler: HMAC-SHA256 over "<t>.<raw body>", any of the pairs, refusing a
/// t older than 5 minutes (`common::target::check`); idempotent on the event id; 200.
async fn correct(State(handler): State<Handler>, request: Request) -> StatusCode {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let body = body.collect().await.expect("body").to_bytes();
    let signature = parts
        .headers
        .get("persona-signature")
        .and_then(|v| v.to_str().ok());
    match check(signature, &body) {
        Check::Valid => {}
        Check::Missing => return StatusCode::BAD_REQUEST,
        Check::Stale | Check::Invalid => return StatusCode::UNAUTHORIZED,
    }
    tokio::time::sleep(handler.delay).await;
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let id = event["data"]["id"].as_str().unwrap_or_default().to_string();
    // The work is done for the first delivery of an event id only; a retry is acknowledged
    // all the same. (Here the work is counting.)
    *handler
        .accepted
        .lock()
        .expect("accepted")
        .entry(id)
        .or_default() += 1;
    StatusCode::OK
}

/// Verifies as the seeds' wrong example does: the whole header compared with the hex
/// HMAC-SHA256 of the body alone under the secret.
async fn like_seed_004(request: Request) -> StatusCode {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(&body);
    let expected = hex::encode(mac.finalize().into_bytes());
    let header = parts
        .headers
        .get("persona-signature")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    match header == expected.as_bytes() {
        true => StatusCode::OK,
        false => StatusCode::UNAUTHORIZED,
    }
}

async fn correct_handler(delay: Duration) -> (String, Accepted) {
    let handler = Handler {
        delay,
        ..Handler::default()
    };
    let accepted = handler.accepted.clone();
    let url = serve_target(Router::new().fallback(correct).with_state(handler)).await;
    (format!("{url}/webhooks/persona"), accepted)
}

async fn seed_004_handler() -> String {
    let url = serve_target(Router::new().fallback(like_seed_004)).await;
    format!("{url}/webhooks/persona")
}

fn failing(report: &serde_json::Value) -> BTreeSet<String> {
    cases(report)
        .filter(|c| c["verdict"] == "fail")
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect()
}

fn cases(report: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    report["cases"].as_array().expect("cases").iter()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_handler_passes_every_case_and_the_exit_code_is_0() {
    let (url, accepted) = correct_handler(Duration::ZERO).await;
    let dir = tempfile::tempdir().expect("temp");
    let secret = format!("current={SECRET}");
    let output = run_cli(
        dir.path(),
        &["check-endpoint", &url, "--secret", &secret, "--json"],
    )
    .await;
    let report = stdout_json(&output);
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["url"], url.as_str());
    assert_eq!(report["passed"], true);
    let names: Vec<&str> = cases(&report)
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, endpoint_check::case_names());
    for case in cases(&report) {
        for key in [
            "name",
            "expectation",
            "status",
            "error",
            "ms",
            "verdict",
            "advice",
        ] {
            assert!(case.get(key).is_some(), "each case has {key}: {case}");
        }
        assert_eq!(case["verdict"], "pass", "{case:#}");
        assert!(case["ms"].as_f64().expect("ms") >= 0.0);
        assert!(case["error"].is_null(), "{case}");
    }
    let status_of = |name: &str| {
        cases(&report)
            .find(|c| c["name"] == name)
            .map(|c| c["status"].clone())
            .expect("case")
    };
    assert_eq!(status_of("signed"), 200);
    assert_eq!(status_of("no-signature"), 400);
    assert_eq!(
        status_of("old-timestamp"),
        401,
        "the old timestamp is refused"
    );
    let duplicate = cases(&report)
        .find(|c| c["name"] == "duplicate")
        .expect("duplicate");
    assert!(
        duplicate["advice"]
            .as_str()
            .expect("advice")
            .contains("check in your app that the second delivery"),
        "the report says what to check by hand: {duplicate}"
    );
    // What the handler accepted: one event id twice (the duplicate), four others once each
    // (signed, rotation and out-of-order's two).
    let accepted = accepted.lock().expect("accepted").clone();
    let mut counts: Vec<u32> = accepted.values().copied().collect();
    counts.sort();
    assert_eq!(counts, [1, 1, 1, 1, 2], "{accepted:?}");

    // The same in words, and the run recorded.
    let output = run_cli(dir.path(), &["check-endpoint", &url, "--secret", &secret]).await;
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.contains("✓ signed "), "{printed}");
    assert!(
        printed.contains("10 passed, 0 warned, 0 failed: every must-case passed"),
        "{printed}"
    );
    assert!(
        printed.contains("--show 2"),
        "the second run is #2: {printed}"
    );
    let listed = stdout_json(&run_cli(dir.path(), &["check-endpoint", "--list", "--json"]).await);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["id"], 2);
    assert_eq!(listed[0]["passes"], 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_verifies_like_the_wrong_seed_fails_exactly_its_cases_and_exits_1() {
    let url = seed_004_handler().await;
    let dir = tempfile::tempdir().expect("temp");
    let output = run_cli(
        dir.path(),
        &[
            "check-endpoint",
            &url,
            "--secret",
            &format!("current={SECRET}"),
            "--json",
        ],
    )
    .await;
    let report = stdout_json(&output);
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    assert_eq!(report["passed"], false);
    let expected: BTreeSet<String> = SEED_004_FAILS.iter().map(|s| s.to_string()).collect();
    assert_eq!(failing(&report), expected, "{report:#}");
    for case in cases(&report).filter(|c| c["verdict"] != "fail") {
        assert_eq!(case["verdict"], "pass", "{case:#}");
        assert_eq!(case["status"], 401, "{case:#}");
    }
    let advice = |name: &str| {
        cases(&report)
            .find(|c| c["name"] == name)
            .and_then(|c| c["advice"].as_str().map(str::to_string))
            .expect("advice")
    };
    assert!(
        advice("bare-hmac").contains("bare hex HMAC of the body"),
        "{}",
        advice("bare-hmac")
    );
    assert!(
        advice("signed").contains("\"<t>.<raw body>\""),
        "{}",
        advice("signed")
    );
    assert!(
        advice("out-of-order").contains("`signed` failed too"),
        "{}",
        advice("out-of-order")
    );
    assert!(
        advice("duplicate").starts_with("On the first delivery: "),
        "a case of two requests says which: {}",
        advice("duplicate")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_loads_back_with_every_request_and_answer() {
    let url = seed_004_handler().await;
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let client = Client::new().expect("client");
    let plan = Plan::new(&url, secret(), Some("verification.passed")).expect("plan");
    let mut told = Vec::new();
    let run = endpoint_check::check(&client, &store, &plan, |case| told.push(case.name.clone()))
        .await
        .expect("checked");
    assert_eq!(
        told,
        endpoint_check::case_names(),
        "told each case as it finished"
    );
    assert_eq!(run.check.event, "verification.passed");
    let loaded = store.check_run(run.id).expect("loads");
    assert_eq!(loaded, run, "the run reads back as it was reported");

    for case in &loaded.check.cases {
        let two = matches!(case.name.as_str(), "duplicate" | "out-of-order");
        assert_eq!(
            case.attempts.len(),
            if two { 2 } else { 1 },
            "{}",
            case.name
        );
        for attempt in &case.attempts {
            assert_eq!(attempt.method, "POST");
            assert_eq!(attempt.url, url);
            assert!(
                attempt.edited_body.as_ref().is_some_and(|b| !b.is_empty()),
                "the body sent is kept: {}",
                case.name
            );
            let answer = attempt.answer.as_ref().expect("answered");
            assert!(matches!(answer.status, 200 | 401), "{}", case.name);
        }
    }
    let signature = |name: &str| {
        let case = loaded
            .check
            .cases
            .iter()
            .find(|c| c.name == name)
            .expect("case");
        model::header(&case.attempts[0].headers, "persona-signature")
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    assert_eq!(signature("no-signature"), None);
    assert_eq!(
        signature("rotation").map(|h| h.split(' ').count()),
        Some(2),
        "two pairs"
    );
    let bare = signature("bare-hmac").expect("header");
    assert!(bare.len() == 64 && !bare.contains('='), "{bare}");
    let out_of_order = loaded
        .check
        .cases
        .iter()
        .find(|c| c.name == "out-of-order")
        .expect("case");
    let names: Vec<String> = out_of_order
        .attempts
        .iter()
        .map(|a| {
            let body: serde_json::Value =
                serde_json::from_slice(a.edited_body.as_deref().expect("body")).expect("JSON");
            body["data"]["attributes"]["name"]
                .as_str()
                .expect("name")
                .to_string()
        })
        .collect();
    assert_eq!(names, ["inquiry.approved", "inquiry.completed"]);

    // `--show` prints them; a purge of everything takes the runs too.
    let output = run_cli(
        dir.path(),
        &["check-endpoint", "--show", &run.id.to_string()],
    )
    .await;
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    assert!(printed.contains("✗ bare-hmac — fail"), "{printed}");
    assert!(printed.contains("persona-signature: t="), "{printed}");
    assert!(printed.contains("→ 401 Unauthorized in "), "{printed}");
    let shown = stdout_json(
        &run_cli(
            dir.path(),
            &["check-endpoint", "--show", &run.id.to_string(), "--json"],
        )
        .await,
    );
    assert_eq!(shown["id"], run.id);
    assert_eq!(
        shown["cases"][8]["attempts"].as_array().map(Vec::len),
        Some(2)
    );

    tokio::task::spawn_blocking(move || {
        store.purge(Purge::All).expect("purged");
        assert!(store.check_runs(10).expect("listed").is_empty());
        assert!(matches!(store.check_run(run.id), Err(Error::NoCheckRun(_))));
    })
    .await
    .expect("joined");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_fails_the_cases_it_answers_too_late() {
    // Held to 200 ms instead of Persona's 5 s, so the test need not wait 5 s per answer; each
    // request may take 5 s, so the slow answers are measured, never cut off.
    let (url, _) = correct_handler(Duration::from_millis(500)).await;
    let mut plan = Plan::new(&url, secret(), None)
        .expect("plan")
        .with_limit(Duration::from_millis(200));
    plan.timeout = Duration::from_secs(5);
    let client = Client::new().expect("client");
    let check = endpoint_check::run(&client, &plan, |_| {})
        .await
        .expect("ran");
    assert!(!check.passed);
    assert_eq!(check.limit_ms, 200);
    for case in &check.cases {
        match case.name.as_str() {
            "signed" | "rotation" | "duplicate" | "out-of-order" => {
                assert_eq!(case.verdict, CaseVerdict::Fail, "{case:#?}");
                assert_eq!(case.status, Some(200), "answered, but late: {case:#?}");
                assert!(case.ms >= 500.0, "{case:#?}");
                assert!(
                    case.advice.contains("only after") && case.advice.contains("200 ms"),
                    "{}",
                    case.advice
                );
            }
            _ => assert_eq!(
                case.verdict,
                CaseVerdict::Pass,
                "refused at once: {case:#?}"
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_url_is_refused_with_the_reason_and_nothing_recorded() {
    let url = format!("http://127.0.0.1:{}/webhooks/persona", closed_port());
    let dir = tempfile::tempdir().expect("temp");
    let output = run_cli(
        dir.path(),
        &[
            "check-endpoint",
            &url,
            "--secret",
            &format!("current={SECRET}"),
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("could not reach {url}: nothing is listening on"))
            && stderr.contains("is your app running?"),
        "{stderr}"
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!printed.contains("bare-hmac"), "no case ran: {printed}");
    let listed = stdout_json(&run_cli(dir.path(), &["check-endpoint", "--list", "--json"]).await);
    assert_eq!(listed, serde_json::json!([]), "no run recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_are_clear_errors_before_anything_is_sent() {
    // Unreachable, so any error about reaching it would mean the arguments were not checked
    // first.
    let closed = format!("http://127.0.0.1:{}/", closed_port());
    let url = closed.as_str();
    let secret = format!("current={SECRET}");
    let dir = tempfile::tempdir().expect("temp");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![url, "--secret", "=wbhsec_x"], "nothing before '='"),
        (vec![url, "--secret", "current="], "nothing after '='"),
        (vec![url], "needs the secret your handler verifies with"),
        (
            vec![url, "--secret", &secret, "--event", "inquiry.complete"],
            "did you mean inquiry.completed",
        ),
        (vec!["ftp://example.com/", "--secret", &secret], "http"),
        (vec!["--show", "42"], "no endpoint check with id 42"),
        (vec![], "required"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["check-endpoint"];
        all.extend(&args);
        let output = run_cli(dir.path(), &all).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} fails");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("could not reach"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_checks_with_a_saved_secret_and_lists_the_runs() {
    let (url, _) = correct_handler(Duration::ZERO).await;
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    session
        .read(|store| store.add_secret("current", SECRET))
        .await
        .expect("saved");
    let mut finished = 0;
    let run: CheckRun = session
        .check_endpoint(&url, "current", None, |_| finished += 1)
        .await
        .expect("checked");
    assert!(run.check.passed, "{run:#?}");
    assert_eq!(finished, run.check.cases.len());
    let listed = session.endpoint_checks(10).await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].passes, listed[0].failures),
        (run.id, 10, 0)
    );
    assert_eq!(session.endpoint_check(run.id).await.expect("loaded"), run);

    let unknown = session
        .check_endpoint(&url, "old", None, |_| {})
        .await
        .expect_err("no such label");
    assert_eq!(unknown.kind(), "invalid");
    assert!(unknown.to_string().contains("\"current\""), "{unknown}");
    let closed = format!("http://127.0.0.1:{}/", closed_port());
    let unreachable = session
        .check_endpoint(&closed, "current", None, |_| {})
        .await
        .expect_err("unreachable");
    assert_eq!(unreachable.kind(), "send", "{unreachable}");
    let missing = session.endpoint_check(run.id + 1).await.expect_err("none");
    assert_eq!(missing.kind(), "not_found");
    assert_eq!(session.endpoint_checks(10).await.expect("listed").len(), 1);
    session.stop().await.expect("stopped");
}
