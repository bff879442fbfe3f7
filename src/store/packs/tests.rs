//! Packs against real SQLite files: round trips of every kind of body, damaged packs, the
//! background packer and its progress, purges, and databases from before packs.

use base64::Engine as _;
use rusqlite::{Connection, params};

use super::*;
use crate::model::{Arrival, Filter, NewDelivery, Verification};
use crate::store::body::tests::{random_bytes, sample};
use crate::store::{DATABASE_FILE, Purge, Store};

fn delivery(body: Vec<u8>, received_at_ms: i64) -> NewDelivery {
    let arrival = Arrival {
        received_at_ms,
        method: "POST".into(),
        path: "/".into(),
        query: None,
        remote_addr: None,
        headers: Vec::new(),
    };
    NewDelivery::captured(arrival, body, &Verification::default())
}

/// `bodies` stored one transaction each: too few at a time for `insert_many` to pack them,
/// as captures are stored.
fn store_alone(store: &Store, bodies: &[Vec<u8>]) -> Vec<i64> {
    bodies
        .iter()
        .map(|body| {
            store
                .insert_many(vec![delivery(body.clone(), 1_700_000_000_000)])
                .expect("stored")[0]
                .id
        })
        .collect()
}

fn open(dir: &tempfile::TempDir) -> Connection {
    Connection::open(dir.path().join(DATABASE_FILE)).expect("open")
}

fn encoding(conn: &Connection, id: i64) -> i64 {
    conn.query_row(
        "SELECT body_encoding FROM deliveries WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .expect("encoding")
}

fn pack_count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM body_packs", [], |r| r.get(0))
        .expect("count")
}

/// Every reader gives back exactly `body` for `id`: the raw request (re-delivery, export), the
/// body alone (HAR, the window), the detail (show), the full record.
fn reads_exactly(store: &Store, id: i64, body: &[u8]) {
    assert!(store.raw(id).expect("raw").body == body, "raw body of {id}");
    assert!(store.body(id).expect("body") == body, "body of {id}");
    let shown = base64::engine::general_purpose::STANDARD
        .decode(store.get(id).expect("detail").body_base64)
        .expect("base64");
    assert!(shown == body, "shown body of {id}");
    let record = store.record(id).expect("record");
    assert!(record.body.as_deref().ok() == Some(body), "record of {id}");
}

/// Bodies of every kind: JSON of several events, compressible binary, empty, tiny,
/// incompressible, and large.
fn mixed_bodies() -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    for n in 0..40 {
        bodies.push(sample(
            [
                "inquiry.approved",
                "verification.passed",
                "report/watchlist.matched",
            ][n % 3],
            n as u64,
        ));
        match n % 8 {
            1 => bodies.push(Vec::new()),
            3 => bodies.push(b"{\"ok\":true}".to_vec()),
            5 => bodies.push(random_bytes(3_000, n as u64 + 1)),
            6 => bodies.push(
                (0..9_000u32)
                    .map(|i| (i % 13 * 17 + i / 700) as u8)
                    .collect(),
            ),
            _ => {}
        }
    }
    let mut large = Vec::new();
    let mut seed = 0;
    while large.len() <= LARGEST_PACKED as usize {
        large.extend_from_slice(&sample("verification.passed", 500 + seed));
        seed += 1;
    }
    bodies.insert(17, large);
    bodies
}

