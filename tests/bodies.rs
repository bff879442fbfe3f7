//! Bodies are stored compressed when that pays, and every reader gets exactly the bytes that
//! arrived: through a real listener on port 0 into a real SQLite file, read back through the
//! store, `show --json` and both exports.

mod common;

use base64::Engine;
use common::*;
use persona_inspector::capture::DELIVERY_ID_HEADER;
use persona_inspector::model::Filter;
use rusqlite::Connection;

/// A JSON array of Persona-looking objects, `size` bytes or a little more.
fn big_json(size: usize) -> Vec<u8> {
    let mut out = b"[".to_vec();
    let mut n = 0;
    while out.len() < size - 200 {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            format!(
                r#"{{"type":"verification/government-id","id":"ver_{n:024}","status":"passed"}}"#
            )
            .as_bytes(),
        );
        n += 1;
    }
    out.extend_from_slice(b",\"bigbodyneedle\"]");
    out
}

struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    /// How the row should keep it: as received, or compressed with the dictionary new rows get.
    encoding: i64,
}

/// `body_encoding` of a body kept as received.
const AS_RECEIVED: i64 = 0;
/// `body_encoding` of a body compressed as new rows are: zstd with dictionary v2 (code 1, v1,
/// is only read now).
const COMPRESSED: i64 = 2;

fn cases() -> Vec<Case> {
    let mut json = inquiry_event(
        "evt_BodiesRoundTrip000001",
        "inq_BodiesRoundTrip000001",
        5000,
    );
    json.extend_from_slice(b"\n");
    let binary: Vec<u8> = (0..30_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 4096) as u8)
        .collect();
    vec![
        Case {
            name: "text JSON",
            content_type: "application/json",
            body: json,
            encoding: COMPRESSED,
        },
        Case {
            name: "binary",
            content_type: "application/octet-stream",
            body: binary,
            encoding: COMPRESSED,
        },
        Case {
            name: "empty",
            content_type: "application/json",
            body: Vec::new(),
            encoding: AS_RECEIVED,
        },
        Case {
            name: "incompressible",
            content_type: "application/octet-stream",
            body: random_bytes(300_000, 0x1234_5678_9ABC_DEF1),
            encoding: AS_RECEIVED,
        },
        Case {
            name: "10 MiB JSON",
            content_type: "application/json",
            body: big_json(10 * 1024 * 1024),
            encoding: COMPRESSED,
        },
    ]
}

