//! The listener over real HTTP on port 0, storing into a real SQLite file.

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::*;
use persona_inspector::capture::{Limits, Reply, Settings};
use persona_inspector::model::{Filter, Outcome, Status, headers_from_json};
use reqwest::StatusCode;

fn exact_body(detail: &persona_inspector::view::Detail) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(&detail.body_base64)
        .expect("body_base64 decodes")
}

#[tokio::test]
async fn signed_delivery_is_stored_exactly_and_verified_before_the_ack() {
    let listener = Listener::start(settings_with_secret()).await;
    let body = inquiry_event("evt_ONE", "inq_ABCdef123", 6000);
    let response = client()
        .post(format!("{}/webhooks/persona?env=sandbox&x=1", listener.url))
        .header("content-type", "application/json")
        .header("persona-signature", persona_signature(SECRET, &body))
        .header("persona-webhook-attempts-made", "2")
        .header("persona-webhook-attempts-left", "6")
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.headers()["x-inspector-delivery-id"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("id");

    // The ack came after the commit, so the row is readable right now.
    let detail = listener
        .store()
        .get(id)
        .expect("acknowledged delivery is stored");
    let s = &detail.summary;
    assert_eq!(exact_body(&detail), body, "body bytes are kept exactly");
    assert_eq!(s.method, "POST");
    assert_eq!(s.path, "/webhooks/persona");
    assert_eq!(s.query.as_deref(), Some("env=sandbox&x=1"));
    assert_eq!(s.event_id.as_deref(), Some("evt_ONE"));
    assert_eq!(s.event_name.as_deref(), Some("inquiry.approved"));
    assert!(s.known_event, "inquiry.approved is in the catalog");
    let resource = s.resource.as_ref().expect("resource");
    assert_eq!(resource.id.as_deref(), Some("inq_ABCdef123"));
    assert_eq!(resource.status.as_deref(), Some("approved"));
    assert_eq!(s.signature.status, Status::Valid, "{:?}", s.signature);
    assert_eq!(
        s.signature.matched.as_ref().map(|m| m.secret.as_str()),
        Some("current")
    );
    assert!(!s.signature.stale);
    assert_eq!(s.attempts.describe().as_deref(), Some("2 made, 6 left"));
    assert!(
        s.remote_addr
            .as_deref()
            .is_some_and(|a| a.starts_with("127.0.0.1:"))
    );
    assert_eq!(s.body_size, body.len() as u64);

    let account = detail
        .relationships
        .iter()
        .find(|r| r.name == "account")
        .expect("account relationship");
    assert!(account.targets[0].included, "account is in included");
    let template = detail
        .relationships
        .iter()
        .find(|r| r.name == "template")
        .expect("template relationship");
    assert!(!template.targets[0].included, "template is not in included");
    assert_eq!(detail.included.len(), 1);
    listener.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_is_stored_as_invalid_and_still_acknowledged() {
    let listener = Listener::start(settings_with_secret()).await;
    let body = inquiry_event("evt_WRONG", "inq_1", 10);
    let response = client()
        .post(&listener.url)
        .header(
            "persona-signature",
            persona_signature("wbhsec_someone_else", &body),
        )
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "capture never rejects on signature"
    );
    let rows = listener.store().list(&Filter::default()).expect("list");
    assert_eq!(rows[0].signature.status, Status::Invalid);
    listener.stop().await;
}

#[tokio::test]
async fn bad_bodies_are_kept_exactly_with_their_parse_error() {
    let listener = Listener::start(Settings::default()).await;
    let invalid = include_bytes!("fixtures/docs-example-invalid.json").to_vec();
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let deep_array = "[".repeat(300_000).into_bytes();
    let deep_object = "{\"a\":".repeat(300_000).into_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("seed 001 example", invalid),
        ("binary", binary),
        ("empty", Vec::new()),
        ("deep array", deep_array),
        ("deep object", deep_object),
        (
            "truncated json",
            b"{\"data\": {\"type\": \"event\"".to_vec(),
        ),
    ];
    for (what, body) in cases {
        let response = client()
            .post(format!("{}/bad", listener.url))
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{what} is captured as-is"
        );
        let id: i64 = response.headers()["x-inspector-delivery-id"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("id");
        let detail = listener.store().get(id).expect("stored");
        assert_eq!(exact_body(&detail), body, "{what}: exact bytes");
        let error = detail.summary.parse_error.as_ref();
        assert!(error.is_some(), "{what}: parse error recorded");
        assert_eq!(detail.summary.signature.status, Status::Missing, "{what}");
    }

    let seed = listener
        .store()
        .list(&Filter {
            limit: Some(100),
            ..Filter::default()
        })
        .expect("list")
        .into_iter()
        .last()
        .expect("first capture");
    let error = seed.parse_error.expect("seed 001 is not valid JSON");
    assert_eq!(
        (error.line, error.column),
        (10, 11),
        "the first error, where a comma is missing: {error:?}"
    );
    listener.stop().await;
}

