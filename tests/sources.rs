//! Where a delivery came from: its apparent source address (the peer, or behind a proxy on this
//! machine the address that proxy put last in X-Forwarded-For) and whether it is in the saved
//! list of Persona's webhook addresses — over real sockets, a real session and SQLite files,
//! and the binary's `list --json` and `show`.

mod common;

use std::time::Duration;

use common::session::*;
use common::{inspector, serve};
use persona_inspector::model::{Filter, PERSONA_WEBHOOK_IPS, Source, headers_to_json};
use persona_inspector::session::{Session, SettingsChange};
use persona_inspector::share::{self, Limits};
use persona_inspector::store::Summary;

/// Persona addresses from the published list: a US one and a German one.
const PERSONA_US: &str = "35.232.44.140";
const PERSONA_DE: &str = "34.89.193.61";
/// Not Persona's (documentation range).
const STRANGER: &str = "203.0.113.9";

/// Posts to the listener with `headers` (raw lines) and returns the stored delivery's id.
async fn post_from(address: &str, headers: &str) -> i64 {
    let answer = post_with(address, "{}", headers).await;
    answer
        .lines()
        .find_map(|l| l.strip_prefix("x-inspector-delivery-id: "))
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_else(|| panic!("stored: {answer}"))
}

fn by_id(rows: &[Summary], id: i64) -> &Summary {
    rows.iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("delivery {id} is listed"))
}

fn source(rows: &[Summary], id: i64) -> (Option<&str>, Option<bool>) {
    let s = by_id(rows, id);
    (s.source_ip.as_deref(), s.source_ip_listed)
}

/// Every way an X-Forwarded-For can arrive through the loopback peer a local ngrok agent is.
struct Cases {
    plain: i64,
    persona: i64,
    forged: i64,
    two_lines: i64,
    unreadable: i64,
}

async fn deliver_cases(address: &str) -> Cases {
    Cases {
        plain: post_from(address, "").await,
        persona: post_from(address, &format!("x-forwarded-for: {PERSONA_US}\r\n")).await,
        // The sender wrote the first entry to pass for Persona; ngrok appended the real one.
        forged: post_from(
            address,
            &format!("x-forwarded-for: {PERSONA_US}, {STRANGER}\r\n"),
        )
        .await,
        // Two lines are one list: the last entry of the last line is the proxy's.
        two_lines: post_from(
            address,
            &format!("x-forwarded-for: {STRANGER}\r\nx-forwarded-for: {PERSONA_DE}\r\n"),
        )
        .await,
        unreadable: post_from(
            address,
            &format!("x-forwarded-for: {PERSONA_US}, unknown\r\n"),
        )
        .await,
    }
}

