//! Compresses the bodies of rows stored before bodies were compressed (schema 10), in the
//! background. The migration records the last of those rows (`old_bodies` in `settings`); a
//! thread of its own reads a chunk, compresses it, and hands the writer one short transaction
//! per chunk, with the progress, so captures wait for at most one chunk and a restart resumes
//! where it stopped. Every read decodes rows of both kinds meanwhile (`body.rs`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::body::{self, Encoded};
use super::settings;
use crate::error::{Error, Result};

/// The settings row the migration writes when there are old rows: how far the work has come.
const OLD_BODIES: &str = "old_bodies";

/// Rows per transaction, and at most this many bytes of bodies: a capture queued behind one
/// waits a few milliseconds at most.
const CHUNK_ROWS: i64 = 64;
const CHUNK_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Progress {
    /// Rows up to this id are done.
    done_to: i64,
    /// The last row stored before the migration: later ones were compressed as they came.
    up_to: i64,
}

/// One chunk's rewritten bodies, and how far it reached.
pub(super) struct Chunk {
    bodies: Vec<(i64, Encoded)>,
    reached: i64,
}

/// Stops (and waits for) the background work when the store closes.
pub struct Recompressor {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recompressor {
    /// Starts the work when old rows wait for it; `commit` runs a chunk's transaction (`apply`)
    /// on the writer.
    pub fn start(
        path: &Path,
        commit: impl Fn(Chunk) -> Result<()> + Send + 'static,
    ) -> Result<Option<Recompressor>> {
        let conn = super::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        if progress(&conn)?.is_none() {
            return Ok(None);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("store-recompress".into())
            .spawn(move || match run(&conn, &stopping, commit) {
                Ok(0) => {}
                Ok(rows) => tracing::info!("compressed the bodies of {rows} older deliveries"),
                Err(error) => tracing::warn!(
                    "compressing older bodies stopped ({error}); it resumes at the next start"
                ),
            })?;
        Ok(Some(Recompressor {
            stop,
            thread: Some(thread),
        }))
    }
}

impl Drop for Recompressor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Whether rows stored before bodies were compressed still wait to be compressed (and hashed).
pub(super) fn pending(conn: &Connection) -> Result<bool> {
    Ok(progress(conn)?.is_some())
}

fn progress(conn: &Connection) -> Result<Option<Progress>> {
    Ok(settings::load_named(conn, OLD_BODIES)?.and_then(|text| parse(&text)))
}

/// None when the setting does not read: the store must still open, and rows it leaves as
/// received read as they are (a retry chain compares them by their bytes).
fn parse(text: &str) -> Option<Progress> {
    serde_json::from_str(text)
        .inspect_err(|e| {
            tracing::warn!(
                "older bodies are left as stored: the {OLD_BODIES} setting does not read ({e})"
            )
        })
        .ok()
}

/// Compresses every old row not done yet, one chunk per `commit`; returns how many rows were
/// compressed. Stops early when `stop` is raised.
pub(super) fn run(
    conn: &Connection,
    stop: &AtomicBool,
    commit: impl Fn(Chunk) -> Result<()>,
) -> Result<u64> {
    let mut compressed = 0;
    let mut logged = 0;
    while !stop.load(Ordering::Relaxed) {
        let Some(progress) = progress(conn)? else {
            break;
        };
        let chunk = read_chunk(conn, progress)?;
        compressed += chunk.bodies.len() as u64;
        commit(chunk)?;
        if compressed >= logged + 10_000 {
            logged = compressed;
            tracing::info!(
                "compressing older bodies: {compressed} done, up to delivery {} of {}",
                progress.done_to,
                progress.up_to
            );
        }
    }
    Ok(compressed)
}

/// The next rows past `progress.done_to`, encoded. Rows stored as received whose size column
/// is not their length (a body refused as too large keeps none) are only hashed.
fn read_chunk(conn: &Connection, progress: Progress) -> Result<Chunk> {
    let mut rows = conn.prepare_cached(
        "SELECT id, body, body_size FROM deliveries
         WHERE id > ?1 AND id <= ?2 AND body_hash IS NULL ORDER BY id LIMIT ?3",
    )?;
    let mut rows = rows.query(params![progress.done_to, progress.up_to, CHUNK_ROWS])?;
    let (mut bodies, mut bytes) = (Vec::new(), 0);
    while let Some(row) = rows.next()? {
        let (id, stored): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
        let size: i64 = row.get(2)?;
        bytes += stored.len();
        let encoded = body::encode_for_row(stored, size.max(0) as u64);
        bodies.push((id, encoded));
        if bytes >= CHUNK_BYTES {
            break;
        }
    }
    let reached = match bodies.last() {
        Some((id, _)) => *id,
        None => progress.up_to,
    };
    Ok(Chunk { bodies, reached })
}

/// The writer's side: one transaction rewrites the chunk's rows (those still uncompressed:
/// another pass may have been first) and moves the progress on, or ends it.
pub(super) fn apply(conn: &mut Connection, chunk: &Chunk) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut update = tx.prepare_cached(
            "UPDATE deliveries SET body = ?2, body_encoding = ?3, body_hash = ?4
             WHERE id = ?1 AND body_hash IS NULL",
        )?;
        for (id, encoded) in &chunk.bodies {
            update.execute(params![id, encoded.bytes, encoded.encoding, encoded.hash])?;
        }
        let progress: Option<String> = tx
            .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
            .query_row([OLD_BODIES], |r| r.get(0))
            .optional()?;
        if let Some(mut progress) = progress.as_deref().and_then(parse) {
            progress.done_to = progress.done_to.max(chunk.reached);
            match progress.done_to >= progress.up_to {
                true => {
                    tx.execute("DELETE FROM settings WHERE name = ?1", [OLD_BODIES])?;
                }
                false => {
                    let json = serde_json::to_string(&progress)
                        .map_err(|e| Error::Invalid(e.to_string()))?;
                    settings::save_named(&tx, OLD_BODIES, &json)?;
                }
            }
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use rusqlite::{Connection, params};

    use super::*;
    use crate::model::{Filter, Verification};
    use crate::store::body::tests::sample;
    use crate::store::{DATABASE_FILE, Store, deliveries, story, writer};

    fn arrival() -> crate::model::Arrival {
        crate::model::Arrival {
            received_at_ms: 1_700_000_001_000,
            method: "POST".into(),
            path: "/".into(),
            query: None,
            remote_addr: None,
            headers: Vec::new(),
        }
    }

    /// A row as schema 9 wrote it (writer.rs before bodies were compressed).
    fn insert_old(conn: &Connection, body: &[u8], body_size: usize, event_id: Option<&str>) -> i64 {
        let verdict =
            crate::model::NewDelivery::captured(arrival(), Vec::new(), &Verification::default())
                .signature;
        conn.execute(
            "INSERT INTO deliveries (received_at, method, path, headers, body, body_size,
                 outcome, event_id, signature_status, signature, reply_status)
             VALUES (1700000000000, 'POST', '/', '[]', ?1, ?2, ?3, ?4, ?5, ?6, 200)",
            params![
                body,
                body_size as i64,
                match body.len() == body_size {
                    true => "captured",
                    false => "too_large",
                },
                event_id,
                verdict.status.as_str(),
                serde_json::to_string(&verdict).expect("verdict JSON"),
            ],
        )
        .expect("old row");
        conn.last_insert_rowid()
    }

