//! Sharing a capture: as a curl command that sends the same request again, as a JSON fixture
//! another inspector imports (it is then verified and parsed as if it had just arrived), and
//! as a HAR file (HTTP Archive 1.2) that developer tools open and `import` reads back.
//!
//! A fixture or a HAR file is whatever its author wrote: its arrival times, addresses and
//! headers are claims. An import is marked `imported` (never re-signed without asking), keeps
//! the claimed arrival time apart from its own, and is bounded in size like the listener's
//! captures.

mod curl;
mod fixture;
mod har;

pub use curl::curl;
pub use fixture::{
    DEFAULT_MAX_FILE, FIXTURE_FORMAT, FIXTURE_VERSION, FixtureDelivery, Limits, check_file_size,
    fixture, import, read_fixtures, read_limited,
};
pub use har::{HAR_VERSION, entry as har_entry, write_har};

use crate::error::{Error, Result};

/// Reads what `import` takes from `bytes`: a HAR file (an object with a `log`), or one fixture
/// or a JSON array of them. `source` names the input in errors, which also name the entry and
/// field at fault. Refuses input over `limits.max_file` and any body over `limits.max_body`.
pub fn read_deliveries(
    source: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<FixtureDelivery>> {
    check_file_size(source, bytes.len() as u64, limits)?;
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::Invalid(format!(
            "{source} is not JSON ({e}) — expected a fixture written by `persona-inspector \
             export --fixture` or a HAR file"
        ))
    })?;
    match har::is_har(&value) {
        true => har::read_har(source, &value, limits),
        false => fixture::fixtures_in(source, &value, limits),
    }
}