#[test]
fn insert_many_packs_what_compresses_and_every_body_reads_back_exactly() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies = mixed_bodies();
    let stored = store
        .insert_many(bodies.iter().cloned().map(|b| delivery(b, 1)).collect())
        .expect("stored");
    let conn = open(&dir);
    assert!(pack_count(&conn) >= 2, "{} packs", pack_count(&conn));
    for (stored, body) in stored.iter().zip(&bodies) {
        let kind = encoding(&conn, stored.id);
        let expected = match body.len() {
            0..64 => body::IDENTITY,
            n if n as u64 > LARGEST_PACKED => body::ZSTD_DICT_V2,
            _ if body.len() == 3_000 => body::IDENTITY,
            _ => body::PACKED,
        };
        assert_eq!(kind, expected, "row {} of {} bytes", stored.id, body.len());
        reads_exactly(&store, stored.id, body);
    }
    // A pack holds JSON and binary bodies together: the binary ones are packed too.
    let binary = stored
        .iter()
        .zip(&bodies)
        .find(|(_, b)| b.len() == 9_000)
        .expect("a binary body");
    assert_eq!(encoding(&conn, binary.0.id), body::PACKED);
    let stored_bytes: i64 = conn
        .query_row("SELECT sum(length(frame)) FROM body_packs", [], |r| {
            r.get(0)
        })
        .expect("sum");
    let packed_bytes: i64 = conn
        .query_row(
            "SELECT sum(body_size) FROM deliveries WHERE body_encoding = 3",
            [],
            |r| r.get(0),
        )
        .expect("sum");
    assert!(
        stored_bytes * 6 < packed_bytes,
        "packs hold {stored_bytes} bytes for {packed_bytes}"
    );
}

#[test]
fn search_finds_packed_bodies_words() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies: Vec<Vec<u8>> = (0..40).map(|n| sample("inquiry.approved", n)).collect();
    let stored = store
        .insert_many(bodies.iter().cloned().map(|b| delivery(b, 1)).collect())
        .expect("stored");
    assert_eq!(encoding(&open(&dir), stored[20].id), body::PACKED);
    for (stored, body) in stored.iter().zip(&bodies).step_by(7) {
        let text = String::from_utf8_lossy(body).into_owned();
        let id_in_body = text
            .split('"')
            .find(|w| w.starts_with("inq_"))
            .expect("an inquiry id")
            .to_string();
        let found = store
            .list_stored(&Filter {
                search: Some(id_in_body.clone()),
                ..Filter::default()
            })
            .expect("search");
        assert!(
            found.iter().any(|s| s.id == stored.id),
            "{id_in_body} finds {}",
            stored.id
        );
    }
}

/// An import that follows everything the packer has read moves its progress past the packs
/// it made, so the packer does not walk those rows again; what comes after the last pack waits.
#[test]
fn insert_many_moves_the_packers_progress_past_its_own_packs() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies: Vec<Vec<u8>> = (0..(PACK_ROWS * 2 + 2) as u64)
        .map(|n| sample("verification.passed", n))
        .collect();
    let stored = store
        .insert_many(bodies.iter().cloned().map(|b| delivery(b, 1)).collect())
        .expect("stored");
    let conn = open(&dir);
    assert_eq!(
        packed_to(&conn).expect("progress"),
        stored[PACK_ROWS * 2 - 1].id
    );
    assert!(
        !store.packing_pending().expect("pending"),
        "nothing for the packer to read"
    );
    // Rows stored alone before the next import: its packs leave the progress where it is.
    let alone = store_alone(&store, &bodies[..3]);
    store
        .insert_many(bodies.iter().cloned().map(|b| delivery(b, 1)).collect())
        .expect("stored");
    assert_eq!(
        packed_to(&conn).expect("progress"),
        stored[PACK_ROWS * 2 - 1].id
    );
    assert!(
        alone
            .iter()
            .all(|&id| encoding(&conn, id) == body::ZSTD_DICT_V2)
    );
}

