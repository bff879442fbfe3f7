//! Re-delivering one stored delivery by hand (`Client`, the CLI's `resend`) over real HTTP
//! to real local servers on port 0, recorded in a real SQLite file.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use common::redelivery::*;
use common::target::*;
use common::unverified::*;
use common::*;
use persona_inspector::model::{FailureKind, Secret, Signing};
use persona_inspector::redeliver::{Client, Options};
use persona_inspector::store::{Purge, Store};

#[tokio::test]
async fn a_resigned_delivery_passes_the_handler_and_a_kept_one_passes_until_stale() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = inquiry_event("evt_fresh", "inq_1", 0);

    let fresh = f.signed(now(), &body).await;
    let kept = f.redeliver(fresh, &Options::new(&url)).await;
    assert_eq!(
        kept.attempt.answer.as_ref().map(|a| a.status),
        Some(200),
        "a fresh kept signature passes: {kept:?}"
    );

    let two_hours_ago = now() - 7_200;
    let old = f.arrived(two_hours_ago, &body).await;
    let replay = f.redeliver(old, &Options::new(&url)).await;
    let answer = replay.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 401, "the handler rejects the stale replay");
    assert!(!answer.persona_success);
    assert_eq!(answer.body, b"signature rejected");
    assert!(replay.attempt.describe().contains("401 Unauthorized in"));

    let resigned = f
        .redeliver(
            old,
            &Options {
                signing: resign(),
                ..Options::new(&url)
            },
        )
        .await;
    let answer = resigned.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 200, "{resigned:?}");
    assert!(answer.persona_success, "200 in well under 5 s");
    assert!(resigned.attempt.describe().starts_with("→ 200 OK in "));
    assert_eq!(
        answer
            .headers
            .iter()
            .find(|(n, _)| n == "x-handler")
            .map(|(_, v)| v.as_slice()),
        Some(&b"yes"[..]),
        "response headers are kept"
    );

    let checks: Vec<Check> = log.lock().expect("log").iter().map(|r| r.check).collect();
    assert_eq!(checks, [Check::Valid, Check::Stale, Check::Valid]);
    let received = log.lock().expect("log")[2].clone();
    let t: i64 = received
        .header("persona-signature")
        .and_then(|s| s.strip_prefix("t=")?.split(',').next()?.parse().ok())
        .expect("t");
    assert!(
        (now() - t).abs() <= 5,
        "the new signature carries a fresh t"
    );
    assert_eq!(
        received
            .headers
            .iter()
            .filter(|(n, _)| n == "persona-signature")
            .count(),
        1,
        "the old signature is replaced, not added to"
    );
}

#[tokio::test]
async fn the_body_arrives_byte_for_byte_even_when_not_utf8() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body: Vec<u8> = vec![
        0xff, 0x00, 0xfe, b'{', b'\n', 0x80, b' ', b'}', b'\r', b'\n',
    ];
    let signature = persona_signature(SECRET, &body);
    let id = f
        .deliver(
            "/",
            None,
            h(&[
                ("content-type", b"application/octet-stream"),
                ("persona-signature", signature.as_bytes()),
            ]),
            &body,
        )
        .await;
    let sent = f
        .redeliver(
            id,
            &Options {
                signing: resign(),
                ..Options::new(&url)
            },
        )
        .await;
    assert_eq!(sent.attempt.answer.as_ref().map(|a| a.status), Some(200));
    let received = log.lock().expect("log")[0].clone();
    assert_eq!(received.body, body, "exact bytes");
    assert_eq!(received.check, Check::Valid, "signed over the raw bytes");
    assert_eq!(received.header("content-length").as_deref(), Some("10"));
    assert_eq!(sent.attempt.body_size, 10);
    assert_eq!(
        sent.attempt.edited_body, None,
        "the stored body is not copied"
    );
}

