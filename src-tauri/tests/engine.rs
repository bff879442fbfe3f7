//! The shell's engine and commands, with no window: a real store in a temporary directory and a
//! real listener on port 0.

use std::time::Duration;

use persona_inspector::model::Filter;
use persona_inspector::store::Summary;
use persona_inspector_app::arrivals;
use persona_inspector_app::commands::{
    self, Retention, SettingsChange, get_delivery, list_deliveries, listener_status,
};
use persona_inspector_app::engine::{Engine, ListenerStatus};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn post(address: &str, body: &str) -> String {
    post_with(address, body, "").await
}

async fn post_signed(address: &str, body: &str, signature: &str) -> String {
    post_with(
        address,
        body,
        &format!("persona-signature: {signature}\r\n"),
    )
    .await
}

async fn post_with(address: &str, body: &str, headers: &str) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "POST /hook HTTP/1.1\r\nhost: {host}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

#[tokio::test]
async fn a_started_engine_listens_and_its_commands_read_what_it_captured() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&engine) else {
        panic!("not listening: {:?}", engine.status());
    };
    let answer = post(&address, r#"{"data":{"type":"event","id":"evt_APP"}}"#).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].event_id.as_deref(), Some("evt_APP"));
    let detail = get_delivery(&engine, rows[0].id).await.expect("get");
    assert_eq!(detail.summary.path, "/hook");
    let missing = get_delivery(&engine, 999)
        .await
        .expect_err("no such delivery");
    assert_eq!(missing.kind, "not_found", "{missing:?}");
}

#[tokio::test]
async fn a_taken_port_is_a_status_with_advice_not_a_crash() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(port)).await;
    match listener_status(&engine) {
        ListenerStatus::Failed { port: p, message } => {
            assert_eq!(p, port);
            assert!(
                message.contains("in use") && message.contains("pick another port"),
                "{message}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // The store still opened: what was captured before is still there to read.
    assert!(list_deliveries(&engine, Filter::default()).await.is_ok());
}

#[tokio::test]
async fn a_store_that_cannot_open_is_reported_and_commands_say_why() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let engine = Engine::start(&file, "127.0.0.1", Some(0)).await;
    assert!(matches!(engine.status(), ListenerStatus::Failed { .. }));
    let error = list_deliveries(&engine, Filter::default())
        .await
        .expect_err("no store");
    assert_eq!(error.kind, "unavailable");
    assert!(
        error.message.contains("--data-dir") || error.message.contains("data directory"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_burst_of_arrivals_reaches_the_window_as_one_batch() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&engine) else {
        panic!("not listening");
    };
    let capture = engine.capture().expect("capture").clone();
    let (batches, mut received) = tokio::sync::mpsc::unbounded_channel::<Vec<Summary>>();
    tokio::spawn(arrivals::forward(capture.subscribe(), move |batch| {
        let _ = batches.send(batch);
    }));
    let mut posts = Vec::new();
    for n in 0..7 {
        let address = address.clone();
        posts.push(tokio::spawn(async move {
            post(&address, &format!(r#"{{"n":{n}}}"#)).await
        }));
    }
    for p in posts {
        assert!(p.await.expect("post").starts_with("HTTP/1.1 200"));
    }
    let first = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .expect("a batch arrives")
        .expect("open");
    let mut total = first.len();
    // Seven posts in flight at once may straddle two windows, never seven.
    while let Ok(Some(more)) = tokio::time::timeout(arrivals::WINDOW * 3, received.recv()).await {
        total += more.len();
    }
    assert_eq!(total, 7, "every arrival is forwarded");
    assert!(
        first.len() >= 4,
        "a burst is coalesced: first batch had {}",
        first.len()
    );
}

fn listening_port(engine: &Engine) -> u16 {
    match engine.status() {
        ListenerStatus::Listening { port, .. } => port,
        other => panic!("not listening: {other:?}"),
    }
}

fn signed(secret: &str, body: &str) -> String {
    let t = persona_inspector::clock::now_ms() / 1000;
    persona_inspector::signature::sign(secret, t, body.as_bytes())
}

#[tokio::test]
async fn secrets_added_renamed_and_removed_recheck_stored_verdicts_and_apply_to_new_deliveries() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&engine));
    let body = r#"{"data":{"type":"event","id":"evt_S"}}"#;
    post_signed(&address, body, &signed("wbhsec_app", body)).await;
    let verdict = |rows: Vec<Summary>| rows[0].signature.status;
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(verdict(rows), persona_inspector::model::Status::Unchecked);

    let bad = commands::add_secret(&engine, "x".into(), "two words".into())
        .await
        .expect_err("whitespace");
    assert_eq!(bad.kind, "invalid", "{bad:?}");

    let added = commands::add_secret(&engine, "sandbox".into(), "wbhsec_app".into())
        .await
        .expect("add");
    assert_eq!(added.rechecked, 1, "the stored delivery was re-checked");
    assert_eq!(added.settings.secrets.len(), 1);
    assert_eq!(added.settings.secrets[0].label, "sandbox");
    assert!(
        !format!("{:?}", added.settings).contains("wbhsec_app"),
        "value never leaves"
    );
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        persona_inspector::model::Status::Valid
    );
    let matched = rows[0].signature.matched.clone().expect("matched");
    assert_eq!(matched.secret, "sandbox");

    // New deliveries are checked with it at once.
    post_signed(&address, body, &signed("wbhsec_app", body)).await;
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        persona_inspector::model::Status::Valid
    );

    let id = added.settings.secrets[0].id;
    let renamed = commands::rename_secret(&engine, id, "current".into())
        .await
        .expect("rename");
    assert_eq!(renamed.rechecked, 2, "both verdicts now name the new label");
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[1].signature.matched.clone().expect("m").secret,
        "current"
    );

    let removed = commands::remove_secret(&engine, id).await.expect("remove");
    assert!(removed.settings.secrets.is_empty());
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert!(
        rows.iter()
            .all(|r| r.signature.status == persona_inspector::model::Status::Unchecked)
    );
}