#[tokio::test]
async fn any_method_path_query_and_duplicate_headers_are_kept_in_order() {
    let listener = Listener::start(Settings::default()).await;
    let response = client()
        .put(format!("{}/a/b/c?x=1&x=2&empty=", listener.url))
        .header("x-first", "1")
        .header("x-dup", "one")
        .header("x-dup", "two")
        .header(
            "x-binary",
            reqwest::header::HeaderValue::from_bytes(&[b'a', 0xff, 0xfe]).expect("obs-text"),
        )
        .body("hello")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let get = client()
        .get(format!("{}/", listener.url))
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), StatusCode::OK, "a GET is captured too");
    let text = get.text().await.expect("text");
    assert!(
        !text.contains("hello"),
        "the listener never serves stored data: {text}"
    );

    let rows = listener.store().list(&Filter::default()).expect("list");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].method, "GET");
    let detail = listener.store().get(rows[1].id).expect("put");
    assert_eq!(detail.summary.method, "PUT");
    assert_eq!(detail.summary.path, "/a/b/c");
    assert_eq!(detail.summary.query.as_deref(), Some("x=1&x=2&empty="));
    let headers = headers_from_json(&detail.headers);
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let first = names.iter().position(|n| *n == "x-first").expect("x-first");
    let dups: Vec<&[u8]> = headers
        .iter()
        .filter(|(n, _)| n == "x-dup")
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(
        dups,
        vec![&b"one"[..], &b"two"[..]],
        "duplicates kept, in order"
    );
    assert!(names.iter().position(|n| *n == "x-dup").expect("x-dup") > first);
    let binary = headers
        .iter()
        .find(|(n, _)| n == "x-binary")
        .expect("x-binary");
    assert_eq!(
        binary.1,
        vec![b'a', 0xff, 0xfe],
        "non-UTF-8 header bytes kept"
    );
    listener.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_is_recorded_with_its_headers() {
    let settings = Settings {
        max_body: 64 * 1024,
        ..Settings::default()
    };
    let listener = Listener::start(settings).await;
    let response = client()
        .post(format!("{}/big", listener.url))
        .header("x-why", "too big")
        .body(vec![b'a'; 64 * 1024 + 1])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text = response.text().await.expect("text");
    assert!(
        text.contains("--max-body"),
        "the answer says what to do: {text}"
    );

    // Exactly at the limit is fine.
    let response = client()
        .post(format!("{}/fits", listener.url))
        .body(vec![b'b'; 64 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let rows = listener.store().list(&Filter::default()).expect("list");
    let big = rows
        .iter()
        .find(|r| r.path == "/big")
        .expect("rejection recorded");
    assert_eq!(big.outcome, Outcome::TooLarge);
    assert_eq!(big.body_size, 64 * 1024 + 1);
    let detail = listener.store().get(big.id).expect("detail");
    assert!(
        headers_from_json(&detail.headers)
            .iter()
            .any(|(n, v)| n == "x-why" && v == b"too big")
    );
    assert!(exact_body(&detail).is_empty());
    listener.stop().await;
}

#[tokio::test]
async fn the_reply_can_be_configured_to_rehearse_retries() {
    let settings = Settings {
        reply: Reply {
            status: reqwest::StatusCode::INTERNAL_SERVER_ERROR,
            delay: Duration::from_millis(300),
            body: Some("nope".into()),
        },
        ..Settings::default()
    };
    let listener = Listener::start(settings).await;
    let started = Instant::now();
    let response = client()
        .post(&listener.url)
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the delay is applied"
    );
    assert_eq!(response.text().await.expect("text"), "nope");
    assert_eq!(
        listener.store().count().expect("count"),
        1,
        "stored even when answering 500"
    );
    listener.stop().await;
}

#[tokio::test]
async fn when_the_store_cannot_commit_the_sender_gets_503_not_2xx() {
    let listener = Listener::start(Settings::default()).await;
    let db = listener.store().path().to_path_buf();
    let saboteur = rusqlite::Connection::open(&db).expect("open");
    saboteur
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON deliveries
             BEGIN SELECT RAISE(ABORT, 'disk is full (simulated)'); END;",
        )
        .expect("trigger");
    let response = client()
        .post(&listener.url)
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let text = response.text().await.expect("text");
    assert!(
        !text.contains("disk is full"),
        "internals don't leak to the sender: {text}"
    );

    saboteur
        .execute_batch("DROP TRIGGER refuse")
        .expect("drop trigger");
    let response = client()
        .post(&listener.url)
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "recovers once the store can write"
    );
    assert_eq!(listener.store().count().expect("count"), 1);
    listener.stop().await;
}