#[tokio::test]
async fn the_source_is_read_from_the_proxys_entry_and_looked_up_in_personas_list() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&session));
    let mut announced = session.capture().expect("listening").subscribe();
    let cases = deliver_cases(&address).await;

    let expected = [
        (cases.plain, Some("127.0.0.1"), Some(false)),
        (cases.persona, Some(PERSONA_US), Some(true)),
        (cases.forged, Some(STRANGER), Some(false)),
        (cases.two_lines, Some(PERSONA_DE), Some(true)),
        (cases.unreadable, None, None),
    ];
    // As announced live, and as read back from the database.
    let mut live = Vec::new();
    for _ in 0..expected.len() {
        live.push(
            tokio::time::timeout(Duration::from_secs(10), announced.recv())
                .await
                .expect("announced in time")
                .expect("announced"),
        );
    }
    let stored = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    // Kept in a column of its own as each arrives; rows stored before that column (schema 9)
    // are read from their headers, which such rows hold as JSON text: each row is written
    // back as one of those (no column, headers and verdict as text, nothing compressed).
    let store = session.store().expect("store");
    let older_rows: Vec<(i64, String, String)> = stored
        .iter()
        .map(|summary| {
            let headers = store.raw(summary.id).expect("raw").arrival.headers;
            (
                summary.id,
                headers_to_json(&headers).to_string(),
                serde_json::to_string(&summary.signature).expect("verdict"),
            )
        })
        .collect();
    let kept: Vec<Option<String>> = store
        .write(move |conn| {
            let kept = conn
                .prepare("SELECT forwarded_for FROM deliveries ORDER BY id")?
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            for (id, headers, verdict) in &older_rows {
                conn.execute(
                    "UPDATE deliveries SET forwarded_for = NULL, headers = ?2, signature = ?3,
                         headers_verdict = NULL, stale_age = NULL WHERE id = ?1",
                    rusqlite::params![id, headers, verdict],
                )?;
            }
            Ok(kept)
        })
        .expect("as an older row");
    assert_eq!(
        kept,
        vec![
            None,
            Some(PERSONA_US.to_string()),
            Some(format!("{PERSONA_US}, {STRANGER}")),
            Some(format!("{STRANGER},{PERSONA_DE}")),
            Some(format!("{PERSONA_US}, unknown")),
        ]
    );
    let older = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    for (id, ip, listed) in expected {
        assert_eq!(source(&live, id), (ip, listed), "announced #{id}");
        assert_eq!(source(&stored, id), (ip, listed), "stored #{id}");
        assert_eq!(
            source(&older, id),
            (ip, listed),
            "stored before the column #{id}"
        );
    }

    // The detail says how each was worked out.
    let session = &session;
    let note = |id| async move { get_delivery(session, id).await.expect("get").source_ip_note };
    assert!(
        note(cases.plain).await.contains("this machine"),
        "a loopback peer without X-Forwarded-For is named as such"
    );
    assert!(note(cases.persona).await.contains("X-Forwarded-For"));
    let forged = note(cases.forged).await;
    assert!(
        forged.contains("the 1 before it was written by the sender"),
        "{forged}"
    );
    let unreadable = note(cases.unreadable).await;
    assert!(unreadable.contains("\"unknown\""), "{unreadable}");
    session.stop().await.expect("stop");
}

#[tokio::test]
async fn editing_the_list_changes_what_stored_and_new_deliveries_say() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&session));
    let persona = post_from(&address, &format!("x-forwarded-for: {PERSONA_US}\r\n")).await;
    let stranger = post_from(&address, &format!("x-forwarded-for: {STRANGER}\r\n")).await;
    let listed = |rows: &[Summary]| (source(rows, persona).1, source(rows, stranger).1);
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(listed(&rows), (Some(true), Some(false)));
    let settings = session.settings().await.expect("settings");
    assert_eq!(settings.persona_source_ips.len(), PERSONA_WEBHOOK_IPS.len());

    // A list that does not read is refused, naming the address, and nothing changes.
    let refused = session
        .update_settings(SettingsChange {
            persona_source_ips: Some(vec![PERSONA_US.into(), ".232.44.140".into()]),
            ..SettingsChange::default()
        })
        .await
        .err()
        .expect("a partial address is refused");
    assert_eq!(refused.kind(), "invalid");
    assert!(refused.to_string().contains("\".232.44.140\""), "{refused}");
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(listed(&rows), (Some(true), Some(false)));

    // The list now holds only the stranger: both stored verdicts turn over.
    let changed = session
        .update_settings(SettingsChange {
            persona_source_ips: Some(vec![format!(" {STRANGER} ")]),
            ..SettingsChange::default()
        })
        .await
        .expect("saved");
    assert_eq!(
        changed.settings.persona_source_ips,
        vec![STRANGER.to_string()]
    );
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(listed(&rows), (Some(false), Some(true)));
    let detail = get_delivery(&session, stranger).await.expect("get");
    assert_eq!(detail.summary.source_ip_listed, Some(true));

    // New deliveries are announced under the new list at once.
    let mut announced = session.capture().expect("listening").subscribe();
    let after = post_from(&address, &format!("x-forwarded-for: {STRANGER}\r\n")).await;
    let summary = tokio::time::timeout(Duration::from_secs(10), announced.recv())
        .await
        .expect("announced in time")
        .expect("announced");
    assert_eq!(summary.id, after);
    assert_eq!(summary.source_ip_listed, Some(true));

    // An empty list knows nothing: every verdict is unknown, the addresses stay.
    session
        .update_settings(SettingsChange {
            persona_source_ips: Some(Vec::new()),
            ..SettingsChange::default()
        })
        .await
        .expect("saved");
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(listed(&rows), (None, None));
    assert_eq!(source(&rows, persona).0, Some(PERSONA_US));
    session.stop().await.expect("stop");

    // Saved: the next launch reads the same list.
    let again = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    assert!(
        again
            .settings()
            .await
            .expect("settings")
            .persona_source_ips
            .is_empty()
    );
    again.stop().await.expect("stop");
}