    fn encodings(conn: &Connection) -> Vec<(i64, i64, bool)> {
        conn.prepare("SELECT id, body_encoding, body_hash IS NOT NULL FROM deliveries ORDER BY id")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    /// Every body reads back exactly, and the retry chain sees the copies as the same body.
    fn check_reads(conn: &Connection, bodies: &[(i64, Vec<u8>)], event_id: &str) {
        for (id, body) in bodies {
            let raw = deliveries::raw(conn, *id).expect("raw").expect("row");
            assert!(&raw.body == body, "raw body of {id}");
            let record = deliveries::get(conn, *id).expect("get").expect("row");
            assert!(
                record.body.as_ref().ok() == Some(body),
                "full record of {id}"
            );
            let alone = story::body(conn, *id).expect("body").expect("row");
            assert!(&alone == body, "body of {id}");
        }
        let copies = story::event_copies(conn, event_id, 10).expect("copies");
        assert_eq!(copies.len(), 4);
        assert!(copies[1].same_body, "the retry's body is the first copy's");
        assert!(!copies[2].same_body, "the third copy's body differs");
        // Hashed and compressed against an old row with neither: compared by decoding both.
        assert!(
            copies[3].same_body,
            "the fourth copy's body is the first copy's"
        );
    }

    /// A database made by the schema before bodies were compressed, as an older inspector left it.
    fn schema_9() -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join(DATABASE_FILE);
        let mut conn = Connection::open(&path).expect("open");
        crate::store::schema::migrations()
            .to_version(&mut conn, 9)
            .expect("schema 9");
        (dir, path, conn)
    }

