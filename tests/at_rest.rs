//! Data at rest: after a purge (or a secret's removal), no byte of what went can be read back from
//! any file of the data directory — the database, the search index, their WALs and shared
//! memory files. Each test reads the raw bytes of every file, and also finds what was kept, which
//! proves it reads the files that hold the data.

mod common;

use std::path::Path;
use std::time::Duration;

use common::SECRET;
use persona_inspector::model::{Arrival, Filter, NewDelivery, Verification};
use persona_inspector::store::{DATABASE_FILE, Purge, Store};
use persona_inspector::{Error, clock};

const DAY_MS: i64 = 86_400_000;

/// A delivery whose every stored field carries `mark`: body, a header, and the columns the
/// list filters on and the search index holds (event name, event id, resource id). The body
/// repeats its mark `repeat` times: 600 spill it onto overflow pages.
fn marked(mark: &str, n: usize, received_at_ms: i64, repeat: usize) -> NewDelivery {
    let body = serde_json::json!({
        "data": {
            "type": "event",
            "id": format!("evt_{mark}Event{n}"),
            "attributes": {
                "name": format!("{mark}.name{n}"),
                "created-at": "2026-11-22T10:00:00.000Z",
                "payload": {
                    "data": {
                        "type": "inquiry",
                        "id": format!("inq_{mark}Resource{n}"),
                        "attributes": {
                            "name-first": format!("{mark}Person{n}"),
                            "notes": format!("{mark}Body{n} ").repeat(repeat),
                        }
                    },
                    "included": []
                }
            }
        }
    })
    .to_string()
    .into_bytes();
    let arrival = Arrival {
        received_at_ms,
        method: "POST".into(),
        path: format!("/hook/{mark}Path{n}"),
        query: Some(format!("q={mark}Query{n}")),
        remote_addr: Some("127.0.0.1:1".into()),
        headers: vec![
            ("content-type".into(), b"application/json".to_vec()),
            ("x-note".into(), format!("{mark}Header{n}").into_bytes()),
        ],
    };
    NewDelivery::captured(arrival, body, &Verification::default())
}

/// Every file in `dir` (the data directory is flat) whose raw bytes contain `needle`, as given
/// or lowercased (the search index lowercases its tokens).
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let forms = [
        needle.as_bytes().to_vec(),
        needle.to_lowercase().into_bytes(),
    ];
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the data directory") {
        let path = entry.expect("a directory entry").path();
        let bytes = std::fs::read(&path).expect("read a data file");
        if forms
            .iter()
            .any(|form| bytes.windows(form.len()).any(|w| w == form.as_slice()))
        {
            found.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into(),
            );
        }
    }
    found.sort();
    found
}

fn search(store: &Store, text: &str) -> usize {
    store
        .list(&Filter {
            search: Some(text.into()),
            ..Filter::default()
        })
        .expect("search")
        .len()
}

/// 60 old deliveries interleaved with 900 recent ones, so purged and kept rows share pages
/// and the tables, their indexes and the search index span many pages. The old ones are few
/// (under a tenth): the search index would rewrite a segment that lost more on its own.
fn store_old_and_recent(store: &Store) {
    let now = clock::now_ms();
    let mut rows = Vec::new();
    for n in 0..900 {
        if n % 15 == 0 {
            rows.push(marked(
                "GoneMark",
                n / 15,
                now - 40 * DAY_MS - n as i64,
                600,
            ));
        }
        rows.push(marked("KeptMark", n, now - n as i64, 3));
    }
    store.insert_many(rows).expect("insert");
    // Indexed before the purge, so the index really held the text that must go.
    assert_eq!(
        search(store, "inq_GoneMarkResource59"),
        1,
        "old rows are indexed"
    );
}

