//! Sharing a capture: as a curl command that sends the same request again, and as a JSON
//! fixture another inspector imports (it is then verified and parsed as if it had just arrived).
//!
//! A fixture is whatever its author wrote: its arrival time, address and headers are claims.
//! An import is marked `imported` (never re-signed without asking), keeps the claimed arrival
//! time apart from its own, and is bounded in size like the listener's captures.

mod curl;
mod fixture;

pub use curl::curl;
pub use fixture::{
    DEFAULT_MAX_FILE, FIXTURE_FORMAT, FIXTURE_VERSION, FixtureDelivery, Limits, check_file_size,
    fixture, import, read_fixtures, read_limited,
};
