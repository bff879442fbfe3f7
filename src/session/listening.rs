//! `listening.json` in the data directory: where this session's listener is and the key that
//! marks its own sample events, so `persona-inspector trigger` (another process) can send a
//! sample that arrives as `test`. Owner-only, like the database: whoever can read it can read
//! the captures anyway. Written when the listener starts or moves, removed when it stops.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store;

pub use store::LISTENING_FILE;

/// What a running session tells other processes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listening {
    /// "http://127.0.0.1:4747".
    pub address: String,
    /// The launch's test-event key; None when this launch marks no test events.
    pub test_event_key: Option<String>,
    pub pid: u32,
}

impl std::fmt::Debug for Listening {
    // The key marks requests as the app's own: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listening")
            .field("address", &self.address)
            .field("test_event_key", &self.test_event_key.as_ref().map(|_| "…"))
            .field("pid", &self.pid)
            .finish()
    }
}

impl Listening {
    /// Whether the process that wrote it still runs. A file left by a session that was killed
    /// must not send samples (signed with the user's secret, carrying the key) to whatever
    /// program took its port since. Where the system cannot tell, it is taken as running.
    fn alive(&self) -> bool {
        store::process_alive(self.pid)
    }
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(LISTENING_FILE)
}

/// Records `listening`; a failure is logged, not fatal: only `trigger` without `--to` needs it.
pub(super) fn announce(data_dir: &Path, listening: &Listening) {
    let written = serde_json::to_vec_pretty(listening)
        .map_err(std::io::Error::other)
        .and_then(|json| store::write_private(&path(data_dir), &json));
    if let Err(error) = written {
        tracing::warn!(
            "`trigger` will not find this listener: {} could not be written ({error})",
            path(data_dir).display()
        );
    }
}

/// Removes the file if it still names `address` (another session on the same data directory
/// may have taken over: the latest one to listen is the one `trigger` finds).
pub(super) fn withdraw(data_dir: &Path, address: &str) {
    if written(data_dir).is_ok_and(|l| l.is_some_and(|l| l.address == address)) {
        let _ = std::fs::remove_file(path(data_dir));
    }
}

/// The session listening for `data_dir`, if one said so and its process still runs.
pub fn read(data_dir: &Path) -> Result<Option<Listening>> {
    Ok(written(data_dir)?.filter(Listening::alive))
}

fn written(data_dir: &Path) -> Result<Option<Listening>> {
    let bytes = match std::fs::read(path(data_dir)) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::Invalid(format!(
            "{} is not what a listening inspector writes ({e}); delete it and start the inspector again",
            path(data_dir).display()
        ))
    })
}