#[tokio::test]
async fn hop_by_hop_headers_stay_behind_and_host_is_the_targets() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = b"{}";
    let signature = persona_inspector::signature::sign(SECRET, now(), body);
    let id = f
        .deliver(
            "/",
            None,
            h(&[
                ("host", b"abc123.ngrok-free.app"),
                ("user-agent", b"Persona-Webhook/1.0"),
                ("accept", b"application/json"),
                ("connection", b"keep-alive, x-hop"),
                ("x-hop", b"named in Connection"),
                ("keep-alive", b"timeout=5"),
                ("proxy-authorization", b"Basic eDp5"),
                ("te", b"trailers"),
                ("transfer-encoding", b"chunked"),
                ("upgrade", b"h2c"),
                ("content-length", b"999"),
                ("x-forwarded-for", b"203.0.113.9"),
                ("persona-webhook-attempts-made", b"2"),
                ("x-multi", b"one"),
                ("x-multi", b"two"),
                ("content-type", b"application/json"),
                ("persona-signature", signature.as_bytes()),
            ]),
            body,
        )
        .await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    assert_eq!(
        sent.attempt.answer.as_ref().map(|a| a.status),
        Some(200),
        "{sent:?}"
    );
    let received = log.lock().expect("log")[0].clone();
    let host = url.trim_start_matches("http://");
    assert_eq!(received.header("host").as_deref(), Some(host));
    assert_eq!(received.header("content-length").as_deref(), Some("2"));
    for gone in [
        "connection",
        "x-hop",
        "keep-alive",
        "proxy-authorization",
        "te",
        "transfer-encoding",
        "upgrade",
    ] {
        assert_eq!(received.header(gone), None, "{gone} must not be forwarded");
    }
    for (name, value) in [
        ("user-agent", "Persona-Webhook/1.0"),
        ("accept", "application/json"),
        ("x-forwarded-for", "203.0.113.9"),
        ("persona-webhook-attempts-made", "2"),
        ("content-type", "application/json"),
        ("persona-signature", signature.as_str()),
    ] {
        assert_eq!(received.header(name).as_deref(), Some(value), "{name}");
    }
    let multi: Vec<&[u8]> = received
        .headers
        .iter()
        .filter(|(n, _)| n == "x-multi")
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(
        multi,
        [&b"one"[..], &b"two"[..]],
        "repeated headers keep both values"
    );
    assert_eq!(received.method, "POST");
    let recorded: Vec<&str> = sent
        .attempt
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(
        !recorded.contains(&"host") && !recorded.contains(&"connection"),
        "the record lists what was sent: {recorded:?}"
    );
}

#[tokio::test]
async fn the_original_path_and_query_are_appended_to_the_target() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = b"{}";
    let headers = h(&[(
        "persona-signature",
        persona_inspector::signature::sign(SECRET, now(), body).as_bytes(),
    )]);
    let id = f
        .deliver(
            "/webhooks/persona",
            Some("source=ngrok&x=%2F"),
            headers,
            body,
        )
        .await;
    for (target, keep_path, want) in [
        (
            format!("{url}/base/?k=v"),
            true,
            "/base/webhooks/persona?k=v&source=ngrok&x=%2F",
        ),
        (url.clone(), true, "/webhooks/persona?source=ngrok&x=%2F"),
        (format!("{url}/only"), false, "/only"),
    ] {
        let sent = f
            .redeliver(
                id,
                &Options {
                    keep_path,
                    ..Options::new(&target)
                },
            )
            .await;
        let received = log.lock().expect("log").last().cloned().expect("received");
        assert_eq!(received.uri, want, "{target} keep_path={keep_path}");
        assert_eq!(sent.attempt.url, format!("{url}{want}"));
        assert_eq!(
            sent.attempt.target, target,
            "the target is recorded as typed"
        );
    }
}

#[tokio::test]
async fn a_500_is_a_recorded_answer_that_persona_would_retry() {
    let f = Fixture::new();
    let url = serve_target(
        Router::new().fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
    )
    .await;
    let id = f.signed(now(), b"{}").await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    let answer = sent.attempt.answer.as_ref().expect("a 500 is an answer");
    assert_eq!((answer.status, answer.body.as_slice()), (500, &b"boom"[..]));
    assert!(!answer.persona_success);
    assert!(sent.attempt.failure.is_none());
    let line = sent.attempt.describe();
    assert!(
        line.starts_with("→ 500 Internal Server Error in ")
            && line.ends_with("— Persona would count this as a failure and retry"),
        "{line}"
    );
    let history = f.store.redeliveries(id).expect("history");
    assert_eq!(history, [sent], "read back exactly as recorded");
}