#[test]
fn the_packer_packs_full_packs_only_resumes_after_a_restart_and_never_packs_twice() {
    let dir = tempfile::tempdir().expect("temp");
    let bodies: Vec<Vec<u8>> = (0..(PACK_ROWS * 2 + 5) as u64)
        .map(|n| sample("verification.passed", n))
        .collect();
    let ids = {
        let store = Store::open(dir.path()).expect("store");
        let ids = store_alone(&store, &bodies);
        let conn = open(&dir);
        assert!(
            ids.iter()
                .all(|&id| encoding(&conn, id) == body::ZSTD_DICT_V2)
        );
        assert!(store.packing_pending().expect("pending"));
        assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64 * 2);
        assert!(!store.packing_pending().expect("pending"));
        assert_eq!(pack_count(&conn), 2);
        // The last five wait for a full pack.
        for (n, &id) in ids.iter().enumerate() {
            let expected = match n < PACK_ROWS * 2 {
                true => body::PACKED,
                false => body::ZSTD_DICT_V2,
            };
            assert_eq!(encoding(&conn, id), expected, "row {n}");
        }
        ids
    };
    // After a restart the packer starts where it stopped: the packs stay as they are.
    let store = Store::open(dir.path()).expect("reopened");
    for (id, body) in ids.iter().zip(&bodies) {
        reads_exactly(&store, *id, body);
    }
    let more: Vec<Vec<u8>> = (100..(100 + PACK_ROWS as u64))
        .map(|n| sample("inquiry.approved", n))
        .collect();
    let more_ids = store_alone(&store, &more);
    store.start_packing().expect("started");
    let waited = std::time::Instant::now();
    while store.packing_pending().expect("pending") {
        assert!(waited.elapsed().as_secs() < 30, "the packer did not run");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let conn = open(&dir);
    assert_eq!(pack_count(&conn), 3, "one more pack, none redone");
    let packed: i64 = conn
        .query_row(
            "SELECT count(*) FROM deliveries WHERE body_encoding = 3",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(packed as usize, PACK_ROWS * 3);
    for (id, body) in ids.iter().chain(&more_ids).zip(bodies.iter().chain(&more)) {
        reads_exactly(&store, *id, body);
    }
    // Closing stops the packer (the test would hang otherwise).
    drop(store);
}

/// Rows packed by `insert_many`, and a connection to damage them with.
fn packed_rows(n: u64) -> (tempfile::TempDir, Store, Vec<(i64, Vec<u8>)>) {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies: Vec<Vec<u8>> = (0..n).map(|n| sample("inquiry.approved", n)).collect();
    let stored = store
        .insert_many(bodies.iter().cloned().map(|b| delivery(b, 1)).collect())
        .expect("stored");
    let rows: Vec<(i64, Vec<u8>)> = stored.iter().map(|s| s.id).zip(bodies).collect();
    (dir, store, rows)
}

fn refused(store: &Store, id: i64) -> String {
    let error = store.raw(id).expect_err("refused");
    assert!(
        matches!(error, Error::CorruptBody { id: i, .. } if i == id),
        "{error}"
    );
    assert!(store.body(id).is_err());
    assert!(store.record(id).expect("the row reads").body.is_err());
    error.to_string()
}

#[test]
fn a_row_pointing_at_another_rows_bytes_is_refused_never_given_them() {
    let (dir, store, rows) = packed_rows(PACK_ROWS as u64);
    let conn = open(&dir);
    let neighbour: Vec<u8> = conn
        .query_row(
            "SELECT body FROM deliveries WHERE id = ?1",
            [rows[3].0],
            |r| r.get(0),
        )
        .expect("locator");
    // Row 2 now points at row 3's bytes, with its own size and hash.
    conn.execute(
        "UPDATE deliveries SET body = ?1 WHERE id = ?2",
        params![neighbour, rows[2].0],
    )
    .expect("damaged");
    let why = refused(&store, rows[2].0);
    assert!(
        why.contains("do not match its hash") || why.contains("past the end"),
        "{why}"
    );
    // The others read as ever.
    reads_exactly(&store, rows[3].0, &rows[3].1);
    reads_exactly(&store, rows[1].0, &rows[1].1);
    // A locator that is not one, or a row with no hash.
    conn.execute(
        "UPDATE deliveries SET body = x'0102' WHERE id = ?1",
        [rows[4].0],
    )
    .expect("damaged");
    assert!(refused(&store, rows[4].0).contains("marked as packed"));
    conn.execute(
        "UPDATE deliveries SET body_hash = NULL WHERE id = ?1",
        [rows[5].0],
    )
    .expect("damaged");
    assert!(refused(&store, rows[5].0).contains("no hash"));
    // A size past the pack's end.
    conn.execute(
        "UPDATE deliveries SET body_size = 10000000 WHERE id = ?1",
        [rows[6].0],
    )
    .expect("damaged");
    assert!(refused(&store, rows[6].0).contains("past the end"));
}

#[test]
fn a_damaged_pack_is_a_corrupt_body_for_its_rows_and_never_allocates_what_it_claims() {
    let (dir, store, rows) = packed_rows(PACK_ROWS as u64 * 2);
    let conn = open(&dir);
    let (first, second): (i64, i64) = conn
        .query_row("SELECT min(id), max(id) FROM body_packs", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("packs");
    let frame: Vec<u8> = conn
        .query_row("SELECT frame FROM body_packs WHERE id = ?1", [first], |r| {
            r.get(0)
        })
        .expect("frame");
    let in_first = rows[0].0;
    let in_second = rows[PACK_ROWS].0;

    // A truncated frame.
    conn.execute(
        "UPDATE body_packs SET frame = ?1 WHERE id = ?2",
        params![&frame[..frame.len() / 2], first],
    )
    .expect("truncated");
    let why = refused(&store, in_first);
    assert!(why.contains(&format!("pack {first}")), "{why}");
    reads_exactly(&store, in_second, &rows[PACK_ROWS].1);

    // Flipped bytes inside the frame: zstd fails or the hash does.
    let mut flipped = frame.clone();
    for byte in flipped.iter_mut().skip(40).step_by(50) {
        *byte ^= 0x5A;
    }
    conn.execute(
        "UPDATE body_packs SET frame = ?1 WHERE id = ?2",
        params![flipped, first],
    )
    .expect("flipped");
    for (id, _) in &rows[..PACK_ROWS] {
        refused(&store, *id);
    }

    // An absurd recorded size is refused before anything is allocated; a frame declaring
    // other than the recorded size too.
    conn.execute(
        "UPDATE body_packs SET frame = ?1, size = ?2 WHERE id = ?3",
        params![frame, i64::MAX, first],
    )
    .expect("absurd");
    assert!(refused(&store, in_first).contains("over the"));
    conn.execute(
        "UPDATE body_packs SET size = size + 1 WHERE id = ?1",
        [second],
    )
    .expect("lying");
    assert!(refused(&store, in_second).contains("declares"));
    conn.execute(
        "UPDATE body_packs SET size = size - 1 WHERE id = ?1",
        [second],
    )
    .expect("put back");
    reads_exactly(&store, in_second, &rows[PACK_ROWS].1);

    // A pack that is gone, and a pack in an encoding from a newer inspector.
    conn.execute("DELETE FROM body_packs WHERE id = ?1", [first])
        .expect("gone");
    assert!(refused(&store, in_first).contains("is gone"));
    conn.execute("UPDATE body_packs SET encoding = 9 WHERE id = ?1", [second])
        .expect("newer");
    assert!(refused(&store, in_second).contains("newer inspector"));
    // The list, the recheck and the search index still read around them.
    assert_eq!(store.count().expect("count"), rows.len() as u64);
    store
        .recheck(&Verification::default())
        .expect("the recheck skips them");
    store
        .list_stored(&Filter {
            search: Some("inquiry".into()),
            ..Filter::default()
        })
        .expect("the index skips their bodies");
}

/// Every pack read, on which database file (tests run side by side: each looks at its own).
pub static PACKS_DECODED: std::sync::Mutex<Vec<(String, i64)>> = std::sync::Mutex::new(Vec::new());

/// The packs decoded by connections whose main database is `path`, in order.
fn packs_decoded_on(path: &std::path::Path) -> Vec<i64> {
    let path = std::fs::canonicalize(path).expect("canonical");
    PACKS_DECODED
        .lock()
        .expect("lock")
        .iter()
        .filter(|(on, _)| std::fs::canonicalize(on).is_ok_and(|on| on == path))
        .map(|(_, pack)| *pack)
        .collect()
}

#[test]
fn the_search_indexer_decodes_each_pack_once() {
    let (_dir, store, rows) = packed_rows(PACK_ROWS as u64 * 3);
    // A search catches the index up: it reads every row's body, on the index's connection.
    let found = store
        .list(&Filter {
            search: Some("inquiry".into()),
            ..Filter::default()
        })
        .expect("searched");
    assert_eq!(found.len(), rows.len());
    let decoded = packs_decoded_on(&store.path().with_file_name(crate::store::SEARCH_FILE));
    let distinct: std::collections::HashSet<_> = decoded.iter().collect();
    assert_eq!(distinct.len(), 3, "{decoded:?}");
    assert_eq!(decoded.len(), 3, "each pack once: {decoded:?}");
}

#[test]
fn a_purge_deletes_whole_packs_and_takes_partial_ones_apart() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let old = 1_000;
    let new = crate::clock::now_ms();
    // A pack of old rows alone, a pack half old and half new, a pack of new rows.
    let received: Vec<i64> = (0..PACK_ROWS * 3)
        .map(|n| match n / PACK_ROWS {
            0 => old,
            1 if n % 2 == 0 => old,
            _ => new,
        })
        .collect();
    let bodies: Vec<Vec<u8>> = (0..received.len() as u64)
        .map(|n| sample("verification.passed", n))
        .collect();
    let stored = store
        .insert_many(
            bodies
                .iter()
                .zip(&received)
                .map(|(b, at)| delivery(b.clone(), *at))
                .collect(),
        )
        .expect("stored");
    let conn = open(&dir);
    assert_eq!(pack_count(&conn), 3);
    let removed = store.purge(Purge::Before(old + 1)).expect("purged");
    assert_eq!(removed as usize, PACK_ROWS + PACK_ROWS / 2);
    assert_eq!(pack_count(&conn), 1, "only the pack of new rows is left");
    for ((stored, body), at) in stored.iter().zip(&bodies).zip(&received) {
        match *at == old {
            true => assert!(matches!(store.raw(stored.id), Err(Error::NotFound(_)))),
            false => reads_exactly(&store, stored.id, body),
        }
    }
    // The half pack's rows are alone again; the packer packs them with later rows.
    let alone: Vec<i64> = stored[PACK_ROWS..PACK_ROWS * 2]
        .iter()
        .zip(&received[PACK_ROWS..])
        .filter(|(_, at)| **at == new)
        .map(|(s, _)| s.id)
        .collect();
    assert!(
        alone
            .iter()
            .all(|&id| encoding(&conn, id) == body::ZSTD_DICT_V2)
    );
    // Purging everything leaves no pack, and ids given again are packed again.
    store.purge(Purge::All).expect("purged all");
    assert_eq!(pack_count(&conn), 0);
    let again: Vec<Vec<u8>> = (0..PACK_ROWS as u64)
        .map(|n| sample("inquiry.approved", n))
        .collect();
    let ids = store_alone(&store, &again);
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64);
    for (id, body) in ids.iter().zip(&again) {
        assert_eq!(encoding(&conn, *id), body::PACKED);
        reads_exactly(&store, *id, body);
    }
}

