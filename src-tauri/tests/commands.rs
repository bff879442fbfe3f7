//! The app's commands and arrival batches over a session, with no window: a real store in a
//! temporary directory and a real listener on port 0.

use std::time::Duration;

use persona_inspector::model::{Filter, Scope};
use persona_inspector::session::{ListenerStatus, SampleRequest, Session, SettingsChange};
use persona_inspector::store::Summary;
use persona_inspector_app::arrivals;
use persona_inspector_app::commands::{
    delivery_body, export_har, get_delivery, import_fixtures, list_deliveries, listener_status,
    send_sample, timeline, update_settings,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn post(address: &str, body: &str) -> String {
    post_with(address, body, "").await
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
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&session) else {
        panic!("not listening: {:?}", session.status());
    };
    let answer = post(&address, r#"{"data":{"type":"event","id":"evt_APP"}}"#).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].event_id.as_deref(), Some("evt_APP"));
    let detail = get_delivery(&session, rows[0].id).await.expect("get");
    assert_eq!(detail.summary.path, "/hook");
    let missing = get_delivery(&session, 999)
        .await
        .expect_err("no such delivery");
    assert_eq!(missing.kind, "not_found", "{missing:?}");
}

/// POSTs `body` as it is (bytes, not text).
async fn post_bytes(address: &str, body: &[u8]) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /hook HTTP/1.1\r\nhost: {host}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

#[tokio::test]
async fn the_window_gets_a_body_as_its_exact_bytes_and_the_envelope_without_parsed_copies() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&session) else {
        panic!("not listening: {:?}", session.status());
    };
    let event = br#"{"data":{"type":"event","id":"evt_BYTES","attributes":{
        "name":"inquiry.approved","created-at":"2026-11-22T10:00:00.000Z",
        "payload":{"data":{"type":"inquiry","id":"inq_1","attributes":{"status":"approved"},
          "relationships":{"verifications":{"data":[{"type":"verification/selfie","id":"ver_1"}]},
            "account":{"data":{"type":"account","id":"act_1"}}}},
        "included":[{"type":"verification/selfie","id":"ver_1","attributes":{"status":"passed","n":12345678901234567890}}]}}}}"#;
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    for body in [&event[..], &binary[..], b""] {
        let answer = post_bytes(&address, body).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    let ids: Vec<i64> = rows.iter().rev().map(|r| r.id).collect();
    assert_eq!(ids.len(), 3);
    for (id, body) in ids.iter().zip([&event[..], &binary[..], b""]) {
        let bytes = delivery_body(&session, *id).await.expect("body");
        assert_eq!(bytes, body, "delivery {id}'s body comes back exactly");
    }

    let meta = get_delivery(&session, ids[0]).await.expect("meta");
    assert_eq!(meta.included.len(), 1);
    assert_eq!(meta.included[0].id, "ver_1");
    let target = &meta.relationships[0].targets[0];
    assert_eq!(target.included_index, Some(0));
    assert_eq!(
        target.api, None,
        "no API path for a resource the payload has"
    );
    let missing = &meta.relationships[1].targets[0];
    assert!(
        !missing.included && missing.api.is_some(),
        "a resource the payload lacks keeps its API path: {missing:?}"
    );
    let full = persona_inspector::jsonapi::parse(event).expect("parses");
    let documented = &full.resource.expect("resource").relationships[0].targets[0];
    assert!(
        documented.api.is_some(),
        "the CLI's detail keeps it: {documented:?}"
    );
    let json = serde_json::to_string(&meta).expect("json");
    assert!(
        !json.contains("body_base64") && !json.contains("12345678901234567890"),
        "neither the body nor the included attributes are sent again: {json}"
    );

    let missing = delivery_body(&session, 999)
        .await
        .expect_err("no such delivery");
    assert_eq!(missing.kind, "not_found", "{missing:?}");
}

#[tokio::test]
async fn a_resource_s_timeline_and_an_event_s_retry_chain_reach_the_window() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&session) else {
        panic!("not listening: {:?}", session.status());
    };
    let event = r#"{"data":{"type":"event","id":"evt_TWICE","attributes":{
        "name":"inquiry.approved","created-at":"2026-11-22T10:00:00.000Z",
        "payload":{"data":{"type":"inquiry","id":"inq_APP","attributes":{"status":"approved"}}}}}}"#;
    for made in [1, 2] {
        let headers = format!("persona-webhook-attempts-made: {made}\r\n");
        let answer = post_with(&address, event, &headers).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let story = timeline(&session, "inq_APP".into())
        .await
        .expect("timeline");
    assert_eq!(story.resource.kind.as_deref(), Some("inquiry"));
    let flags: Vec<Vec<&str>> = story
        .entries
        .iter()
        .map(|e| e.flags.iter().map(|f| f.as_str()).collect())
        .collect();
    assert_eq!(flags, [vec![], vec!["duplicate"]]);
    let detail = get_delivery(&session, story.entries[0].delivery_id)
        .await
        .expect("get");
    let attempts: Vec<Option<u32>> = detail.retry_chain.iter().map(|c| c.attempt).collect();
    assert_eq!(attempts, [Some(1), Some(2)]);
    assert!(detail.retry_chain.iter().all(|c| c.same_body));
    let empty = timeline(&session, "  ".into()).await.expect_err("no id");
    assert_eq!(empty.kind, "invalid", "{empty:?}");
}