#[tokio::test]
async fn settings_are_saved_applied_live_and_kept_for_the_next_launch() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&engine));
    let changed = commands::update_settings(
        &engine,
        SettingsChange {
            reply_status: Some(500),
            notifications: Some(false),
            ..SettingsChange::default()
        },
    )
    .await
    .expect("update");
    assert_eq!(changed.settings.reply_status, 500);
    assert!(!changed.settings.notifications);
    assert_eq!(changed.rechecked, None, "tolerance unchanged: no re-check");
    assert!(
        !engine
            .notifications()
            .load(std::sync::atomic::Ordering::Relaxed)
    );
    let answer = post(&address, "{}").await;
    assert!(
        answer.starts_with("HTTP/1.1 500"),
        "applied at once: {answer}"
    );

    let refused = commands::update_settings(
        &engine,
        SettingsChange {
            reply_status: Some(42),
            ..SettingsChange::default()
        },
    )
    .await
    .err()
    .expect("not a status");
    assert_eq!(refused.kind, "invalid");
    assert!(refused.message.contains("100 to 599"), "{refused:?}");

    let tolerance = commands::update_settings(
        &engine,
        SettingsChange {
            tolerance_seconds: Some(1),
            ..SettingsChange::default()
        },
    )
    .await
    .expect("update");
    assert!(
        tolerance.rechecked.is_some(),
        "a tolerance change re-checks"
    );
    drop(engine);

    let again = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let settings = commands::get_settings(&again).await.expect("settings");
    assert_eq!(settings.reply_status, 500);
    assert_eq!(settings.tolerance_seconds, 1);
    assert!(!settings.notifications);
}

