//! Copies the WAL back into the database file from a thread of its own. Left to the writer,
//! SQLite does this inside a commit every few megabytes, and the deliveries in that commit
//! wait tens of milliseconds for it; here it runs beside the writer instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Once a second: a page dirtied by many commits in between (an index's hot pages) is copied
/// once; at 250 ms it was copied four times as often, for a WAL a quarter the size.
const EVERY: Duration = Duration::from_millis(1000);

/// How many times `truncate_wal` asks; each ask waits up to the busy timeout for readers.
const TRUNCATE_TRIES: u32 = 3;

/// Under a sustained load a PASSIVE checkpoint never catches up with a writer that keeps
/// appending, and the WAL would grow for ever. Past this size the checkpointer raises a flag and
/// the writer, between two batches, copies the little that is left itself: with no write in
/// between, that checkpoint completes and the next commit starts the WAL over.
pub const WAL_LIMIT_BYTES: i64 = 256 * 1024 * 1024;

/// What a reset WAL file is cut back to: rewriting blocks the file already has is much cheaper
/// than growing it again.
pub const WAL_KEPT_BYTES: i64 = 64 * 1024 * 1024;

/// Raised by the checkpointer when the WAL is over the limit; taken down by the writer.
pub type WalFull = Arc<AtomicBool>;

/// How long a WAL must go without a commit before it is emptied. Persona sends a few
/// deliveries a minute at most while a user works, and a database at rest should not keep up to
/// `WAL_KEPT_BYTES` of pages it already holds; under load the file is kept and reused.
pub const QUIET_BEFORE_EMPTYING: Duration = Duration::from_secs(5);

/// Watches a WAL's frame count to tell when it has gone quiet.
pub struct Quiet {
    seen: Option<(i64, Instant)>,
    after: Duration,
}

impl Default for Quiet {
    fn default() -> Quiet {
        Quiet {
            seen: None,
            after: QUIET_BEFORE_EMPTYING,
        }
    }
}

impl Quiet {
    /// Called after each checkpoint with the WAL's frames and how many are copied back: true
    /// once every frame is copied and none was added for `QUIET_BEFORE_EMPTYING`.
    fn settled(&mut self, frames: i64, copied: i64) -> bool {
        if frames <= 0 || copied < frames {
            self.seen = None;
            return false;
        }
        match self.seen {
            Some((seen, since)) if seen == frames => since.elapsed() >= self.after,
            _ => {
                self.seen = Some((frames, Instant::now()));
                false
            }
        }
    }

    /// Copies back what `conn`'s main WAL holds and, once it has gone quiet, cuts the file to
    /// zero bytes. Never waits: a reader or writer using the WAL just makes it try again later.
    pub fn checkpoint(&mut self, conn: &Connection) -> rusqlite::Result<i64> {
        let (frames, copied): (i64, i64) =
            conn.query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(1)?, row.get(2)?))
            })?;
        if self.settled(frames, copied) {
            conn.busy_timeout(Duration::ZERO)?;
            let emptied = conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |row| {
                row.get::<_, i64>(0)
            });
            conn.busy_timeout(super::BUSY_TIMEOUT)?;
            match emptied {
                Ok(0) => self.seen = None,
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
                Err(other) => return Err(other),
            }
        }
        Ok(frames)
    }
}

pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub fn start(conn: Connection, wal_full: WalFull) -> Result<Checkpointer> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                let mut quiet = Quiet::default();
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // PASSIVE never blocks the writer or readers; what it can't copy now it
                    // copies next time.
                    match checkpoint(&conn, &mut quiet) {
                        Ok(over_limit) => wal_full.store(over_limit, Ordering::Relaxed),
                        Err(error) => tracing::warn!("WAL checkpoint failed (will retry): {error}"),
                    }
                }
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// Returns whether the WAL is over the limit.
fn checkpoint(conn: &Connection, quiet: &mut Quiet) -> rusqlite::Result<bool> {
    let wal_pages = quiet.checkpoint(conn)?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |row| row.get(0))?;
    Ok(wal_pages * page_size > WAL_LIMIT_BYTES)
}

/// The writer's side: called between batches.
pub fn reset_if_full(conn: &Connection, wal_full: &WalFull) {
    if wal_full.swap(false, Ordering::Relaxed)
        && let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    {
        tracing::warn!("WAL checkpoint failed (will retry): {error}");
    }
}

/// Copies the whole WAL of `conn`'s main database into it and cuts the WAL file to zero bytes,
/// so pages from before a delete can't be read back from it. A reader on an older snapshot (or
/// the checkpointer thread mid-copy) makes SQLite answer "busy" instead of failing: that is
/// retried, and reported as `NotErased` (`done` says what did happen) if it persists.
pub fn truncate_wal(conn: &Connection, done: &str) -> Result<()> {
    for _ in 0..TRUNCATE_TRIES {
        let busy = conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |row| {
            row.get::<_, i64>(0)
        });
        match busy {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
            Err(other) => return Err(other.into()),
        }
        // The busy handler already waited for readers; give the checkpointer a turn.
        std::thread::sleep(EVERY);
    }
    Err(Error::NotErased {
        done: done.to_string(),
        path: wal_path(conn),
    })
}

fn wal_path(conn: &Connection) -> std::path::PathBuf {
    let mut name = conn.path().unwrap_or("the database").to_string();
    name.push_str("-wal");
    name.into()
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rusqlite::{Connection, OpenFlags};

    use super::Quiet;

    fn wal_len(dir: &std::path::Path) -> u64 {
        std::fs::metadata(dir.join("db-wal")).map_or(0, |m| m.len())
    }

    #[test]
    fn a_quiet_wal_is_emptied_and_a_reader_only_postpones_it() {
        let dir = tempfile::tempdir().expect("temp");
        let open = || super::super::connect(&dir.path().join("db"), OpenFlags::default());
        let writer = open().expect("writer");
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB);")
            .expect("table");
        let checkpointer = open().expect("checkpointer");
        let mut quiet = Quiet {
            seen: None,
            after: Duration::ZERO,
        };
        let write = || {
            writer
                .execute("INSERT INTO t VALUES (zeroblob(100000))", [])
                .expect("insert")
        };

        write();
        quiet.checkpoint(&checkpointer).expect("checkpoint");
        assert!(
            wal_len(dir.path()) > 100_000,
            "the first look only notes the frames"
        );
        write();
        // A reader whose snapshot is in the WAL: the checkpointer must neither wait nor cut.
        let reader = Connection::open(dir.path().join("db")).expect("reader");
        reader.execute_batch("BEGIN").expect("begin");
        let _: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .expect("read");
        quiet.checkpoint(&checkpointer).expect("checkpoint");
        assert!(wal_len(dir.path()) > 100_000, "new frames: not quiet yet");
        let started = std::time::Instant::now();
        quiet.checkpoint(&checkpointer).expect("checkpoint");
        assert!(started.elapsed() < Duration::from_secs(1), "did not wait");
        assert!(wal_len(dir.path()) > 100_000, "kept for the reader");
        reader.execute_batch("COMMIT").expect("end");

        quiet.checkpoint(&checkpointer).expect("checkpoint");
        assert_eq!(wal_len(dir.path()), 0, "emptied once quiet and free");
        let rows: i64 = writer
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .expect("count");
        assert_eq!(rows, 2, "nothing lost");
    }
}