#[tokio::test]
async fn a_store_that_cannot_open_is_reported_and_commands_say_why() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let session = Session::start(&file, "127.0.0.1", Some(0)).await;
    assert!(matches!(session.status(), ListenerStatus::Failed { .. }));
    let error = list_deliveries(&session, Filter::default())
        .await
        .expect_err("no store");
    assert_eq!(error.kind, "unavailable");
    assert!(
        error.message.contains("--data-dir") || error.message.contains("data directory"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_burst_of_arrivals_is_one_notification_batch() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&session) else {
        panic!("not listening");
    };
    let capture = session.capture().expect("capture").clone();
    let (batches, mut received) = tokio::sync::mpsc::unbounded_channel::<Vec<Summary>>();
    tokio::spawn(arrivals::batched(capture.subscribe(), move |batch| {
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

/// One request read off `socket`: its head (lower-cased) and body, by its Content-Length.
async fn read_request(socket: &mut tokio::net::TcpStream) -> (String, Vec<u8>) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse().ok())
                .expect("a content-length");
            if seen.len() >= end + 4 + length {
                return (head, seen[end + 4..end + 4 + length].to_vec());
            }
        }
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "the connection closed mid-request");
        seen.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn a_sample_is_stored_by_the_listener_or_sent_to_a_url_and_an_unknown_event_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;

    // To this inspector: stored under the id the answer names, with the event asked for.
    let sent = send_sample(&session, SampleRequest::new("report/watchlist.matched"))
        .await
        .expect("sent");
    let id = sent.delivery_id.expect("stored by the listener");
    let detail = get_delivery(&session, id).await.expect("get");
    assert_eq!(
        detail.summary.event_name.as_deref(),
        Some("report/watchlist.matched")
    );
    assert_eq!(detail.summary.event_id, Some(sent.sample.event_id.clone()));

    // To a URL: the attempt carries its answer; nothing is stored.
    let app = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", app.local_addr().expect("addr"));
    let received = tokio::spawn(async move {
        let (mut socket, _) = app.accept().await.expect("accept");
        let request = read_request(&mut socket).await;
        socket
            .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await
            .expect("answer");
        request
    });
    let sent = send_sample(
        &session,
        SampleRequest {
            target: Some(url),
            ..SampleRequest::new("inquiry.approved")
        },
    )
    .await
    .expect("sent");
    let (head, body) = received.await.expect("the app got it");
    assert!(head.starts_with("post /hooks "), "{head}");
    assert!(head.contains("\npersona-signature: t="), "{head}");
    assert!(
        String::from_utf8_lossy(&body).contains("inquiry.approved"),
        "the event asked for"
    );
    assert_eq!(sent.attempt.answer.map(|a| a.status), Some(202));
    assert_eq!(sent.delivery_id, None);
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 1, "only the listener's sample is stored");

    let unknown = send_sample(&session, SampleRequest::new("inquiry.finished"))
        .await
        .expect_err("not in the catalog");
    assert_eq!(unknown.kind, "invalid", "{unknown:?}");
    assert!(unknown.message.contains("inquiry."), "{unknown:?}");
}

#[tokio::test]
async fn the_window_gets_each_deliverys_source_and_a_har_it_can_import_back() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let ListenerStatus::Listening { address, .. } = listener_status(&session) else {
        panic!("not listening: {:?}", session.status());
    };
    let body = r#"{"data":{"type":"event","id":"evt_HAR"}}"#;
    post_with(&address, body, "x-forwarded-for: 35.232.44.140\r\n").await;
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows[0].source_ip.as_deref(), Some("35.232.44.140"));
    assert_eq!(rows[0].source_ip_listed, Some(true));

    let refused = update_settings(
        &session,
        SettingsChange {
            persona_source_ips: Some(vec!["35.232".into()]),
            ..SettingsChange::default()
        },
    )
    .await
    .err()
    .expect("a partial address");
    assert_eq!(refused.kind, "invalid", "{refused:?}");
    update_settings(
        &session,
        SettingsChange {
            persona_source_ips: Some(vec!["203.0.113.9".into()]),
            ..SettingsChange::default()
        },
    )
    .await
    .expect("saved");
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows[0].source_ip_listed, Some(false));

    let har = export_har(
        &session,
        Scope::Filter {
            filter: Filter::default(),
        },
    )
    .await
    .expect("exported");
    let parsed: serde_json::Value = serde_json::from_str(&har).expect("JSON");
    assert_eq!(parsed["log"]["version"], "1.2");
    assert_eq!(
        parsed["log"]["entries"][0]["request"]["postData"]["text"],
        body
    );
    let ids = import_fixtures(&session, har).await.expect("imported");
    let imported = get_delivery(&session, ids[0]).await.expect("get");
    assert_eq!(imported.summary.event_id.as_deref(), Some("evt_HAR"));
    assert_eq!(imported.reply_status, None);
    let nothing = export_har(&session, Scope::Ids { ids: vec![999] })
        .await
        .expect_err("nothing stored by that id");
    assert_eq!(nothing.kind, "invalid", "{nothing:?}");
}