#[tokio::test]
async fn a_target_that_never_answers_times_out_with_a_plain_reason() {
    let f = Fixture::new();
    let url = silent_target().await;
    let id = f.signed(now(), b"{}").await;
    let started = Instant::now();
    let sent = f
        .redeliver(
            id,
            &Options {
                timeout_ms: 300,
                ..Options::new(&url)
            },
        )
        .await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(
        failure.message,
        "no answer within 300 ms — Persona would wait up to 5 s"
    );
    assert!(sent.attempt.answer.is_none());
    assert!(sent.attempt.duration_ms >= 300.0);
    assert_eq!(
        sent.attempt.describe(),
        "✗ no answer within 300 ms — Persona would wait up to 5 s"
    );
}

#[tokio::test]
async fn a_closed_port_says_nothing_is_listening() {
    let f = Fixture::new();
    let port = closed_port();
    let id = f.signed(now(), b"{}").await;
    let sent = f
        .redeliver(id, &Options::new(format!("http://127.0.0.1:{port}/hooks")))
        .await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::NotListening);
    assert_eq!(
        failure.message,
        format!("nothing is listening on 127.0.0.1:{port} — is your app running?")
    );
    let recorded = f.store.redeliveries(id).expect("history");
    assert_eq!(recorded[0].attempt.failure.as_ref(), Some(failure));
}

#[tokio::test]
async fn tls_and_dns_failures_are_named() {
    let f = Fixture::new();
    let (url, _log) = recording_target().await;
    let id = f.signed(now(), b"{}").await;
    let https = url.replace("http://", "https://");
    let sent = f.redeliver(id, &Options::new(&https)).await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Tls, "{failure:?}");
    assert!(
        failure
            .message
            .starts_with("TLS handshake with 127.0.0.1 failed: ")
            && failure.message.contains("try http://"),
        "{}",
        failure.message
    );

    let sent = f
        .redeliver(
            id,
            &Options {
                timeout_ms: 3000,
                ..Options::new("http://no-such-host.invalid/hooks")
            },
        )
        .await;
    let failure = sent.attempt.failure.as_ref().expect("no answer");
    assert_eq!(failure.kind, FailureKind::Dns, "{failure:?}");
    assert!(
        failure
            .message
            .starts_with("could not resolve host no-such-host.invalid"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn an_invalid_url_is_refused_before_anything_is_sent() {
    let f = Fixture::new();
    let id = f.signed(now(), b"{}").await;
    for (target, says) in [
        ("localhost:3000/hooks", "write http://localhost:3000/hooks"),
        ("ftp://example.com/", "only http:// and https://"),
        ("", "no URL to send to"),
    ] {
        let error = f
            .forwarder
            .redeliver(&f.store, id, &Options::new(target))
            .await
            .expect_err("refused");
        assert!(error.to_string().contains(says), "{target:?}: {error}");
    }
    let error = f
        .forwarder
        .redeliver(
            &f.store,
            id,
            &Options {
                signing: Signing::Resign {
                    secret: "staging".into(),
                },
                ..Options::new("http://127.0.0.1:1")
            },
        )
        .await
        .expect_err("unknown label");
    assert!(
        error
            .to_string()
            .contains("no secret is labelled \"staging\""),
        "{error}"
    );
    let error = f
        .forwarder
        .redeliver(&f.store, 999, &Options::new("http://127.0.0.1:1"))
        .await
        .expect_err("unknown delivery");
    assert!(
        error.to_string().contains("no delivery with id 999"),
        "{error}"
    );
    assert!(f.store.redeliveries(id).expect("history").is_empty());
    assert!(f.store.recent_targets(10).expect("targets").is_empty());
}

#[tokio::test]
async fn an_answer_over_1_mib_is_truncated_and_flagged() {
    let f = Fixture::new();
    let url =
        serve_target(Router::new().fallback(|| async { vec![b'x'; 2 * 1024 * 1024 + 5] })).await;
    let id = f.signed(now(), b"{}").await;
    let sent = f.redeliver(id, &Options::new(&url)).await;
    let answer = sent.attempt.answer.as_ref().expect("answered");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 1024 * 1024);
    assert!(answer.truncated);
    assert!(sent.attempt.describe().contains("the first 1 MiB is kept"));
    let recorded = &f.store.redeliveries(id).expect("history")[0];
    let recorded = recorded.attempt.answer.as_ref().expect("answer");
    assert_eq!(
        (recorded.body.len(), recorded.truncated),
        (1024 * 1024, true)
    );
}

#[tokio::test]
async fn an_edited_request_is_resigned_sent_and_recorded() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let id = f.arrived(now() - 7_200, b"{\"original\":true}").await;
    let edited = b"{\"edited\":true}".to_vec();
    let mut options = Options {
        signing: resign(),
        ..Options::new(&url)
    };
    options.edits.body = Some(edited.clone());
    options.edits.headers = Some(h(&[
        ("content-type", b"application/json"),
        ("x-edited", b"yes"),
    ]));
    let sent = f.redeliver(id, &options).await;
    assert_eq!(sent.attempt.answer.as_ref().map(|a| a.status), Some(200));
    let received = log.lock().expect("log")[0].clone();
    assert_eq!(received.body, edited);
    assert_eq!(
        received.check,
        Check::Valid,
        "the edited body is what was signed"
    );
    assert_eq!(received.header("x-edited").as_deref(), Some("yes"));
    assert_eq!(sent.attempt.edited_body.as_deref(), Some(edited.as_slice()));
    let recorded = &f.store.redeliveries(id).expect("history")[0];
    assert_eq!(
        recorded.attempt.edited_body.as_deref(),
        Some(edited.as_slice())
    );
    assert_eq!(recorded.attempt.signing, resign());
    let names: Vec<&str> = recorded
        .attempt
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["content-type", "x-edited", "persona-signature"]);
    let json = serde_json::to_value(recorded).expect("json");
    assert_eq!(
        json["signing"],
        serde_json::json!({"mode": "resign", "secret": "current"})
    );
    assert_eq!(json["answer"]["status"], 200);
    assert!(json["edited_body_base64"].is_string(), "{json}");
}