#[tokio::test]
async fn the_listener_moves_to_another_port_which_is_saved_and_a_taken_port_keeps_the_old_one() {
    let dir = tempfile::tempdir().expect("temp");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_port = taken.local_addr().expect("addr").port();
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(taken_port)).await;
    assert!(matches!(engine.status(), ListenerStatus::Failed { .. }));

    let status = commands::relisten(&engine, 0).await.expect("any free port");
    let ListenerStatus::Listening { port, address, .. } = status else {
        panic!("not listening: {status:?}");
    };
    assert!(post(&address, "{}").await.starts_with("HTTP/1.1 200"));

    let error = commands::relisten(&engine, taken_port)
        .await
        .expect_err("taken");
    assert_eq!(error.kind, "listen");
    assert!(
        error
            .message
            .contains(&format!("port {taken_port} is in use")),
        "{error:?}"
    );
    assert_eq!(listening_port(&engine), port, "still on the old port");
    assert!(post(&address, "{}").await.starts_with("HTTP/1.1 200"));

    let free = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    commands::relisten(&engine, free).await.expect("move");
    assert_eq!(listening_port(&engine), free);
    let new_address = format!("http://127.0.0.1:{free}");
    assert!(post(&new_address, "{}").await.starts_with("HTTP/1.1 200"));
    // The old port is released.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        tokio::net::TcpStream::connect(address.trim_start_matches("http://"))
            .await
            .is_err()
    );
    assert_eq!(
        commands::get_settings(&engine)
            .await
            .expect("settings")
            .port,
        free,
        "saved for the next launch"
    );
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 3, "one store across ports");
}

#[tokio::test]
async fn the_test_event_travels_the_listener_and_is_valid_once_a_secret_is_set() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let id = persona_inspector_app::test_event::send(&engine)
        .await
        .expect("send");
    let detail = get_delivery(&engine, id).await.expect("stored");
    assert_eq!(
        detail.summary.event_name.as_deref(),
        Some("inquiry.completed")
    );
    assert_eq!(detail.summary.path, "/test-event");
    assert_eq!(detail.summary.attempts.made, Some(1));
    assert_eq!(detail.included.len(), 1);
    assert_eq!(
        detail.summary.signature.status,
        persona_inspector::model::Status::Unchecked,
        "no secret yet: the verdict says to add one"
    );

    commands::add_secret(&engine, "sandbox".into(), "wbhsec_mine".into())
        .await
        .expect("add");
    let id = persona_inspector_app::test_event::send(&engine)
        .await
        .expect("send");
    let detail = get_delivery(&engine, id).await.expect("stored");
    assert_eq!(
        detail.summary.signature.status,
        persona_inspector::model::Status::Valid
    );

    let counts = commands::event_counts(&engine).await.expect("counts");
    assert_eq!(counts[0].event_name.as_deref(), Some("inquiry.completed"));
    assert_eq!(counts[0].count, 2);
    let filter = Filter {
        event_name: Some("inquiry.completed".into()),
        ..Filter::default()
    };
    assert_eq!(
        commands::count_deliveries(&engine, filter)
            .await
            .expect("count"),
        2
    );
    assert!(commands::event_catalog().len() > 200);
}

#[tokio::test]
async fn a_delivery_is_redelivered_recorded_exported_and_imported_through_the_commands() {
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let id = persona_inspector_app::test_event::send(&engine)
        .await
        .expect("send");

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
    let attempt = commands::redeliver(&engine, id, options)
        .await
        .expect("redeliver");
    assert_eq!(
        attempt.attempt.answer.as_ref().expect("answered").status,
        202
    );
    let request = received.await.expect("server");
    assert!(request.starts_with("POST /hooks HTTP/1.1"), "{request}");
    assert!(request.contains("persona-signature: t="), "{request}");

    let history = commands::redeliveries(&engine, id).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        commands::recent_targets(&engine).await.expect("targets"),
        [target]
    );

    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let options = persona_inspector::redeliver::Options::new(format!("http://127.0.0.1:{closed}"));
    let failed = commands::redeliver(&engine, id, options)
        .await
        .expect("recorded");
    let failure = failed.attempt.failure.expect("no answer");
    assert!(
        failure.message.contains("nothing is listening"),
        "{failure:?}"
    );

    let curl = commands::export_curl(&engine, id, None)
        .await
        .expect("curl");
    assert!(
        curl.contains("curl ") && curl.contains("/test-event"),
        "{curl}"
    );
    let fixture = commands::export_fixture(&engine, id)
        .await
        .expect("fixture");
    let ids = commands::import_fixtures(&engine, fixture)
        .await
        .expect("import");
    assert_eq!(ids.len(), 1);
    let copy = get_delivery(&engine, ids[0]).await.expect("imported");
    let original = get_delivery(&engine, id).await.expect("original");
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
    let bad = commands::import_fixtures(&engine, "{\"format\":\"nope\"}".into())
        .await
        .expect_err("not a fixture");
    assert_eq!(bad.kind, "invalid", "{bad:?}");

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
    let refused = commands::import_fixtures(&engine, big.to_string())
        .await
        .expect_err("over the body limit");
    assert!(
        refused
            .message
            .contains("over the 10 MiB limit for one body"),
        "{refused:?}"
    );
}