fn stored_encoding(dir: &std::path::Path, id: i64) -> (i64, usize) {
    let conn = Connection::open(dir.join("inspector.db")).expect("open");
    conn.query_row(
        "SELECT body_encoding, length(body) FROM deliveries WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)),
    )
    .expect("row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_body_comes_back_exactly_as_it_arrived() {
    let listener = Listener::start(settings_with_secret()).await;
    let client = client();
    let mut stored = Vec::new();
    for case in cases() {
        let response = client
            .post(format!("{}/webhooks/persona", listener.url))
            .header("content-type", case.content_type)
            .header("persona-signature", persona_signature(SECRET, &case.body))
            .body(case.body.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{}", case.name);
        let id: i64 = response.headers()[DELIVERY_ID_HEADER]
            .to_str()
            .expect("id header")
            .parse()
            .expect("an id");
        stored.push((case, id));
    }

    let store = listener.store().clone();
    for (case, id) in &stored {
        let (encoding, length) = stored_encoding(listener.dir.path(), *id);
        assert_eq!(
            encoding, case.encoding,
            "{}: how the row keeps it",
            case.name
        );
        if encoding == COMPRESSED {
            assert!(
                length * 2 < case.body.len(),
                "{}: {length} bytes stored for {}",
                case.name,
                case.body.len()
            );
        }
        let raw = store.raw(*id).expect("raw");
        assert!(raw.body == case.body, "{}: Store::raw", case.name);
        assert!(
            store.body(*id).expect("body") == case.body,
            "{}: Store::body",
            case.name
        );
        let detail = store.get(*id).expect("get");
        let shown = base64::engine::general_purpose::STANDARD
            .decode(&detail.body_base64)
            .expect("base64");
        assert!(shown == case.body, "{}: Store::get", case.name);
    }

    // The search index is fed the decompressed text.
    let found = store
        .list(&Filter {
            search: Some("bigbodyneedle".into()),
            ..Filter::default()
        })
        .expect("search");
    assert_eq!(found.len(), 1, "the 10 MiB body's last word is found");
    let found = store
        .list(&Filter {
            search: Some("inq_BodiesRoundTrip".into()),
            ..Filter::default()
        })
        .expect("search");
    assert_eq!(found.len(), 1, "an id inside the compressed JSON is found");

    // The CLI, another process on the same file.
    let dir = listener.dir.path().to_path_buf();
    for (case, id) in &stored {
        let id = id.to_string();
        let shown = run_cli(&dir, &["show", &id, "--json"]).await;
        let detail = stdout_json(&shown);
        let body = base64::engine::general_purpose::STANDARD
            .decode(detail["body_base64"].as_str().expect("body_base64"))
            .expect("base64");
        assert!(body == case.body, "{}: show --json", case.name);

        let fixture = stdout_json(&run_cli(&dir, &["export", &id, "--fixture"]).await);
        let text = fixture.to_string();
        let exported = base64::engine::general_purpose::STANDARD
            .decode(
                find_key(&fixture, "body_base64")
                    .and_then(|b| b.as_str())
                    .unwrap_or_else(|| panic!("{}: no body_base64 in {text:.200}", case.name)),
            )
            .expect("base64");
        assert!(exported == case.body, "{}: export --fixture", case.name);

        let har = stdout_json(&run_cli(&dir, &["export", &id, "--har"]).await);
        let request = &har["log"]["entries"][0]["request"];
        match std::str::from_utf8(&case.body) {
            Ok(text) if !text.is_empty() => {
                assert!(
                    request["postData"]["text"].as_str() == Some(text),
                    "{}: export --har",
                    case.name
                );
            }
            _ => assert_eq!(request["bodySize"], case.body.len(), "{}", case.name),
        }
    }
    listener.stop().await;
}

/// The first value under `key` anywhere in `value`.
fn find_key<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|v| find_key(v, key))),
        serde_json::Value::Array(items) => items.iter().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

/// One damaged row (its stored bytes changed in SQL) is reported where it is read, and every
/// view that merely passes by it still shows the rest.
#[test]
fn a_body_that_does_not_decode_leaves_the_detail_chain_and_timeline_readable() {
    use persona_inspector::model::{Arrival, NewDelivery, Verification};
    let dir = tempfile::tempdir().expect("temp");
    let store = persona_inspector::store::Store::open(dir.path()).expect("store");
    let arrive = |body: Vec<u8>| {
        let arrival = Arrival {
            received_at_ms: now(),
            method: "POST".into(),
            path: "/".into(),
            query: None,
            remote_addr: None,
            headers: Vec::new(),
        };
        NewDelivery::captured(arrival, body, &Verification::default())
    };
    let event = inquiry_event("evt_DamagedRow0000000001", "inq_DamagedRow0000000001", 3000);
    let mention = format!(
        r#"{{"note":"about inq_DamagedRow0000000001, {}"}}"#,
        "padding ".repeat(40)
    );
    let stored = store
        .insert_many(vec![
            arrive(event.clone()),
            arrive(event),
            arrive(mention.into_bytes()),
        ])
        .expect("stored");
    let (first, retry, mentioning) = (stored[0].id, stored[1].id, stored[2].id);
    // The index has read them before they are damaged.
    let found = store
        .list(&Filter {
            search: Some("inq_DamagedRow0000000001".into()),
            ..Filter::default()
        })
        .expect("search");
    assert_eq!(found.len(), 3);
    let conn = Connection::open(dir.path().join("inspector.db")).expect("open");
    for id in [retry, mentioning] {
        assert_eq!(stored_encoding(dir.path(), id).0, COMPRESSED, "compressed");
        // No hash: the chain must read the body to compare it, as for a row from before.
        conn.execute(
            "UPDATE deliveries SET body = zeroblob(40), body_hash = NULL WHERE id = ?1",
            [id],
        )
        .expect("damaged");
    }

    let refused = store
        .get(retry)
        .expect_err("the full detail needs the body");
    assert!(refused.to_string().contains("cannot be read"), "{refused}");
    let meta = store.get_meta(retry).expect("the rest of the detail");
    assert_eq!(meta.summary.id, retry);
    assert!(
        meta.event_notes
            .iter()
            .any(|n| n.contains("cannot be read")),
        "{:?}",
        meta.event_notes
    );
    assert_eq!(meta.retry_chain.len(), 2);
    assert!(!meta.retry_chain[1].same_body);
    assert!(
        meta.retry_chain_notes
            .iter()
            .any(|n| n.contains(&format!("#{retry} was not compared"))),
        "{:?}",
        meta.retry_chain_notes
    );
    assert!(store.get_meta(first).is_ok(), "the first copy's detail too");

    let timeline = store
        .timeline("inq_DamagedRow0000000001")
        .expect("the timeline");
    assert_eq!(timeline.entries.len(), 2);
    assert!(
        timeline
            .notes
            .iter()
            .any(|n| n.contains(&format!("#{mentioning} was not read for mentions"))),
        "{:?}",
        timeline.notes
    );
}