#[tokio::test]
async fn attempts_read_back_newest_first_recent_targets_and_purge_removes_them() {
    let f = Fixture::new();
    let (url, _log) = recording_target().await;
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let id = f.signed(now(), b"{}").await;
    let other = f.signed(now(), b"[]").await;
    let a = f.redeliver(id, &Options::new(&url)).await;
    let b = f.redeliver(id, &Options::new(&closed)).await;
    let c = f.redeliver(id, &Options::new(&url)).await;
    let d = f.redeliver(other, &Options::new(&closed)).await;
    let history = f.store.redeliveries(id).expect("history");
    let ids: Vec<i64> = history.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [c.id, b.id, a.id],
        "newest first, only this delivery's"
    );
    assert_eq!(
        history[1].attempt.failure.as_ref().map(|x| x.kind),
        Some(FailureKind::NotListening)
    );
    assert_eq!(
        f.store.recent_targets(10).expect("targets"),
        [closed.clone(), url.clone()],
        "each once, the most recently used first"
    );
    assert_eq!(f.store.recent_targets(1).expect("targets"), [closed]);

    // Reopening keeps them; purging a delivery takes its history along.
    let dir = f.dir.path().to_path_buf();
    drop(f.store);
    let store = Store::open(&dir).expect("reopen");
    assert_eq!(store.redeliveries(id).expect("history").len(), 3);
    store.purge(Purge::All).expect("purge");
    assert!(store.redeliveries(id).expect("history").is_empty());
    assert!(
        store
            .redeliveries(d.delivery_id)
            .expect("history")
            .is_empty()
    );
    assert!(store.recent_targets(10).expect("targets").is_empty());
}