/// A database made by the schema before packs, with rows as that inspector wrote them.
fn schema_13(n: u64) -> (tempfile::TempDir, Vec<(i64, Vec<u8>)>) {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join(DATABASE_FILE);
    let mut conn = Connection::open(&path).expect("open");
    crate::store::schema::migrations()
        .to_version(&mut conn, 13)
        .expect("schema 13");
    let tx = conn.transaction().expect("tx");
    let mut rows = Vec::new();
    for n in 0..n {
        let body = sample("inquiry.approved", n);
        let prepared = crate::store::writer::Prepared::new(delivery(body.clone(), 1));
        rows.push((
            crate::store::writer::insert(&tx, &prepared)
                .expect("insert")
                .id,
            body,
        ));
    }
    tx.commit().expect("commit");
    (dir, rows)
}

#[test]
fn a_database_from_schema_13_opens_reads_and_gets_packed() {
    let (dir, rows) = schema_13(PACK_ROWS as u64 * 2);
    let store = Store::open(dir.path()).expect("opens and migrates");
    let conn = open(&dir);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, crate::store::schema::latest_version());
    for (id, body) in &rows {
        assert_eq!(encoding(&conn, *id), body::ZSTD_DICT_V2);
        reads_exactly(&store, *id, body);
    }
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64 * 2);
    for (id, body) in &rows {
        assert_eq!(encoding(&conn, *id), body::PACKED);
        reads_exactly(&store, *id, body);
    }
}