/// The index keeps each key next to its value, however often the body repeats them: a search
/// for `key:value`, or a pasted `"key":"value"`, finds the body that has that member.
#[test]
fn a_search_for_a_key_and_its_value_finds_the_member() {
    use persona_inspector::model::{Arrival, NewDelivery, Verification};
    let dir = tempfile::tempdir().expect("temp");
    let store = persona_inspector::store::Store::open(dir.path()).expect("store");
    let body = r#"{"data":{"attributes":{"status":"pending","name-last":"Jane",
        "name-first":"Jane","name-middle":"José Ñúñez","nickname":"अनिल",
        "greeting":"नमस्ते कृष्ण","name-nfd":"Mu\u0308ller","memo":"abc₿def 🥰x"}},
        "included":[{"type":"verification","status":"passed"}]}"#
        .as_bytes();
    let arrival = Arrival {
        received_at_ms: now(),
        method: "POST".into(),
        path: "/".into(),
        query: None,
        remote_addr: None,
        headers: Vec::new(),
    };
    let stored = store
        .insert_many(vec![NewDelivery::captured(
            arrival,
            body.to_vec(),
            &Verification::default(),
        )])
        .expect("stored");
    let search = |text: &str| {
        store
            .list(&Filter {
                search: Some(text.into()),
                ..Filter::default()
            })
            .expect("search")
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(search("status:passed"), [stored[0].id]);
    assert_eq!(search(r#""name-first":"Jane""#), [stored[0].id]);
    assert_eq!(search("status:approved"), Vec::<i64>::new());
    // The value's start is enough, in any case; words that are not next to each other in one
    // member are not a match.
    assert_eq!(search("STATUS:Pass"), [stored[0].id]);
    assert_eq!(search("pending:jane"), Vec::<i64>::new());
    // Letters beyond ASCII, with their accents or without, and words with combining marks.
    assert_eq!(search("jose ñuñez"), [stored[0].id]);
    assert_eq!(search("name-middle:José"), [stored[0].id]);
    assert_eq!(search("अनिल"), [stored[0].id]);
    // A virama, a combining accent, characters newer than SQLite's Unicode tables.
    assert_eq!(search("नमस्ते कृष्ण"), [stored[0].id]);
    assert_eq!(search("Mu\u{0308}ller"), [stored[0].id]);
    assert_eq!(search("abc₿def"), [stored[0].id]);
    assert_eq!(search("🥰x"), [stored[0].id]);
    // Two members pasted together, and a key's path.
    assert_eq!(
        search(r#"{"type":"verification","status":"passed"}"#),
        [stored[0].id]
    );
    // Members pair words within themselves only.
    assert_eq!(search("pending,name-last"), [stored[0].id]);
}