#[tokio::test]
async fn a_delivery_purged_while_in_flight_is_not_recorded() {
    let f = Fixture::new();
    let slow = serve_target(Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "late"
    }))
    .await;
    let id = f.signed(now(), b"{}").await;
    let store = f.store.clone();
    let send = tokio::spawn({
        let forwarder = f.forwarder.clone();
        async move { forwarder.redeliver(&store, id, &Options::new(&slow)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let store = f.store.clone();
    tokio::task::spawn_blocking(move || store.purge(Purge::All))
        .await
        .expect("join")
        .expect("purge");
    let result = send.await.expect("join");
    assert!(
        matches!(result, Err(persona_inspector::Error::NotFound(n)) if n == id),
        "{result:?}"
    );
}

// ---- the CLI's `resend` ----

async fn run(command: Command) -> std::process::Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().expect("run"))
        .await
        .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_resend_prints_one_line_and_fails_only_without_an_answer() {
    let f = Fixture::new();
    let dir = f.dir.path().to_path_buf();
    let (url, log) = recording_target().await;
    let failing =
        serve_target(Router::new().fallback(|| async { StatusCode::INTERNAL_SERVER_ERROR })).await;
    let id = f.arrived(now() - 7_200, b"{\"a\":1}").await.to_string();

    let mut resend = inspector_without_env_secrets(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &url,
        "--resign",
        "current",
        "--keep-path",
    ]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("POST {url}/  → 200 OK in ")),
        "{stdout}"
    );
    assert_eq!(log.lock().expect("log")[0].check, Check::Valid);

    // A secret given on the command line re-signs too, without being saved.
    let mut resend = inspector_without_env_secrets(&dir);
    resend
        .args(["resend", &id, "--to", &url, "--resign", "cli"])
        .env("PERSONA_INSPECTOR_SECRETS", format!("cli={SECRET}"));
    assert!(run(resend).await.status.success());
    assert_eq!(log.lock().expect("log")[1].check, Check::Valid);

    let mut resend = inspector_without_env_secrets(&dir);
    resend.args(["resend", &id, "--to", &failing]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "an HTTP answer is a success: {output:?}"
    );
    assert!(
        stdout.contains("→ 500 Internal Server Error in ")
            && stdout.contains("Persona would count this as a failure and retry"),
        "{stdout}"
    );

    let port = closed_port();
    let mut resend = inspector_without_env_secrets(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &format!("http://127.0.0.1:{port}"),
        "--json",
    ]);
    let output = run(resend).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "no answer fails: {output:?}");
    assert_eq!(
        stderr.trim(),
        format!("error: nothing is listening on 127.0.0.1:{port} — is your app running?")
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json on stdout");
    assert_eq!(json["failure"]["kind"], "not_listening", "{json}");

    let mut resend = inspector_without_env_secrets(&dir);
    resend.args(["resend", &id, "--to", "localhost:3000"]);
    let output = run(resend).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("write http://localhost:3000"), "{stderr}");

    assert_eq!(
        f.store
            .redeliveries(id.parse().expect("id"))
            .expect("history")
            .len(),
        4,
        "every sent attempt is recorded, the refused one is not"
    );
}

#[test]
fn secrets_are_not_in_the_forwarders_debug_output() {
    let forwarder = Client::new().expect("client").with_secrets(vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }]);
    let shown = format!("{forwarder:?}");
    assert!(
        shown.contains("current") && !shown.contains(SECRET),
        "{shown}"
    );
}