    #[test]
    fn a_database_from_schema_9_reads_before_during_and_after_its_bodies_are_compressed() {
        let (dir, path, mut conn) = schema_9();
        let json = sample("inquiry.approved", 1);
        let other = sample("inquiry.approved", 2);
        let binary: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 253) as u8).collect();
        let mut bodies = Vec::new();
        let event = "evt_OldRetryChain0000000001";
        for (body, event_id) in [
            (&json, Some(event)),
            (&json, Some(event)),
            (&binary, None),
            (&b"{}".to_vec(), None),
            (&Vec::new(), None),
        ] {
            bodies.push((insert_old(&conn, body, body.len(), event_id), body.clone()));
        }
        for n in 0..300 {
            let body = sample("inquiry.completed", 100 + n);
            bodies.push((insert_old(&conn, &body, body.len(), None), body));
        }
        // Refused as too large: no body kept, its announced size recorded.
        let too_large = insert_old(&conn, b"", 20_000_000, None);
        bodies.push((too_large, Vec::new()));

        crate::store::schema::migrate(&mut conn, &path).expect("migrated");
        assert!(
            progress(&conn).expect("progress").is_some(),
            "old rows recorded"
        );
        // Old rows read as they are; new copies of the event are stored compressed beside them.
        let tx = conn.transaction().expect("tx");
        for body in [&other, &json] {
            let mut new = crate::model::NewDelivery::captured(
                arrival(),
                body.clone(),
                &Verification::default(),
            );
            new.event.event_id = Some(event.into());
            let stored = writer::insert(&tx, &writer::Prepared::new(new)).expect("insert");
            bodies.push((stored.id, body.clone()));
        }
        tx.commit().expect("commit");
        check_reads(&conn, &bodies, event);

        // Compress the old rows, the first chunk alone first: the progress is kept.
        let writer = Connection::open(&path).expect("writer");
        let mut writer = std::cell::RefCell::new(writer);
        let first = read_chunk(&conn, progress(&conn).expect("p").expect("some")).expect("chunk");
        assert_eq!(first.bodies.len() as i64, CHUNK_ROWS);
        apply(writer.get_mut(), &first).expect("apply");
        let after_one = progress(&conn).expect("p").expect("some");
        assert_eq!(after_one.done_to, first.reached);
        check_reads(&conn, &bodies, event);

        let never = AtomicBool::new(false);
        let compressed = run(&conn, &never, |chunk| {
            apply(&mut writer.borrow_mut(), &chunk)
        })
        .expect("compressed");
        assert_eq!(compressed as usize, bodies.len() - 2 - CHUNK_ROWS as usize);
        assert!(
            progress(&conn).expect("p").is_none(),
            "done: the row is gone"
        );
        let kinds = encodings(&conn);
        assert!(
            kinds.iter().all(|(_, _, hashed)| *hashed),
            "every row hashed"
        );
        let kind = |id: i64| kinds.iter().find(|k| k.0 == id).map(|k| k.1);
        assert_eq!(
            kind(bodies[0].0),
            Some(body::ZSTD_DICT_V2),
            "JSON compressed"
        );
        assert_eq!(
            kind(bodies[2].0),
            Some(body::ZSTD_DICT_V2),
            "binary compressed"
        );
        assert_eq!(kind(bodies[3].0), Some(body::IDENTITY), "tiny kept");
        assert_eq!(kind(too_large), Some(body::IDENTITY), "no body kept");
        check_reads(&conn, &bodies, event);
        drop((conn, writer));

