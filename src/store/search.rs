//! The full-text index, in a database file of its own (`search.db`) with a thread of its own.
//! Tokenizing a body costs more than storing it; kept apart, the index never holds up the
//! writer, so a delivery is acknowledged as soon as it is stored. The index is derived data:
//! filled in id order shortly after each commit, rebuilt from the deliveries when missing or
//! from another schema version.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};

use crate::error::Result;

pub const SEARCH_FILE: &str = "search.db";
/// 2: bodies fed as their distinct scalars; 3: as their distinct `key value` members
/// (`searchable_text`).
const VERSION: i64 = 3;
/// Rows per index transaction: each makes one segment, and fewer, larger segments are merged
/// (rewritten) fewer times.
const CHUNK: i64 = 10_000;
/// How often the index takes in new deliveries: one transaction per interval makes fewer,
/// larger index segments than one per commit. Searches catch up first, so they never lag.
const POLL: Duration = Duration::from_millis(1000);

use super::writer::Work;

pub struct Index {
    jobs: Option<mpsc::SyncSender<Work>>,
    thread: Option<JoinHandle<()>>,
}

impl Index {
    /// Opens (or rebuilds) the index next to `database` and starts filling it.
    pub fn start(database: &Path, search: &Path) -> Result<Index> {
        let mut conn = open(search)?;
        prepare_schema(&mut conn)?;
        conn.execute(
            "ATTACH DATABASE ?1 AS inspector",
            [database.to_string_lossy()],
        )?;
        let (jobs, queue) = mpsc::sync_channel(64);
        let thread = std::thread::Builder::new()
            .name("store-search".into())
            .spawn(move || run(conn, queue))?;
        Ok(Index {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Runs `work` on the index's connection, in order with its own work.
    pub fn run(&self, work: Work) -> bool {
        match &self.jobs {
            Some(jobs) => jobs.send(work).is_ok(),
            None => false,
        }
    }
}

/// Indexes everything committed so far.
pub fn catch_up(conn: &mut Connection) -> Result<()> {
    while index_pending(conn)? > 0 {}
    Ok(())
}

/// Drops entries whose delivery is gone (after a purge) and erases them from disk. The index
/// is contentless: a delete only marks the row (a tombstone) and its tokens stay in the
/// segments, so every segment is merged into one written afresh ('optimize' applies the
/// tombstones), the file is rebuilt (VACUUM, with `secure_delete` on) and its WAL, if it has one,
/// emptied.
pub fn forget_deleted(conn: &mut Connection, done: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM deliveries_fts WHERE rowid IN
             (SELECT rowid FROM deliveries_fts EXCEPT SELECT id FROM inspector.deliveries)",
        [],
    )?;
    // Even when nothing was left to forget: an erase cut short after the rows went (another
    // process, a crash) left their tokens in the segments, and only this drops them.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // 'optimize' rewrites every segment in one transaction: without spilling, the whole
    // index would be held in memory until it commits. Searches wait for the rebuild anyway.
    conn.pragma_update(None, "cache_spill", true)?;
    let erased = conn
        .execute(
            "INSERT INTO deliveries_fts (deliveries_fts) VALUES ('optimize')",
            [],
        )
        .and_then(|_| conn.execute_batch("VACUUM main"));
    conn.pragma_update(None, "cache_spill", false)?;
    conn.pragma_update(None, "secure_delete", "FAST")?;
    erased?;
    super::checkpoint::truncate_wal(conn, done)
}

impl Drop for Index {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The index's own connection, set up for indexing.
fn open(search: &Path) -> Result<Connection> {
    let conn = Connection::open(search)?;
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    // A rollback journal, not WAL: indexing mostly appends new segments, which a rollback
    // journal writes once, where WAL writes every page twice (to the WAL, then back). Each
    // indexing commit then waits for reads of the index in progress (a search is a few ms)
    // and blocks new ones while it commits; the deliveries stay in WAL and never wait. A
    // purge's rebuild (`forget_deleted`) holds readers of the index off for as long as it
    // runs (~1 s for 100k deliveries here); another process opening the store meanwhile waits
    // up to BUSY_TIMEOUT. Measured by the bench: the index wrote ~3.5 KB a delivery in WAL
    // mode, ~1.5–2.6 KB now.
    set_journal_mode(&conn, "truncate");
    // Without this, a chunk's pages outgrowing the cache would be written to the file in
    // the middle of its transaction, locking every search out until it commits (seconds for
    // a chunk of CHUNK rows). A chunk's pages stay in memory instead (~10 MB at most).
    conn.pragma_update(None, "cache_spill", false)?;
    // FULL: with a rollback journal, NORMAL can leave the file corrupt after a power cut on
    // some file systems, and nothing would notice; one more fsync a second costs nothing.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The index holds body text, personal data. Its own merges free pages of segments
    // whose deliveries still exist, and zeroing those (ON) more than doubled what indexing
    // wrote; only a purge deletes deliveries, and it rebuilds the file with ON
    // (`forget_deleted`). FAST zeroes on the pages written anyway, at no extra I/O.
    conn.pragma_update(None, "secure_delete", "FAST")?;
    Ok(conn)
}

/// Sets the index's journal mode. An index another process holds open in WAL mode stays in it
/// until that process closes it: it works either way, with more bytes written in WAL.
fn set_journal_mode(conn: &Connection, mode: &str) {
    let set =
        conn.pragma_update_and_check(None, "journal_mode", mode, |row| row.get::<_, String>(0));
    match set {
        Ok(found) if found.eq_ignore_ascii_case(mode) => {}
        Ok(found) => {
            tracing::info!("search index kept journal mode {found} (another process has it open)")
        }
        Err(error) => tracing::info!("search index kept its journal mode ({error})"),
    }
}

fn prepare_schema(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found == VERSION {
        return Ok(());
    }
    // Another version (or none): rebuild from scratch, the deliveries are the source.
    let tx = conn.transaction()?;
    tx.execute_batch(
        "DROP TABLE IF EXISTS deliveries_fts;
         -- Contentless: the text lives in the deliveries; rowid = deliveries.id. '_' joins
         -- Persona ids (inq_…, evt_…) into one token so a prefix of an id finds it.
         CREATE VIRTUAL TABLE deliveries_fts USING fts5(
             event_name, event_id, resource_id, body,
             content = '', contentless_delete = 1,
             tokenize = \"unicode61 tokenchars '_'\"
         );",
    )?;
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

fn run(mut conn: Connection, queue: mpsc::Receiver<Work>) {
    let mut due = Instant::now() + POLL;
    let mut quiet = super::checkpoint::Quiet::default();
    loop {
        match queue.recv_timeout(due.saturating_duration_since(Instant::now())) {
            Ok(work) => work(&mut conn),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if Instant::now() >= due {
            let mut indexed = 0;
            loop {
                match index_pending(&mut conn) {
                    Ok(0) => break,
                    Ok(rows) => indexed += rows,
                    Err(error) => {
                        tracing::error!("could not update the search index (will retry): {error}");
                        break;
                    }
                }
            }
            // An index left in WAL mode (`set_journal_mode`) has its WAL emptied once nothing
            // new comes in, as the deliveries' is; without a WAL this does nothing.
            if indexed == 0
                && let Err(error) = quiet.checkpoint(&conn)
            {
                tracing::warn!("search index checkpoint failed (will retry): {error}");
            }
            due = Instant::now() + POLL;
        }
    }
}

/// A transaction holding the write lock on the index's file and no other: another process
/// indexing the same file waits for it (a read that later turned into a write would instead
/// fail at once with "database is locked" whenever the other had written since it began).
/// Not BEGIN IMMEDIATE: that locks every attached database, and the capture writer would wait
/// on `inspector.db` (past its busy timeout: a 503) while a chunk is tokenized. Setting FTS5's
/// automerge writes to the index's file alone; 8 segments of a level are merged at once
/// instead of FTS5's 4, so each token is rewritten fewer times as the index grows.
fn begin_indexing(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>> {
    const AUTOMERGE: &str =
        "INSERT INTO deliveries_fts (deliveries_fts, rank) VALUES ('automerge', 8)";
    // FTS5 reads its configuration when a connection first prepares a statement on the table.
    // Inside the transaction, that read would pin a snapshot, and the write after it would be
    // refused at once if another process indexed in between; prepared here, it reads outside.
    conn.prepare_cached(AUTOMERGE)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    tx.prepare_cached(AUTOMERGE)?.execute([])?;
    Ok(tx)
}

/// Indexes the next chunk of deliveries past the largest indexed id; returns how many.
fn index_pending(conn: &mut Connection) -> Result<usize> {
    let tx = begin_indexing(conn)?;
    let mut done = 0;
    {
        // ORDER BY rowid DESC is served by FTS5 itself; max(rowid) would scan the table.
        let after: i64 = tx
            .prepare_cached(
                "SELECT coalesce(
                     (SELECT rowid FROM deliveries_fts ORDER BY rowid DESC LIMIT 1), 0)",
            )?
            .query_row([], |row| row.get(0))?;
        let mut pending = tx.prepare_cached(
            "SELECT id, event_name, event_id, resource_id, body, body_encoding, body_size,
                 body_hash
             FROM inspector.deliveries WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let mut add = tx.prepare_cached(
            "INSERT INTO deliveries_fts (rowid, event_name, event_id, resource_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut rows = pending.query(params![after, CHUNK])?;
        let mut last_pack = super::packs::LastPack::default();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            // The text is what arrived: decompressed here, off the capture writer.
            // Packs are read on the index's connection (the database is attached as
            // `inspector`); in id order, each is decoded once for all its rows.
            let body = super::packs::body_from_row(&tx, id, row, 4, &mut last_pack)?
                .unwrap_or_else(|error| {
                    // Its other columns are still indexed; reading it says what is wrong.
                    tracing::warn!("search index: {error}");
                    Vec::new()
                });
            add.execute(params![
                id,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
                searchable_text(&body),
            ])?;
            done += 1;
        }
    }
    tx.commit()?;
    Ok(done)
}

/// What the index is fed of a body: for JSON, each distinct member as `key value` (strings
/// unescaped), a key whose value is an object or array alone, and each array element alone,
/// one a line in the order they first appear; anything else as text. A Persona body repeats
/// the same members many times over (every check of a verification has `name`, `status`,
/// `reasons`…): indexed once, a search finds the same deliveries while the index holds and
/// writes a fraction of the positions. A key stays next to its value, so a search for
/// `status:passed` or a pasted `"name-first":"Jane"` (one phrase) still finds it.
fn searchable_text(body: &[u8]) -> std::borrow::Cow<'_, str> {
    match json_members(body) {
        Some(text) => text.into(),
        None => String::from_utf8_lossy(body),
    }
}

/// The distinct members and elements of a JSON document, one a line; None when `body` is not
/// JSON.
fn json_members(body: &[u8]) -> Option<String> {
    // Validated first, so the scan below can trust every string to be closed.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let text = std::str::from_utf8(body).ok()?;
    let bytes = text.as_bytes();
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(body.len() / 2);
    let mut push = |line: String| {
        if !line.trim().is_empty() && !seen.contains(&line) {
            out.push_str(&line);
            out.push('\n');
            seen.insert(line);
        }
    };
    // The key read last, until its value comes.
    let mut key: Option<String> = None;
    let mut value = |scalar: &str, key: &mut Option<String>| match key.take() {
        Some(key) => push(format!("{key} {scalar}")),
        None => push(scalar.to_string()),
    };
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                let mut end = at + 1;
                let mut escaped = false;
                while let Some(&b) = bytes.get(end) {
                    match b {
                        b'\\' => {
                            escaped = true;
                            end += 2;
                        }
                        b'"' => break,
                        _ => end += 1,
                    }
                }
                let literal = text.get(at..=end)?;
                let string: String = match escaped {
                    true => serde_json::from_str(literal).ok()?,
                    false => literal[1..literal.len() - 1].to_string(),
                };
                at = end + 1;
                let next = bytes[at..].iter().find(|b| !b.is_ascii_whitespace());
                match next {
                    Some(b':') => key = Some(string),
                    _ => value(&string, &mut key),
                }
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'}' | b':') || b.is_ascii_whitespace())
                    .map_or(bytes.len(), |n| at + n);
                value(text.get(at..end)?, &mut key);
                at = end;
            }
            b'{' | b'[' => {
                if let Some(key) = key.take() {
                    value(&key, &mut None);
                }
                at += 1;
            }
            _ => at += 1,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rusqlite::{Connection, ErrorCode, TransactionBehavior};

    use crate::store::{DATABASE_FILE, Store};

    fn busy_free(path: &std::path::Path) -> Connection {
        let conn = Connection::open(path).expect("open");
        conn.busy_timeout(Duration::ZERO).expect("no wait");
        conn
    }

    #[test]
    fn a_json_body_is_indexed_as_its_distinct_members() {
        let body = br#"{"a":"x y","b":["x y",12.5,true,null,"q\"uote \u00e9"],"a2":{"a":-3e2},"c":"x y","d": "x y"}"#;
        assert_eq!(
            super::json_members(body).expect("JSON"),
            "a x y\nb\nx y\n12.5\ntrue\nnull\nq\"uote \u{e9}\na2\na -3e2\nc x y\nd x y\n"
        );
        assert_eq!(super::searchable_text(b"not { json"), "not { json");
        assert_eq!(
            super::searchable_text(b"{\"cut\": \"sho"),
            "{\"cut\": \"sho"
        );
    }

    #[test]
    fn indexing_locks_the_index_and_never_the_deliveries() {
        let dir = tempfile::tempdir().expect("temp");
        drop(Store::open(dir.path()).expect("store"));
        let mut indexer = busy_free(&dir.path().join(super::SEARCH_FILE));
        indexer
            .execute(
                "ATTACH DATABASE ?1 AS inspector",
                [dir.path().join(DATABASE_FILE).to_string_lossy()],
            )
            .expect("attach");
        let indexing = super::begin_indexing(&mut indexer).expect("begin");

        // The capture writer writes deliveries meanwhile, at once.
        let mut writer = busy_free(&dir.path().join(DATABASE_FILE));
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("the deliveries are not locked by the indexer");
        tx.rollback().expect("rollback");

        // Another process's indexer waits for this one.
        let mut other = busy_free(&dir.path().join(super::SEARCH_FILE));
        let refused = other
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect_err("the index is locked");
        assert_eq!(refused.sqlite_error_code(), Some(ErrorCode::DatabaseBusy));
        indexing.commit().expect("commit");
    }

    /// A search reads the index while a chunk bigger than the indexer's page cache is being
    /// indexed: the indexer never writes to the file before it commits.
    #[test]
    fn a_search_reads_the_index_while_a_large_chunk_is_indexed() {
        let dir = tempfile::tempdir().expect("temp");
        drop(Store::open(dir.path()).expect("store"));
        let search = dir.path().join(super::SEARCH_FILE);
        let mut indexer = super::open(&search).expect("open");
        // 10 pages: every chunk outgrows it.
        indexer
            .pragma_update(None, "cache_size", 10)
            .expect("cache");
        let indexing = super::begin_indexing(&mut indexer).expect("begin");
        for id in 1..=2000 {
            indexing
                .execute(
                    "INSERT INTO deliveries_fts (rowid, body) VALUES (?1, ?2)",
                    rusqlite::params![id, format!("word{id} other{} inq_{id:024}", id * 7)],
                )
                .expect("index a row");
        }
        let reader = busy_free(&search);
        let seen: i64 = reader
            .query_row("SELECT count(*) FROM deliveries_fts", [], |r| r.get(0))
            .expect("a search is not locked out while the chunk is indexed");
        assert_eq!(seen, 0, "the chunk is not visible before it commits");
        drop(reader);
        indexing.commit().expect("commit");
    }

    /// An index an earlier version left in WAL mode is switched to the rollback journal when
    /// the store opens it, and still finds what it held.
    #[test]
    fn an_index_left_in_wal_mode_is_switched_to_a_rollback_journal() {
        let dir = tempfile::tempdir().expect("temp");
        let search = dir.path().join(super::SEARCH_FILE);
        drop(Store::open(dir.path()).expect("store"));
        let old = Connection::open(&search).expect("open");
        let mode: String = old
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
            .expect("wal");
        assert_eq!(mode, "wal");
        drop(old);
        drop(Store::open(dir.path()).expect("reopened"));
        let mode: String = Connection::open(&search)
            .expect("open")
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("mode");
        // Only WAL is kept in the file; a rollback journal's kind is each connection's own
        // (the store's is `truncate`), so a fresh connection reports SQLite's default.
        assert_eq!(mode, "delete", "the file is out of WAL mode");
        assert!(
            !dir.path()
                .join(format!("{}-wal", super::SEARCH_FILE))
                .exists()
        );
    }

    /// A process that opens the index for the first time (the CLI's `search`) while another
    /// indexes it: both wait their turn and neither is refused.
    #[test]
    fn a_fresh_connection_indexes_while_another_process_commits() {
        let dir = tempfile::tempdir().expect("temp");
        drop(Store::open(dir.path()).expect("store"));
        let open = || {
            let conn = Connection::open(dir.path().join(super::SEARCH_FILE)).expect("open");
            conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
            conn.execute(
                "ATTACH DATABASE ?1 AS inspector",
                [dir.path().join(DATABASE_FILE).to_string_lossy()],
            )
            .expect("attach");
            conn
        };
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let mut other = open();
            let stop = &stop;
            scope.spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    super::begin_indexing(&mut other)
                        .and_then(|tx| Ok(tx.commit()?))
                        .expect("the other process indexes");
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
            for _ in 0..200 {
                let outcome = super::index_pending(&mut open());
                if outcome.is_err() {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                outcome.expect("a first indexing waits for the other process");
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
}