#[tokio::test]
async fn concurrent_deliveries_share_commits_and_each_is_announced() {
    // 200 at once is over the default caps (tests/limits.rs checks those); raised here.
    let limits = Limits {
        max_connections: 200,
        max_in_flight: 200,
        ..Limits::default()
    };
    let listener = Listener::start_with(settings_with_secret(), limits, 256).await;
    let mut arrivals = listener.capture.subscribe();
    let client = client();
    let mut tasks = Vec::new();
    for n in 0..200 {
        let client = client.clone();
        let url = listener.url.clone();
        tasks.push(tokio::spawn(async move {
            let body = inquiry_event(&format!("evt_{}", n % 50), &format!("inq_{n}"), 100);
            let response = client
                .post(url)
                .header("persona-signature", persona_signature(SECRET, &body))
                .body(body)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK);
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(listener.store().count().expect("count"), 200);
    let mut announced = 0;
    while let Ok(summary) = arrivals.try_recv() {
        assert_eq!(summary.signature.status, Status::Valid);
        announced += 1;
    }
    assert_eq!(announced, 200, "every stored delivery is announced");
    let repeats = listener
        .store()
        .list(&Filter {
            event_id: Some("evt_7".into()),
            ..Filter::default()
        })
        .expect("list");
    assert_eq!(repeats.len(), 4, "evt_7 arrived four times");
    assert!(repeats.iter().all(|r| r.event_deliveries == 4));
    let found = listener
        .store()
        .list(&Filter {
            search: Some("inq_199".into()),
            ..Filter::default()
        })
        .expect("search");
    assert_eq!(
        found.len(),
        1,
        "captures are searchable as soon as they are acknowledged"
    );
    listener.stop().await;
}

#[tokio::test]
async fn a_sender_trickling_its_body_is_cut_off_with_408_and_nothing_is_stored() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let settings = Settings {
        body_timeout: Duration::from_millis(300),
        ..Settings::default()
    };
    let listener = Listener::start(settings).await;
    let address = listener.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the listener answered instead of waiting for ever"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(listener.store().count().expect("count"), 0);
    listener.stop().await;
}