/// `listening.json` in `dir`, naming process `pid`.
fn listening(dir: &tempfile::TempDir, pid: u32) {
    let listening = serde_json::json!({"address": "http://127.0.0.1:1", "pid": pid});
    std::fs::write(
        dir.path().join(crate::store::LISTENING_FILE),
        listening.to_string(),
    )
    .expect("listening.json");
}

#[cfg(target_os = "linux")]
#[test]
fn a_database_from_before_packs_is_not_opened_while_its_inspector_may_run() {
    let (dir, rows) = schema_13(PACK_ROWS as u64);
    // This test's parent process: alive, and not this one.
    let running = std::os::unix::process::parent_id();
    listening(&dir, running);
    let refused = Store::open(dir.path()).err().expect("refused");
    assert!(
        matches!(refused, Error::InUseByOlder { pid, .. } if pid == running),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .contains(&format!("quit the running inspector (pid {running})")),
        "{refused}"
    );
    let conn = open(&dir);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 13, "not migrated");
    drop(conn);
    // Once the older inspector is gone (its file names a dead process), it opens and packs.
    listening(&dir, u32::MAX);
    let store = Store::open(dir.path()).expect("opens");
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64);
    for (id, body) in &rows {
        reads_exactly(&store, *id, body);
    }
}

#[test]
fn an_idle_packer_round_reads_nothing_until_a_row_arrives_or_progress_moves() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies: Vec<Vec<u8>> = (0..PACK_ROWS as u64 - 1)
        .map(|n| sample("inquiry.approved", n))
        .collect();
    let ids = store_alone(&store, &bodies);
    let reader = open(&dir);
    let never = AtomicBool::new(false);
    let commit = |packs: Vec<Pack>| store.write(move |conn| apply(conn, &packs));
    let mut rounds = Rounds::default();
    // One row short of a pack: the first round reads them, the next ones do not.
    assert_eq!(rounds.run(&reader, &never, commit).expect("round"), Some(0));
    for _ in 0..3 {
        assert_eq!(rounds.run(&reader, &never, commit).expect("round"), None);
    }
    // A row arrives: the round runs and packs.
    store_alone(&store, &[sample("inquiry.approved", 99)]);
    assert_eq!(
        rounds.run(&reader, &never, commit).expect("round"),
        Some(PACK_ROWS as u64)
    );
    assert_eq!(rounds.run(&reader, &never, commit).expect("round"), Some(0));
    assert_eq!(rounds.run(&reader, &never, commit).expect("round"), None);
    // Progress moved back (a purge of the newest rows) makes a round run again.
    store
        .write(move |conn| {
            settings::save_named(conn, PACKED_TO, "0")?;
            Ok(())
        })
        .expect("moved back");
    assert_eq!(rounds.run(&reader, &never, commit).expect("round"), Some(0));
    assert_eq!(rounds.run(&reader, &never, commit).expect("round"), None);
    assert!(ids.iter().all(|&id| encoding(&reader, id) == body::PACKED));
}

