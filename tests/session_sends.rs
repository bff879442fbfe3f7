//! What the session sends: re-deliveries by hand, exports and imports, the forward rule,
//! bulk runs, and the re-signing of its own test events.

mod common;

use std::time::Duration;

use common::persona_signature;
use common::session::*;
use persona_inspector::model::Filter;
use persona_inspector::session::{ListenerStatus, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_delivery_is_redelivered_recorded_exported_and_imported_through_the_commands() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let id = send_sample_here(&session, "inquiry.completed").await;

    // The user's app: answers 202 to one request and notes what it got.
    let app = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let target = format!("http://{}/hooks", app.local_addr().expect("addr"));
    let received = tokio::spawn(async move {
        let (mut socket, _) = app.accept().await.expect("accept");
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        while !String::from_utf8_lossy(&seen).contains("\"included\"") {
            let n = socket.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        socket
            .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .await
            .expect("answer");
        String::from_utf8_lossy(&seen).into_owned()
    });
    let options = persona_inspector::redeliver::Options::new(target.clone());
    let attempt = session.redeliver(id, options).await.expect("redeliver");
    assert_eq!(
        attempt.attempt.answer.as_ref().expect("answered").status,
        202
    );
    let request = received.await.expect("server");
    assert!(request.starts_with("POST /hooks HTTP/1.1"), "{request}");
    assert!(request.contains("persona-signature: t="), "{request}");

    let history = session
        .read(move |store| store.redeliveries(id))
        .await
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        session
            .read(|store| store.recent_targets(10))
            .await
            .expect("targets"),
        [target]
    );

    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let options = persona_inspector::redeliver::Options::new(format!("http://127.0.0.1:{closed}"));
    let failed = session.redeliver(id, options).await.expect("recorded");
    let failure = failed.attempt.failure.expect("no answer");
    assert!(
        failure.message.contains("nothing is listening"),
        "{failure:?}"
    );

    let curl = session.export_curl(id, None).await.expect("curl");
    assert!(
        curl.contains("curl ") && curl.contains(persona_inspector::trigger::LISTENER_PATH),
        "{curl}"
    );
    let fixture = session.export_fixture(id).await.expect("fixture");
    let ids = session.import_fixtures(fixture).await.expect("import");
    assert_eq!(ids.len(), 1);
    let copy = get_delivery(&session, ids[0]).await.expect("imported");
    let original = get_delivery(&session, id).await.expect("original");
    assert_eq!(copy.body_base64, original.body_base64);
    assert_eq!(
        copy.summary.source,
        persona_inspector::model::Source::Imported,
        "a copy of the test event is an import, not a test event"
    );
    assert_eq!(
        copy.summary.original_received_at.as_deref(),
        Some(original.summary.received_at.as_str())
    );
    let bad = session
        .import_fixtures("{\"format\":\"nope\"}".into())
        .await
        .expect_err("not a fixture");
    assert_eq!(bad.kind(), "invalid", "{bad:?}");

    // A body over the listener's own limit is refused, as the listener would.
    // 10 MiB + 1 bytes of "x": "xxx" is "eHh4" in base64, and the last "xx" is "eHg=".
    let over = persona_inspector::capture::DEFAULT_MAX_BODY + 1;
    assert_eq!(over % 3, 2);
    let body_base64 = format!("{}eHg=", "eHh4".repeat(over / 3));
    let big = serde_json::json!({
        "format": "persona-inspector-fixture",
        "version": 1,
        "delivery": {
            "received_at": "2026-11-22T10:04:05.123Z", "method": "POST", "path": "/", "headers": [],
            "body_base64": body_base64,
        }
    });
    let refused = session
        .import_fixtures(big.to_string())
        .await
        .expect_err("over the body limit");
    assert!(
        refused
            .to_string()
            .contains("over the 10 MiB limit for one body"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_is_saved_refuses_the_own_listener_and_forwards_each_capture() {
    use persona_inspector::model::Rule;
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    assert_eq!(session.forward_rule().expect("rule"), Rule::default());
    let ListenerStatus::Listening { address, .. } = session.status() else {
        panic!("not listening");
    };
    let own = Rule {
        enabled: true,
        target: format!("{address}/again"),
        ..Rule::default()
    };
    let refused = session.change_forward_rule(own).await.expect_err("a loop");
    assert!(refused.to_string().contains("own listener"), "{refused:?}");
    // Rules that could not work are refused with the reason, and nothing is saved.
    let on = |target: &str| Rule {
        enabled: true,
        target: target.into(),
        ..Rule::default()
    };
    let bad = [
        (on(""), "URL"),
        (on("ftp://127.0.0.1:3000/hooks"), "http"),
        (
            Rule {
                signing: persona_inspector::model::Signing::Resign {
                    secret: "nobody".into(),
                },
                ..on("http://127.0.0.1:3000")
            },
            "nobody",
        ),
        (
            Rule {
                retry_speedup: Some(0),
                ..on("http://127.0.0.1:3000")
            },
            "speed-up",
        ),
        (
            Rule {
                timeout_ms: 0,
                ..on("http://127.0.0.1:3000")
            },
            "timeout",
        ),
    ];
    for (rule, says) in bad {
        let refused = session
            .change_forward_rule(rule.clone())
            .await
            .expect_err("refused");
        assert_eq!(refused.kind(), "invalid", "{rule:?}: {refused:?}");
        assert!(
            refused
                .to_string()
                .to_lowercase()
                .contains(&says.to_lowercase()),
            "{rule:?}: the reason names {says}: {refused:?}"
        );
    }
    assert_eq!(
        session.forward_rule().expect("rule"),
        Rule::default(),
        "nothing refused was saved"
    );

    let (target, mut bodies) = app_answering("204 No Content").await;
    let rule = Rule {
        enabled: true,
        target,
        events: vec!["inquiry.completed".into()],
        ..Rule::default()
    };
    let saved = session
        .change_forward_rule(rule.clone())
        .await
        .expect("saved");
    assert_eq!(saved, rule);
    let mut results = session.take_forwarded().expect("the relay's results");
    assert!(session.take_forwarded().is_none(), "taken once");

    let body =
        r#"{"data":{"type":"event","id":"evt_F","attributes":{"name":"inquiry.completed"}}}"#;
    post(&address, body).await;
    post(
        &address,
        r#"{"data":{"type":"event","id":"evt_G","attributes":{"name":"inquiry.created"}}}"#,
    )
    .await;
    let got = tokio::time::timeout(Duration::from_secs(10), bodies.recv())
        .await
        .expect("forwarded in time")
        .expect("a body");
    assert_eq!(got, body, "the exact bytes");
    let forwarded = tokio::time::timeout(Duration::from_secs(10), results.recv())
        .await
        .expect("a result")
        .expect("open");
    let result = persona_inspector::session::ForwardResult::of(&forwarded);
    let mark = result.mark.expect("recorded");
    assert_eq!((mark.status, mark.delivered), (Some(204), true));
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    let marks: Vec<(Option<&str>, bool)> = rows
        .iter()
        .map(|r| (r.event_id.as_deref(), r.forward.is_some()))
        .collect();
    assert_eq!(marks, [(Some("evt_G"), false), (Some("evt_F"), true)]);
    drop(session);

    // The next launch forwards with the saved rule.
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    assert_eq!(session.forward_rule().expect("rule"), rule);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_reports_its_progress_and_summary_and_can_be_cancelled() {
    use persona_inspector::model::{Order, Scope};
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = session.status() else {
        panic!("not listening");
    };
    for n in 0..3 {
        post(
            &address,
            &format!(r#"{{"data":{{"type":"event","id":"evt_{n}"}}}}"#),
        )
        .await;
    }
    let (target, _bodies) = app_answering("500 Internal Server Error").await;
    let (report, mut steps) = tokio::sync::mpsc::unbounded_channel();
    let started = session
        .start_bulk(
            Scope::Filter {
                filter: Filter::default(),
            },
            Order::Received,
            persona_inspector::redeliver::Options::new(target.clone()),
            move |step| {
                let _ = report.send(step);
            },
        )
        .await
        .expect("started");
    assert_eq!((started.total, started.missing), (3, 0));
    let last = loop {
        let step = tokio::time::timeout(Duration::from_secs(10), steps.recv())
            .await
            .expect("progress")
            .expect("open");
        assert_eq!(step.job, started.job);
        if step.progress.finished {
            break step;
        }
    };
    assert_eq!((last.progress.done, last.progress.rejected), (3, 3));
    assert_eq!(last.summary, "3 sent: 0 delivered, 3 rejected");
    assert!(!session.cancel_bulk(started.job), "already over");

    // An app that never answers: each send waits out its timeout; cancelling stops the run
    // after the request in flight.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let options = persona_inspector::redeliver::Options {
        timeout_ms: 300,
        ..persona_inspector::redeliver::Options::new(format!(
            "http://{}",
            silent.local_addr().expect("addr")
        ))
    };
    let (report, mut steps) = tokio::sync::mpsc::unbounded_channel();
    let slow = session
        .start_bulk(
            Scope::Filter {
                filter: Filter::default(),
            },
            Order::Created,
            options,
            move |step| {
                let _ = report.send(step);
            },
        )
        .await
        .expect("started");
    assert_ne!(slow.job, started.job);
    assert!(session.cancel_bulk(slow.job), "running");
    let last = loop {
        let step = tokio::time::timeout(Duration::from_secs(10), steps.recv())
            .await
            .expect("progress")
            .expect("open");
        if step.progress.finished {
            break step;
        }
    };
    assert!(last.progress.cancelled);
    assert!(last.progress.done <= 1, "{last:?}");
    assert!(last.summary.contains("cancelled with"), "{}", last.summary);

    let empty = session
        .start_bulk(
            Scope::Ids { ids: vec![12345] },
            Order::Created,
            persona_inspector::redeliver::Options::new(target),
            |_| {},
        )
        .await
        .expect_err("nothing to send");
    assert_eq!(empty.kind(), "invalid");
    assert!(
        empty.to_string().contains("none of the selected"),
        "{empty:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_re_signs_its_test_event_but_not_an_outsiders_capture_without_the_opt_in() {
    use persona_inspector::model::{Rule, Scope, Signing, Source};
    use persona_inspector::redeliver::Options;
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = session.status() else {
        panic!("not listening");
    };
    // Sent before any secret is set: signed with the example secret, so not valid.
    let test = send_sample_here(&session, "inquiry.completed").await;
    session
        .add_secret("sandbox".into(), "wbhsec_mine".into())
        .await
        .expect("add");
    let detail = get_delivery(&session, test).await.expect("stored");
    assert_eq!(detail.summary.source, Source::Test, "the app's own");
    assert_eq!(detail.summary.signature.status.as_str(), "invalid");

    // An outsider copies the test event's header with a guessed key and signs with a guess.
    let body =
        r#"{"data":{"type":"event","id":"evt_X","attributes":{"name":"inquiry.completed"}}}"#;
    let forged = persona_signature("wbhsec_guess", body.as_bytes());
    post_with(
        &address,
        body,
        &format!(
            "persona-signature: {forged}\r\nx-inspector-test-event: {}\r\n",
            "0".repeat(64)
        ),
    )
    .await;
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    let outsider = rows[0].id;
    assert_eq!(rows[0].source, Source::Captured, "a forged mark is no mark");

    let counted = session
        .read(move |store| {
            let scope = Scope::Ids {
                ids: vec![test, outsider],
            };
            persona_inspector::bulk::count_unverified(store, &scope)
        })
        .await
        .expect("counted");
    assert_eq!(
        (counted.total, counted.unverified),
        (2, 1),
        "the test event needs no opt-in"
    );

    let (target, mut bodies) = app_answering("204 No Content").await;
    let resign = Signing::Resign {
        secret: "sandbox".into(),
    };
    let options = Options {
        signing: resign.clone(),
        ..Options::new(target.clone())
    };
    let sent = session
        .redeliver(test, options.clone())
        .await
        .expect("sent");
    assert_eq!(sent.attempt.signing, resign, "re-signed without asking");
    let sent = session
        .redeliver(outsider, options.clone())
        .await
        .expect("sent");
    assert_eq!(sent_signature(&sent.attempt), Some(forged.clone()));
    assert_eq!(
        sent.attempt.signing_note.as_deref(),
        Some("sent with its original signature: not re-signed because its signature is invalid")
    );
    let sent = session
        .redeliver(
            outsider,
            Options {
                resign_unverified: true,
                ..options
            },
        )
        .await
        .expect("sent");
    assert_ne!(
        sent_signature(&sent.attempt),
        Some(forged.clone()),
        "opted in"
    );

    // The app's forward rule: off by default for unverified captures, then on.
    let mut results = session.take_forwarded().expect("the relay's results");
    for resign_unverified in [false, true] {
        let rule = Rule {
            enabled: true,
            target: target.clone(),
            signing: resign.clone(),
            resign_unverified,
            ..Rule::default()
        };
        session.change_forward_rule(rule).await.expect("saved");
        post_signed(&address, body, &forged).await;
        let forwarded = tokio::time::timeout(Duration::from_secs(10), results.recv())
            .await
            .expect("a result")
            .expect("open");
        let record = forwarded.result.expect("recorded");
        assert_eq!(
            sent_signature(&record.attempt) == Some(forged.clone()),
            !resign_unverified,
            "resign_unverified {resign_unverified}: {:?}",
            record.attempt
        );
        assert_eq!(record.attempt.signing_note.is_some(), !resign_unverified);
    }
    while bodies.try_recv().is_ok() {}
}
