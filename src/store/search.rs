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
/// 2: bodies fed as their distinct scalars; 3: as their distinct `key value` members; 4: with
/// no positions, and pairs of adjacent words for what phrases found (`search_text.rs`).
const VERSION: i64 = 4;
/// Rows per index transaction: each makes one segment, and fewer, larger segments are merged
/// (rewritten) fewer times.
const CHUNK: i64 = 10_000;
/// How often the index takes in new deliveries: one transaction per interval makes fewer,
/// larger index segments than one per commit. Searches catch up first, so they never lag.
const POLL: Duration = Duration::from_millis(1000);

use super::search_text::{TOKENIZER, body_text, with_pairs};
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
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS deliveries_fts;
         -- Contentless: the text lives in the deliveries; rowid = deliveries.id. No
         -- positions (detail = none): search_text.rs feeds pairs of words instead.
         CREATE VIRTUAL TABLE deliveries_fts USING fts5(
             event_name, event_id, resource_id, body,
             content = '', contentless_delete = 1, detail = none,
             tokenize = \"{TOKENIZER}\"
         );"
    ))?;
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    // The old index's pages would stay in the file, free, as large as it was: dropped now,
    // while the new index is empty and this costs next to nothing.
    if found != 0 {
        conn.execute_batch("VACUUM main")?;
    }
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
    // Looked at before any transaction: indexing writes (FTS5's settings at least) and syncs
    // the file, which every search (it catches up first) and every idle poll would otherwise do.
    let nothing_new: bool = conn
        .prepare_cached(
            "SELECT NOT EXISTS (SELECT 1 FROM inspector.deliveries WHERE id > (SELECT coalesce(
                 (SELECT rowid FROM deliveries_fts ORDER BY rowid DESC LIMIT 1), 0)))",
        )?
        .query_row([], |row| row.get(0))?;
    if nothing_new {
        return Ok(0);
    }
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
            let column = |at| -> rusqlite::Result<Option<String>> {
                Ok(row.get::<_, Option<String>>(at)?.as_deref().map(with_pairs))
            };
            add.execute(params![
                id,
                column(1)?,
                column(2)?,
                column(3)?,
                body_text(&body)
            ])?;
            done += 1;
        }
    }
    tx.commit()?;
    Ok(done)
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

    /// A search with nothing new to index, and the indexer's polls while nothing comes, leave
    /// the index's files untouched: no write, no sync.
    #[test]
    fn an_index_with_nothing_new_is_not_written() {
        use crate::model::{Arrival, NewDelivery, Verification};
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(dir.path()).expect("store");
        let arrival = Arrival {
            received_at_ms: 1_700_000_000_000,
            method: "POST".into(),
            path: "/".into(),
            query: None,
            remote_addr: None,
            headers: Vec::new(),
        };
        store
            .insert_many(vec![NewDelivery::captured(
                arrival,
                br#"{"status":"passed"}"#.to_vec(),
                &Verification::default(),
            )])
            .expect("stored");
        let search = || {
            store
                .list(&crate::model::Filter {
                    search: Some("status:passed".into()),
                    ..Default::default()
                })
                .expect("search")
                .len()
        };
        assert_eq!(search(), 1, "indexed by the first search");
        let files = || {
            ["", "-journal"].map(|suffix| {
                let path = dir.path().join(format!("{}{suffix}", super::SEARCH_FILE));
                std::fs::metadata(path).and_then(|m| m.modified()).ok()
            })
        };
        let before = files();
        for _ in 0..3 {
            assert_eq!(search(), 1);
        }
        // Past the indexer's poll, which finds nothing new either.
        std::thread::sleep(super::POLL + Duration::from_millis(300));
        assert_eq!(files(), before);
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