#[test]
fn a_step_read_before_a_purge_moved_progress_back_does_not_skip_the_rows_stored_since() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    // Two scans' worth of rows that stay alone (too small to compress).
    let tiny: Vec<NewDelivery> = (0..SCAN_ROWS * 2)
        .map(|n| delivery(n.to_string().into_bytes(), 1))
        .collect();
    store.insert_many(tiny).expect("stored");
    store
        .write(|conn| {
            settings::save_named(conn, PACKED_TO, &SCAN_ROWS.to_string())?;
            Ok(())
        })
        .expect("progress");
    // The packer reads a step that only moves past the second scan...
    let reader = open(&dir);
    let stale = next_pack(&reader, SCAN_ROWS)
        .expect("read")
        .expect("a step");
    assert!(stale.frame.is_none() && stale.reached == SCAN_ROWS * 2);
    // ...a purge of every row moves progress back, and new rows get the ids again...
    store.purge(Purge::All).expect("purged");
    let bodies: Vec<Vec<u8>> = (0..PACK_ROWS as u64)
        .map(|n| sample("inquiry.approved", n))
        .collect();
    let ids = store_alone(&store, &bodies);
    assert!(ids.iter().all(|&id| id <= SCAN_ROWS * 2), "{ids:?}");
    // ...then the stale step reaches the writer: refused, progress stays where it is.
    let before = packed_to(&reader).expect("progress");
    assert_eq!(
        store
            .write(move |conn| apply(conn, &[stale]))
            .expect("applied"),
        0
    );
    assert_eq!(packed_to(&reader).expect("progress"), before);
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64);
    for (id, body) in ids.iter().zip(&bodies) {
        assert_eq!(encoding(&reader, *id), body::PACKED);
        reads_exactly(&store, *id, body);
    }
}

