//! Copies the WAL back into the database file from a thread of its own. Left to the writer,
//! SQLite does this inside a commit every few megabytes, and the deliveries in that commit
//! wait tens of milliseconds for it; here it runs beside the writer instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

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
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // PASSIVE never blocks the writer or readers; what it can't copy now it
                    // copies next time.
                    match checkpoint(&conn) {
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
fn checkpoint(conn: &Connection) -> rusqlite::Result<bool> {
    let wal_pages: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))?;
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
