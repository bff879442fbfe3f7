//! What a person asks of a re-delivery: where to, with which signature, which edits, how long
//! to wait.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{DEFAULT_TIMEOUT_MS, Headers, Signing};

/// The longest wait allowed: long enough to step through a handler in a debugger.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

/// Changes to the stored request before it is sent ("edit and re-send").
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edits {
    /// Replaces the stored body.
    #[serde(default, rename = "body_base64", with = "crate::model::base64_opt")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>, optional))]
    pub body: Option<Vec<u8>>,
    /// Replaces every stored header, in this order (hop-by-hop ones are still dropped, and the
    /// signature is still replaced when re-signing).
    #[serde(default, with = "crate::model::rows_opt")]
    #[cfg_attr(feature = "specta", specta(type = Option<Vec<Vec<String>>>, optional))]
    pub headers: Option<Headers>,
}

/// How to re-deliver.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Where to send, as typed: an `http://` or `https://` URL (remembered as a recent target).
    pub target: String,
    /// Append the delivery's original path and query to the target's.
    #[serde(default)]
    pub keep_path: bool,
    #[serde(default)]
    pub signing: Signing,
    /// Re-sign even a delivery Persona did not sign (an invalid, missing, malformed or
    /// unchecked signature, or an import) or a capture whose valid signature was stale when it
    /// arrived: the user's explicit choice for this action. Without it such a delivery keeps
    /// its original signature.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub resign_unverified: bool,
    /// How long to wait for the whole answer.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default)]
    pub edits: Edits,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

impl Options {
    /// The stored request as it is, signature kept, to `target`, waiting 5 s.
    pub fn new(target: impl Into<String>) -> Options {
        Options {
            target: target.into(),
            keep_path: false,
            signing: Signing::Keep,
            resign_unverified: false,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            edits: Edits::default(),
        }
    }

    pub(super) fn timeout(&self) -> Result<Duration> {
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(Error::Invalid(format!(
                "a timeout of {} ms cannot be used; pick 1 to {MAX_TIMEOUT_MS} ms \
                 (Persona waits {DEFAULT_TIMEOUT_MS} ms)",
                self.timeout_ms
            )));
        }
        Ok(Duration::from_millis(self.timeout_ms))
    }
}
