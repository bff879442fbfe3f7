//! `listening.json` in the data directory: where this session's listener is and the key that
//! marks its own sample events, so `persona-inspector trigger` (another process) can send a
//! sample that arrives as `test`. Owner-only, like the database: whoever can read it can read
//! the captures anyway. Written when the listener starts or moves, removed when it stops.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store;

pub const LISTENING_FILE: &str = "listening.json";

/// What a running session tells other processes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listening {
    /// "http://127.0.0.1:4747".
    pub address: String,
    /// The launch's test-event key; None when this launch marks no test events.
    pub test_event_key: Option<String>,
    pub pid: u32,
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

/// Removes the file if it still names `address` (another session may have taken over).
pub(super) fn withdraw(data_dir: &Path, address: &str) {
    if read(data_dir).is_ok_and(|l| l.is_some_and(|l| l.address == address)) {
        let _ = std::fs::remove_file(path(data_dir));
    }
}

/// The session listening for `data_dir`, if one said so.
pub fn read(data_dir: &Path) -> Result<Option<Listening>> {
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