        // The store opens it with nothing left to do, and search finds old bodies' words.
        let store = Store::open(dir.path()).expect("store");
        store.start_compressing_old_bodies().expect("started");
        assert!(
            store.inner.recompressor.lock().expect("lock").is_none(),
            "nothing to do"
        );
        let word = String::from_utf8_lossy(&bodies[10].1).into_owned();
        let id_in_body = word
            .split('"')
            .find(|w| w.starts_with("inq_"))
            .expect("an inquiry id")
            .to_string();
        let found = store
            .list_stored(&Filter {
                search: Some(id_in_body),
                ..Filter::default()
            })
            .expect("search");
        assert!(found.iter().any(|s| s.id == bodies[10].0), "old body found");
        for (id, body) in &bodies {
            assert!(&store.raw(*id).expect("raw").body == body);
        }
    }

    #[test]
    fn a_progress_setting_that_does_not_read_leaves_old_bodies_as_they_are() {
        let (dir, path, mut conn) = schema_9();
        let body = sample("inquiry.approved", 3);
        let id = insert_old(&conn, &body, body.len(), None);
        crate::store::schema::migrate(&mut conn, &path).expect("migrated");
        settings::save_named(&conn, OLD_BODIES, "{not json").expect("broken setting");
        drop(conn);
        let store = Store::open(dir.path()).expect("opens all the same");
        store.start_compressing_old_bodies().expect("started");
        assert!(
            store.inner.recompressor.lock().expect("lock").is_none(),
            "nothing to do"
        );
        assert_eq!(store.compress_old_bodies().expect("nothing to do"), 0);
        assert!(store.raw(id).expect("raw").body == body);
    }

    #[test]
    fn the_store_compresses_old_bodies_in_the_background_and_on_request() {
        let (dir, path, conn) = schema_9();
        let mut bodies = Vec::new();
        for n in 0..500 {
            let body = sample("inquiry.approved", n);
            bodies.push((insert_old(&conn, &body, body.len(), None), body));
        }
        drop(conn);
        let store = Store::open(dir.path()).expect("opens and migrates");
        // A one-shot command opens the store too: opening alone leaves the rows alone.
        assert!(store.inner.recompressor.lock().expect("lock").is_none());
        let untouched = encodings(&Connection::open(&path).expect("open"));
        assert!(untouched.iter().all(|k| k.1 == body::IDENTITY && !k.2));
        store.start_compressing_old_bodies().expect("started");
        assert!(store.inner.recompressor.lock().expect("lock").is_some());
        // Reads work whatever the background work has reached.
        for (id, body) in bodies.iter().step_by(7) {
            assert!(&store.raw(*id).expect("raw").body == body);
        }
        // Whatever the background left, this finishes; together they did each row once.
        store.compress_old_bodies().expect("finished");
        let conn = Connection::open(&path).expect("open");
        assert!(progress(&conn).expect("progress").is_none());
        let kinds = encodings(&conn);
        assert!(
            kinds.iter().all(|k| k.1 == body::ZSTD_DICT_V2 && k.2),
            "{kinds:?}"
        );
        for (id, body) in &bodies {
            assert!(&store.raw(*id).expect("raw").body == body);
        }
    }

    /// Rows from schema 9 are packed once compressed and hashed, not skipped for good.
    #[test]
    fn rows_from_schema_9_are_packed_once_compressed() {
        let (dir, _path, conn) = schema_9();
        let mut bodies = Vec::new();
        for n in 0..40 {
            let body = sample("verification.passed", n);
            bodies.push((insert_old(&conn, &body, body.len(), None), body));
        }
        drop(conn);
        let store = Store::open(dir.path()).expect("opens and migrates");
        // Captures after the migration: a pack's worth of them would carry the packer past
        // the old rows if it did not wait.
        let mut new = Vec::new();
        for n in 0..20 {
            let body = sample("inquiry.approved", n);
            let stored = store
                .insert_many(vec![crate::model::NewDelivery::captured(
                    arrival(),
                    body.clone(),
                    &Verification::default(),
                )])
                .expect("stored");
            new.push((stored[0].id, body));
        }
        assert_eq!(
            store.pack_bodies().expect("waits"),
            0,
            "not before compression"
        );
        assert!(!store.packing_pending().expect("pending"));
        store.compress_old_bodies().expect("compressed");
        assert_eq!(store.pack_bodies().expect("packed"), 48, "three full packs");
        let kinds = encodings(&Connection::open(dir.path().join(DATABASE_FILE)).expect("open"));
        let kind = |id: i64| kinds.iter().find(|k| k.0 == id).map(|k| k.1);
        assert!(
            bodies.iter().all(|(id, _)| kind(*id) == Some(body::PACKED)),
            "every old row packed: {kinds:?}"
        );
        for (id, body) in bodies.iter().chain(&new) {
            assert!(&store.raw(*id).expect("raw").body == body);
        }
    }
}