/// The user's app: answers every request with `status` (closing the connection), and sends
/// each request's body on the returned channel.
async fn app_answering(status: &str) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let app = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", app.local_addr().expect("addr"));
    let (seen, bodies) = tokio::sync::mpsc::unbounded_channel();
    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = app.accept().await {
            let (seen, answer) = (seen.clone(), answer.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 65536];
                loop {
                    let text = String::from_utf8_lossy(&request).into_owned();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            let _ = seen.send(text[end + 4..].to_string());
                            break;
                        }
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_is_saved_refuses_the_own_listener_and_forwards_each_capture() {
    use persona_inspector::model::Rule;
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    assert_eq!(
        commands::forward_rule(&engine).expect("rule"),
        Rule::default()
    );
    let ListenerStatus::Listening { address, .. } = engine.status() else {
        panic!("not listening");
    };
    let own = Rule {
        enabled: true,
        target: format!("{address}/again"),
        ..Rule::default()
    };
    let refused = commands::set_forward_rule(&engine, own)
        .await
        .expect_err("a loop");
    assert!(refused.message.contains("own listener"), "{refused:?}");
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
        let refused = commands::set_forward_rule(&engine, rule.clone())
            .await
            .expect_err("refused");
        assert_eq!(refused.kind, "invalid", "{rule:?}: {refused:?}");
        assert!(
            refused
                .message
                .to_lowercase()
                .contains(&says.to_lowercase()),
            "{rule:?}: the reason names {says}: {refused:?}"
        );
    }
    assert_eq!(
        commands::forward_rule(&engine).expect("rule"),
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
    let saved = commands::set_forward_rule(&engine, rule.clone())
        .await
        .expect("saved");
    assert_eq!(saved, rule);
    let mut results = engine.take_forwarded().expect("the relay's results");
    assert!(engine.take_forwarded().is_none(), "taken once");

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
    let result = persona_inspector_app::forwarding::ForwardResult::of(&forwarded);
    let mark = result.mark.expect("recorded");
    assert_eq!((mark.status, mark.delivered), (Some(204), true));
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    let marks: Vec<(Option<&str>, bool)> = rows
        .iter()
        .map(|r| (r.event_id.as_deref(), r.forward.is_some()))
        .collect();
    assert_eq!(marks, [(Some("evt_G"), false), (Some("evt_F"), true)]);
    drop(engine);

    // The next launch forwards with the saved rule.
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    assert_eq!(commands::forward_rule(&engine).expect("rule"), rule);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_reports_its_progress_and_summary_and_can_be_cancelled() {
    use persona_inspector::model::{Order, Scope};
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = engine.status() else {
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
    let started = commands::start_bulk(
        &engine,
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
    assert!(!engine.cancel_bulk(started.job), "already over");

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
    let slow = commands::start_bulk(
        &engine,
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
    assert!(engine.cancel_bulk(slow.job), "running");
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

    let empty = commands::start_bulk(
        &engine,
        Scope::Ids { ids: vec![12345] },
        Order::Created,
        persona_inspector::redeliver::Options::new(target),
        |_| {},
    )
    .await
    .expect_err("nothing to send");
    assert_eq!(empty.kind, "invalid");
    assert!(empty.message.contains("none of the selected"), "{empty:?}");
}

/// The `Persona-Signature` an attempt sent.
fn sent_signature(attempt: &persona_inspector::model::Attempt) -> Option<String> {
    persona_inspector::model::header(&attempt.headers, "persona-signature")
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_re_signs_its_test_event_but_not_an_outsiders_capture_without_the_opt_in() {
    use persona_inspector::model::{Rule, Scope, Signing, Source};
    use persona_inspector::redeliver::Options;
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = engine.status() else {
        panic!("not listening");
    };
    // Sent before any secret is set: signed with the example secret, so not valid.
    let test = persona_inspector_app::test_event::send(&engine)
        .await
        .expect("sent");
    commands::add_secret(&engine, "sandbox".into(), "wbhsec_mine".into())
        .await
        .expect("add");
    let detail = get_delivery(&engine, test).await.expect("stored");
    assert_eq!(detail.summary.source, Source::Test, "the app's own");
    assert_eq!(detail.summary.signature.status.as_str(), "invalid");

    // An outsider copies the test event's header with a guessed key and signs with a guess.
    let body =
        r#"{"data":{"type":"event","id":"evt_X","attributes":{"name":"inquiry.completed"}}}"#;
    let forged = signed("wbhsec_guess", body);
    post_with(
        &address,
        body,
        &format!(
            "persona-signature: {forged}\r\nx-inspector-test-event: {}\r\n",
            "0".repeat(64)
        ),
    )
    .await;
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    let outsider = rows[0].id;
    assert_eq!(rows[0].source, Source::Captured, "a forged mark is no mark");

    let counted = commands::count_unverified(
        &engine,
        Scope::Ids {
            ids: vec![test, outsider],
        },
    )
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
    let sent = commands::redeliver(&engine, test, options.clone())
        .await
        .expect("sent");
    assert_eq!(sent.attempt.signing, resign, "re-signed without asking");
    let sent = commands::redeliver(&engine, outsider, options.clone())
        .await
        .expect("sent");
    assert_eq!(sent_signature(&sent.attempt), Some(forged.clone()));
    assert_eq!(
        sent.attempt.signing_note.as_deref(),
        Some("sent with its original signature: not re-signed because its signature is invalid")
    );
    let sent = commands::redeliver(
        &engine,
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
    let mut results = engine.take_forwarded().expect("the relay's results");
    for resign_unverified in [false, true] {
        let rule = Rule {
            enabled: true,
            target: target.clone(),
            signing: resign.clone(),
            resign_unverified,
            ..Rule::default()
        };
        commands::set_forward_rule(&engine, rule)
            .await
            .expect("saved");
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

/// The count of the retention's next pass.
async fn next_pass(purged: &mut tokio::sync::mpsc::UnboundedReceiver<u64>) -> u64 {
    tokio::time::timeout(Duration::from_secs(60), purged.recv())
        .await
        .expect("a retention pass within a minute")
        .expect("the retention task is running")
}

/// A delivery received `days_ago` days ago, stored straight into the data directory.
fn received(days_ago: i64) -> persona_inspector::model::NewDelivery {
    use persona_inspector::model::{Arrival, NewDelivery, Verification};
    let arrival = Arrival {
        received_at_ms: persona_inspector::clock::now_ms() - days_ago * 86_400_000,
        method: "POST".into(),
        path: format!("/{days_ago}-days-ago"),
        query: None,
        remote_addr: None,
        headers: Vec::new(),
    };
    NewDelivery::captured(arrival, b"{}".to_vec(), &Verification::default())
}

async fn stored_paths(engine: &Engine) -> Vec<String> {
    let mut paths: Vec<String> = list_deliveries(engine, Filter::default())
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.path)
        .collect();
    paths.sort();
    paths
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_retention_is_applied_at_launch_and_on_each_tick_and_forever_keeps_all() {
    use persona_inspector::model::Saved;
    use persona_inspector::store::Store;
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(45), received(5), received(0)])
        .expect("insert");
    store
        .save_settings(&Saved {
            retention_days: None,
            ..Saved::default()
        })
        .expect("save forever");
    drop(store);

    // Kept forever: the pass at launch purges nothing.
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let mut purged = engine.take_purged().expect("the retention's reports");
    assert_eq!(next_pass(&mut purged).await, 0, "forever purges nothing");
    assert_eq!(
        stored_paths(&engine).await,
        ["/0-days-ago", "/45-days-ago", "/5-days-ago"],
        "with retention \"forever\", a launch keeps every delivery"
    );
    let settings = commands::update_settings(
        &engine,
        SettingsChange {
            retention: Some(Retention::Days(30)),
            ..SettingsChange::default()
        },
    )
    .await
    .expect("keep 30 days");
    assert_eq!(settings.settings.retention_days, Some(30));
    drop(engine);

    // 30 days: the pass at launch (in the background, so the window is not held up) purges
    // the 45-day-old delivery. The tick is short so the test sees it work; counted, not timed.
    let engine =
        Engine::start_with(dir.path(), "127.0.0.1", Some(0), Duration::from_millis(50)).await;
    let mut purged = engine.take_purged().expect("the retention's reports");
    assert_eq!(next_pass(&mut purged).await, 1, "the launch's pass");
    assert_eq!(
        stored_paths(&engine).await,
        ["/0-days-ago", "/5-days-ago"],
        "the launch applied the 30-day retention"
    );

    // A shorter retention is applied on the next tick, which reports how many went.
    commands::update_settings(
        &engine,
        SettingsChange {
            retention: Some(Retention::Days(3)),
            ..SettingsChange::default()
        },
    )
    .await
    .expect("keep 3 days");
    let n = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match next_pass(&mut purged).await {
                0 => continue, // a tick before the change
                n => break n,
            }
        }
    })
    .await
    .expect("a retention tick should purge the 5-day-old delivery");
    assert_eq!(n, 1, "one delivery was past 3 days");
    assert_eq!(stored_paths(&engine).await, ["/0-days-ago"]);

    let refused = commands::update_settings(
        &engine,
        SettingsChange {
            retention: Some(Retention::Days(0)),
            ..SettingsChange::default()
        },
    )
    .await
    .err()
    .expect("0 days is refused");
    assert_eq!(refused.kind, "invalid", "{refused:?}");
}

#[tokio::test]
async fn purge_counts_what_would_go_then_deletes_older_than_n_days_or_all() {
    use persona_inspector::store::Store;
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(20), received(10), received(0)])
        .expect("insert");
    drop(store);
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;

    assert_eq!(
        commands::count_purgeable(&engine, Some(7))
            .await
            .expect("count"),
        2
    );
    assert_eq!(
        commands::count_purgeable(&engine, None)
            .await
            .expect("count"),
        3
    );
    let zero = commands::purge(&engine, Some(0))
        .await
        .expect_err("0 days is refused rather than read as all");
    assert!(zero.message.contains("purge all"), "{zero:?}");
    assert_eq!(commands::purge(&engine, Some(15)).await.expect("purge"), 1);
    assert_eq!(stored_paths(&engine).await, ["/0-days-ago", "/10-days-ago"]);
    assert_eq!(commands::purge(&engine, None).await.expect("purge all"), 2);
    assert!(stored_paths(&engine).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_secret_is_no_longer_trusted_even_when_its_erase_cannot_finish() {
    use persona_inspector::model::Status;
    let dir = tempfile::tempdir().expect("temp");
    let engine = Engine::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&engine));
    let body = r#"{"data":{"type":"event","id":"evt_L"}}"#;
    let added = commands::add_secret(&engine, "leaked".into(), "wbhsec_leaked".into())
        .await
        .expect("add");
    post_signed(&address, body, &signed("wbhsec_leaked", body)).await;

    // Another program reading the database holds the WAL, so the erase cannot finish.
    let other = rusqlite::Connection::open(dir.path().join("inspector.db")).expect("a reader");
    other.execute_batch("BEGIN").expect("begin");
    let _: i64 = other
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .expect("read");
    let id = added.settings.secrets[0].id;
    let refused = commands::remove_secret(&engine, id)
        .await
        .expect_err("the erase is reported unfinished");
    assert!(
        refused.message.contains("still in"),
        "the error says what is left: {refused:?}"
    );

    // Yet the secret is gone and nothing judges with it any more.
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        Status::Unchecked,
        "stored verdicts were re-checked without it"
    );
    post_signed(&address, body, &signed("wbhsec_leaked", body)).await;
    let rows = list_deliveries(&engine, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        Status::Unchecked,
        "the listener no longer trusts the removed secret"
    );
    other.execute_batch("COMMIT").expect("end the read");
}