#[test]
fn locators_round_trip_and_reject_other_lengths() {
    assert_eq!(parse_locator(&locator(7, 123_456)), Some((7, 123_456)));
    assert_eq!(
        parse_locator(&locator(i64::MAX, u32::MAX)),
        Some((i64::MAX, u32::MAX))
    );
    assert_eq!(parse_locator(&[0; 11]), None);
    assert_eq!(parse_locator(&[0; 13]), None);
}

#[test]
fn a_pack_whose_row_went_since_it_was_read_is_not_written_and_is_read_again() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("store");
    let bodies: Vec<Vec<u8>> = (0..PACK_ROWS as u64 * 2)
        .map(|n| sample("inquiry.approved", n))
        .collect();
    let ids = store_alone(&store, &bodies);
    let reader = open(&dir);
    let first = next_pack(&reader, 0).expect("read").expect("a pack");
    let second = next_pack(&reader, first.reached)
        .expect("read")
        .expect("a pack");
    // A row of the second pack goes (a purge, another process) before the writer gets them.
    let mut writer = open(&dir);
    writer
        .execute("DELETE FROM deliveries WHERE id = ?1", [ids[PACK_ROWS + 3]])
        .expect("deleted");
    assert_eq!(apply(&mut writer, &[first, second]).expect("applied"), 0);
    assert_eq!(pack_count(&writer), 0, "nothing of the transaction is kept");
    assert_eq!(packed_to(&writer).expect("progress"), 0);
    assert!(
        ids.iter()
            .all(|&id| id == ids[PACK_ROWS + 3] || encoding(&writer, id) == body::ZSTD_DICT_V2)
    );
    // Read again: the first pack is full; the 15 left of the second wait for one more row.
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64);
    store_alone(&store, &[sample("inquiry.approved", 99)]);
    assert_eq!(store.pack_bodies().expect("packed"), PACK_ROWS as u64);
    for (n, (id, body)) in ids.iter().zip(&bodies).enumerate() {
        if n != PACK_ROWS + 3 {
            reads_exactly(&store, *id, body);
        }
    }
}
