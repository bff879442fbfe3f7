//! The crate's one error type. Messages say what happened and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("port {port} on {host} is in use — pick another with --port")]
    PortInUse { host: String, port: u16 },

    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot use data directory {}: {source} — check its permissions or pick another with --data-dir", path.display())]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("no data directory could be found for this user — pass one with --data-dir")]
    NoDataDir,

    #[error(
        "the database {} was written by a newer persona-inspector (schema version {found}, this build knows up to {known}) — upgrade, or pass another --data-dir",
        path.display()
    )]
    DatabaseTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    /// An inspector from before bodies were compressed runs on the data directory: converting
    /// the database under it would make it read compressed bytes as bodies.
    #[error(
        "another inspector (pid {pid}) is running on {} and this version must convert its \
         database first, which that one could not read afterwards — quit the running inspector \
         (pid {pid}) first, then run this again (if no inspector runs, delete {} and run this \
         again)",
        data_dir.display(),
        data_dir.join(crate::store::LISTENING_FILE).display()
    )]
    InUseByOlder { pid: u32, data_dir: PathBuf },

    #[error("database error: {0}{hint}", hint = busy_hint(.0))]
    Sqlite(#[from] rusqlite::Error),

    #[error("cannot migrate the database: {0}")]
    Migration(String),

    #[error(
        "the store is busy: {waiting} deliveries are already waiting to be written — retry shortly"
    )]
    StoreBusy { waiting: usize },

    #[error("the store has shut down; no more deliveries can be written")]
    StoreClosed,

    #[error("{0}")]
    Invalid(String),

    #[error("no delivery with id {0} — see `persona-inspector list`")]
    NotFound(i64),

    #[error("no endpoint check with id {0} — see `persona-inspector check-endpoint --list`")]
    NoCheckRun(i64),

    /// The endpoint check's target gave no HTTP answer at all, so no case was run.
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },

    #[error("{0}")]
    Io(#[from] std::io::Error),

    /// Deleted data whose old copies could not be cleared from a WAL file yet.
    #[error(
        "{done}, but old copies are still in {} because another program kept reading the database — \
         close other programs using the data directory; the next purge (purging nothing is enough) \
         or the app's hourly retention pass finishes the erase",
        path.display()
    )]
    NotErased { done: String, path: PathBuf },

    #[error(
        "the stored body of delivery {id} cannot be read: {why}. The database file was changed \
         outside the inspector or is damaged. A purge reaching its age (purge --older-than) \
         removes it, with every delivery older than it"
    )]
    CorruptBody { id: i64, why: String },

    #[error(
        "the stored headers and signature verdict of delivery {id} cannot be read: {why}. The \
         database file was changed outside the inspector or is damaged; the other deliveries \
         still read"
    )]
    CorruptHeaders { id: i64, why: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What "database is locked" means here: another process held the store past the wait
/// (`BUSY_TIMEOUT`); in practice a purge rebuilding the files.
fn busy_hint(error: &rusqlite::Error) -> &'static str {
    match error.sqlite_error_code() {
        // Not DatabaseLocked: that is a conflict within this process, not another one.
        Some(rusqlite::ErrorCode::DatabaseBusy) => {
            " — another process holds the store (a purge erasing deliveries takes a while on a \
             large store); try again once it is done"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    /// "database is locked" says who holds the store and what to do; other errors say nothing more.
    #[test]
    fn a_locked_store_says_who_holds_it() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("x.db");
        let holder = rusqlite::Connection::open(&path).expect("open");
        holder
            .execute_batch("CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .expect("hold the lock");
        let other = rusqlite::Connection::open(&path).expect("open");
        other
            .busy_timeout(std::time::Duration::ZERO)
            .expect("no wait");
        let locked = other
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(super::Error::from)
            .expect_err("locked");
        let message = locked.to_string();
        assert!(
            message.contains("database is locked") && message.contains("a purge"),
            "{message}"
        );
        let other_error = super::Error::from(rusqlite::Error::QueryReturnedNoRows).to_string();
        assert!(!other_error.contains("purge"), "{other_error}");
    }
}