#[tokio::test]
async fn a_remote_peers_forwarded_for_is_its_own_claim_and_ignored() {
    // The listener binds loopback, so a peer elsewhere on the network is an import's claim.
    let dir = tempfile::tempdir().expect("temp");
    let store = persona_inspector::store::Store::open(dir.path()).expect("store");
    let fixture = |remote: serde_json::Value| {
        serde_json::json!({
            "format": share::FIXTURE_FORMAT, "version": share::FIXTURE_VERSION,
            "delivery": {
                "received_at": "2026-11-22T10:04:05.123Z", "method": "POST", "path": "/",
                "remote_addr": remote,
                "headers": [["x-forwarded-for", PERSONA_US]], "body_base64": "e30="
            }
        })
    };
    let text = serde_json::json!([
        fixture(serde_json::json!("198.51.100.7:443")),
        fixture(serde_json::Value::Null),
        fixture(serde_json::json!("127.0.0.1:40000")),
    ])
    .to_string();
    let read =
        share::read_fixtures("fixtures.json", text.as_bytes(), &Limits::default()).expect("read");
    let stored = share::import(&store, read).expect("import");
    let rows = store.list(&Filter::default()).expect("list");
    assert!(rows.iter().all(|s| s.source == Source::Imported));
    assert_eq!(
        source(&rows, stored[0].id),
        (Some("198.51.100.7"), Some(false)),
        "a remote peer's X-Forwarded-For is not believed"
    );
    assert_eq!(
        source(&rows, stored[1].id),
        (None, None),
        "no peer: unknown"
    );
    assert_eq!(
        source(&rows, stored[2].id),
        (Some(PERSONA_US), Some(true)),
        "through a proxy on this machine it is"
    );
    let note = store.get(stored[0].id).expect("get").source_ip_note;
    assert!(note.contains("is ignored"), "{note}");
}

#[test]
fn list_json_and_show_carry_the_source() {
    let dir = tempfile::tempdir().expect("temp");
    let (mut child, url, _lines) = serve(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let id = runtime.block_on(post_from(
        &url,
        &format!("x-forwarded-for: {STRANGER}, {PERSONA_US}\r\n"),
    ));
    let _ = child.kill();
    let _ = child.wait();

    let listed = inspector(dir.path())
        .args(["list", "--json"])
        .output()
        .expect("list");
    assert!(listed.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let row = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == id))
        .expect("the delivery is listed");
    assert_eq!(row["source_ip"], PERSONA_US);
    assert_eq!(row["source_ip_listed"], true);
    assert_eq!(
        row["remote_addr"]
            .as_str()
            .map(|a| a.starts_with("127.0.0.1:")),
        Some(true)
    );

    let shown = inspector(dir.path())
        .args(["show", &id.to_string()])
        .output()
        .expect("show");
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains(&format!(
            "source     {PERSONA_US}  in Persona's list of webhook addresses"
        )),
        "{text}"
    );
    assert!(text.contains("answered   200 OK"), "{text}");
}