#[tokio::test]
async fn resend_keeps_the_signature_of_what_persona_did_not_sign_unless_asked() {
    let f = Fixture::new();
    let (url, log) = recording_target().await;
    let body = event(
        "evt_oracle",
        "inquiry.completed",
        "2026-11-22T10:00:00.000Z",
    );
    let unverified = f.unverified(&body).await;
    let valid = f.signed(now(), &body).await;
    let asked = Options {
        signing: resign(),
        ..Options::new(&url)
    };
    for u in &unverified {
        f.redeliver(u.id, &asked).await;
    }
    let received = log.lock().expect("log").clone();
    assert_sent_as_they_came(&f.store, &unverified, &received);
    assert!(received.iter().all(|r| r.check != Check::Valid));

    // What Persona signed is re-signed without asking.
    let sent = f.redeliver(valid, &asked).await;
    assert_eq!(sent.attempt.signing_note, None);
    assert_eq!(
        log.lock().expect("log").last().map(|r| r.check),
        Some(Check::Valid)
    );

    // With the opt-in, each is re-signed.
    log.lock().expect("log").clear();
    let opted_in = Options {
        resign_unverified: true,
        ..asked
    };
    for u in &unverified {
        let sent = f.redeliver(u.id, &opted_in).await;
        assert_eq!(sent.attempt.signing, resign(), "{}", u.kind);
        assert_eq!(sent.attempt.signing_note, None, "{}", u.kind);
    }
    let received = log.lock().expect("log").clone();
    assert!(
        received.iter().all(|r| r.check == Check::Valid),
        "opted in, every kind is re-signed: {:?}",
        received.iter().map(|r| r.check).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_resend_re_signs_an_invalid_delivery_only_with_resign_unverified() {
    let f = Fixture::new();
    let dir = f.dir.path().to_path_buf();
    let (url, log) = recording_target().await;
    let body = event("evt_cli", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let invalid = &f.unverified(&body).await[0];
    let id = invalid.id.to_string();

    let mut resend = inspector_without_env_secrets(&dir);
    resend.args(["resend", &id, "--to", &url, "--resign", "current"]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("→ 401 Unauthorized in ") && stdout.trim_end().ends_with(invalid.note),
        "the line says why: {stdout}"
    );
    assert!(stderr.contains("--resign-unverified"), "{stderr}");
    assert_sent_as_they_came(
        &f.store,
        std::slice::from_ref(invalid),
        &log.lock().expect("log"),
    );

    let mut resend = inspector_without_env_secrets(&dir);
    resend.args([
        "resend",
        &id,
        "--to",
        &url,
        "--resign",
        "current",
        "--resign-unverified",
    ]);
    let output = run(resend).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("→ 200 OK in ") && !stdout.contains("not re-signed"),
        "{stdout}"
    );
    assert_eq!(log.lock().expect("log")[1].check, Check::Valid);
}

#[tokio::test]
async fn a_test_event_is_re_signed_without_asking_and_a_forged_one_stays_a_capture() {
    use persona_inspector::model::Source;
    use persona_inspector::sample::{EXAMPLE_SECRET, TEST_EVENT_HEADER, TestEventKey};
    let key = TestEventKey::generate().expect("random");
    let listener = Listener::start(persona_inspector::capture::Settings {
        test_event: Some(key.clone()),
        ..settings_with_secret()
    })
    .await;
    let store = listener.store().clone();
    let forwarder = Client::new().expect("client");
    let (target, log) = recording_target().await;
    let client = client();
    // Signed as the app signs a test event before the user has added a secret: not valid.
    let post = |mark: String| {
        let body = persona_inspector::sample::generate(&persona_inspector::sample::Options::new(
            "inquiry.completed",
            persona_inspector::clock::now_ms(),
        ))
        .expect("a sample")
        .body;
        client
            .post(&listener.url)
            .header(
                "persona-signature",
                persona_signature(EXAMPLE_SECRET, &body),
            )
            .header(TEST_EVENT_HEADER, mark)
            .body(body)
            .send()
    };
    let id = |response: reqwest::Response| -> i64 {
        response.headers()["x-inspector-delivery-id"]
            .to_str()
            .expect("id")
            .parse()
            .expect("number")
    };
    let own = id(post(key.value().to_string()).await.expect("answered"));
    let forged = id(post("0".repeat(64)).await.expect("answered"));

    let test = store.get(own).expect("stored");
    assert_eq!(test.summary.source, Source::Test);
    assert_eq!(test.summary.signature.status.as_str(), "invalid");
    assert!(
        !test.headers.to_string().contains(key.value()),
        "the key is not stored: {}",
        test.headers
    );
    let outsider = store.get(forged).expect("stored");
    assert_eq!(
        outsider.summary.source,
        Source::Captured,
        "an outsider's copy of the header is an ordinary capture"
    );
    assert!(outsider.headers.to_string().contains(TEST_EVENT_HEADER));

    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let sent = forwarder
        .with_secrets(vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }])
        .redeliver(&store, own, &options)
        .await
        .expect("sent");
    assert_eq!(
        sent.attempt.signing_note, None,
        "a test event needs no opt-in"
    );
    assert_eq!(log.lock().expect("log")[0].check, Check::Valid);
    let forwarder = Client::new().expect("client").with_secrets(vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }]);
    let sent = forwarder
        .redeliver(&store, forged, &options)
        .await
        .expect("sent");
    assert!(
        sent.attempt.signing_note.is_some(),
        "the forged one is not re-signed"
    );
    assert_eq!(log.lock().expect("log")[1].check, Check::Invalid);
    listener.stop().await;
}