#[test]
fn a_purge_by_age_leaves_no_byte_of_the_purged_deliveries_in_any_file() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store_old_and_recent(&store);
    assert!(
        !files_holding(dir.path(), "GoneMark").is_empty(),
        "before the purge the old deliveries' text is on disk"
    );

    let removed = store
        .purge(Purge::OlderThan(Duration::from_secs(30 * 86_400)))
        .expect("purge");
    assert_eq!(removed, 60, "the 60 old deliveries go");
    assert_eq!(
        store.count().expect("count"),
        900,
        "the 900 recent ones stay"
    );
    assert_eq!(
        search(&store, "inq_KeptMarkResource899"),
        1,
        "kept rows still found"
    );

    let gone = files_holding(dir.path(), "GoneMark");
    assert!(
        gone.is_empty(),
        "the purged deliveries' text can still be read from {gone:?}"
    );
    let kept = files_holding(dir.path(), "KeptMark");
    assert!(
        kept.iter().any(|f| f.starts_with("inspector.db"))
            && kept.iter().any(|f| f.starts_with("search.db")),
        "the kept deliveries' text is in the database and the index, so the check reads \
         the right files: {kept:?}"
    );
    drop(store);
    let gone = files_holding(dir.path(), "GoneMark");
    assert!(gone.is_empty(), "nor after closing: {gone:?}");
}

#[test]
fn a_purge_of_all_leaves_no_byte_of_any_delivery_in_any_file() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store_old_and_recent(&store);

    assert_eq!(store.purge(Purge::All).expect("purge all"), 960);
    assert_eq!(store.count().expect("count"), 0);
    for mark in ["GoneMark", "KeptMark"] {
        let found = files_holding(dir.path(), mark);
        assert!(
            found.is_empty(),
            "after purging all, {mark} text can still be read from {found:?}"
        );
    }
    // Capturing goes on after a purge, into the same files.
    store
        .insert_many(vec![marked("AfterMark", 0, clock::now_ms(), 600)])
        .expect("insert after the purge");
    assert_eq!(search(&store, "inq_AfterMarkResource0"), 1);
    assert!(
        !files_holding(dir.path(), "AfterMark").is_empty(),
        "new deliveries are written to the files this test reads"
    );
}

#[test]
fn a_reader_holding_the_wal_makes_the_purge_report_it_and_the_next_purge_in_any_process_finishes_the_erase()
 {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store_old_and_recent(&store);
    // Another program reading the database keeps a snapshot that needs the WAL as it is.
    let other = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).expect("open a reader");
    other.execute_batch("BEGIN").expect("begin");
    let seen: i64 = other
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .expect("read");
    assert_eq!(seen, 960);

    let error = store
        .purge(Purge::OlderThan(Duration::from_secs(30 * 86_400)))
        .expect_err("the WAL can't be emptied while the reader holds it");
    let message = error.to_string();
    assert!(
        matches!(error, Error::NotErased { .. })
            && message.contains("deleted 60 deliveries")
            && message.contains("inspector.db-wal")
            && message.contains("the next purge"),
        "the error says what happened and what to do: {message}"
    );
    assert_eq!(
        store.count().expect("count"),
        900,
        "the deletion itself is committed"
    );

    other.execute_batch("COMMIT").expect("end the read");
    drop(other);
    // The next purge may come from another process (the CLI after the app, or a relaunch):
    // what is due is kept in the database, not in this process.
    drop(store);
    let store = Store::open(dir.path()).expect("open again");
    assert_eq!(
        store
            .purge(Purge::OlderThan(Duration::from_secs(30 * 86_400)))
            .expect("purge again"),
        0,
        "nothing more to delete"
    );
    let gone = files_holding(dir.path(), "GoneMark");
    assert!(
        gone.is_empty(),
        "purging again finished the erase, yet found in {gone:?}"
    );
}

#[test]
fn the_cli_purge_erases_the_same_way() {
    let dir = tempfile::tempdir().expect("temp");
    store_old_and_recent(&Store::open(dir.path()).expect("open"));
    let purge = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_persona-inspector"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("purge")
            .args(args)
            .output()
            .expect("run persona-inspector purge");
        assert!(output.status.success(), "purge {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };

    let said = purge(&["--older-than", "30d"]);
    assert!(said.contains("deleted 60 deliveries"), "{said}");
    let gone = files_holding(dir.path(), "GoneMark");
    assert!(
        gone.is_empty(),
        "after `purge --older-than 30d`, found in {gone:?}"
    );
    assert!(
        files_holding(dir.path(), "KeptMark").contains(&"inspector.db".to_string()),
        "the recent deliveries are kept in the database file"
    );

    let said = purge(&["--all"]);
    assert!(said.contains("deleted 900 deliveries"), "{said}");
    let left = files_holding(dir.path(), "KeptMark");
    assert!(left.is_empty(), "after `purge --all`, found in {left:?}");
}

#[test]
fn a_removed_secret_leaves_no_byte_of_its_value_in_any_file() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let gone = "wbhsec_GoneSecretValue_4f1d9a";
    let kept = store
        .add_secret("kept", SECRET)
        .expect("add the kept secret");
    let removed = store.add_secret("old", gone).expect("add");
    // A rename rewrites the row: the old copy of the row must not linger either.
    store.rename_secret(removed.id, "older").expect("rename");
    store
        .insert_many(vec![marked("KeptMark", 0, clock::now_ms(), 600)])
        .expect("insert");

    store.remove_secret(removed.id).expect("remove");

    let found = files_holding(dir.path(), gone);
    assert!(
        found.is_empty(),
        "the removed secret can still be read from {found:?}"
    );
    assert_eq!(
        files_holding(dir.path(), SECRET),
        vec!["inspector.db".to_string()],
        "the kept secret is in the database file, so the check reads the right file"
    );
    assert_eq!(
        store.secrets().expect("secrets"),
        vec![kept],
        "only the kept secret remains"
    );
}

/// A 48-byte piece from the middle of each pack's compressed frame, by pack id: bodies in a
/// pack are compressed together, so their text is not on disk as such, but the frame is.
fn pack_pieces(dir: &Path) -> Vec<(i64, Vec<u8>)> {
    let db = rusqlite::Connection::open(dir.join(DATABASE_FILE)).expect("open");
    let mut query = db
        .prepare("SELECT id, frame FROM body_packs ORDER BY id")
        .expect("prepare");
    query
        .query_map([], |r| {
            let frame: Vec<u8> = r.get(1)?;
            let middle = frame.len() / 2;
            Ok((r.get(0)?, frame[middle..middle + 48].to_vec()))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("packs")
}

fn files_holding_bytes(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the data directory") {
        let path = entry.expect("a directory entry").path();
        let bytes = std::fs::read(&path).expect("read a data file");
        if bytes.windows(needle.len()).any(|w| w == needle) {
            found.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into(),
            );
        }
    }
    found
}

/// Bodies packed together (16 a pack): a pack of purged bodies alone, a pack of purged and
/// kept ones, a pack of kept ones. The first two packs' bytes are gone from every file; the
/// kept bodies of the second read back exactly; the third pack is still in the database.
#[test]
fn a_purge_leaves_no_byte_of_a_pack_that_held_purged_bodies_in_any_file() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let now = clock::now_ms();
    let old = now - 40 * DAY_MS;
    let rows: Vec<NewDelivery> = (0..48)
        .map(|n| match (n / 16, n % 2) {
            (0, _) | (1, 0) => marked("GoneMark", n, old, 20),
            _ => marked("KeptMark", n, now, 20),
        })
        .collect();
    let bodies: Vec<Vec<u8>> = rows.iter().map(|d| d.body.clone()).collect();
    let stored = store.insert_many(rows).expect("insert");
    let pieces = pack_pieces(dir.path());
    assert_eq!(pieces.len(), 3, "three packs of 16");
    for (pack, piece) in &pieces {
        assert!(
            !files_holding_bytes(dir.path(), piece).is_empty(),
            "pack {pack} is on disk before the purge"
        );
    }

    let removed = store
        .purge(Purge::OlderThan(Duration::from_secs(30 * 86_400)))
        .expect("purge");
    assert_eq!(removed, 24);

    for (pack, piece) in &pieces[..2] {
        let found = files_holding_bytes(dir.path(), piece);
        assert!(
            found.is_empty(),
            "pack {pack} can still be read from {found:?}"
        );
    }
    let (pack, piece) = &pieces[2];
    assert_eq!(
        files_holding_bytes(dir.path(), piece),
        vec!["inspector.db".to_string()],
        "the kept pack {pack} is in the database, so the check reads the right file"
    );
    for (n, (stored, body)) in stored.iter().zip(&bodies).enumerate() {
        match n < 16 || (n < 32 && n % 2 == 0) {
            true => assert!(store.raw(stored.id).is_err(), "{n} purged"),
            false => assert!(store.raw(stored.id).expect("kept").body == *body, "{n}"),
        }
    }
    assert_eq!(search(&store, "inq_KeptMarkResource17"), 1);
    assert_eq!(search(&store, "inq_GoneMarkResource16"), 0);
}
