//! Re-delivery: sends a stored delivery to another URL (usually the app under development) over
//! real HTTP, and records every attempt in the store.
//!
//! The request carries the exact stored body bytes, the original method and the original headers
//! in their order, minus the hop-by-hop ones and those the client derives for the new connection
//! (Host, Content-Length). The signature is either kept as Persona sent it (to test that a
//! handler rejects replays) or replaced by a fresh one made with a configured secret. One header
//! may be added: the HTTP client sends `accept: */*` when the delivery had no `Accept` (Persona's
//! deliveries carry one).
//!
//! A send never fails as a Rust error once it has started: no answer is an `Attempt` with a
//! `Failure` that says why in plain words, and any HTTP answer (500 included) is an `Answer`.
//! Errors are only what stops a request from being made: an unknown delivery, an unusable URL,
//! an unknown secret label, an edited header that is not HTTP.
//!
//! Re-signing vouches for the bytes with the user's real secret, and the listener faces the
//! internet: [`prepare()`], which every send goes through, re-signs without asking only what
//! Persona signed (a captured delivery whose stored verdict is `valid` and was not stale when
//! it arrived) and the app's own test events. Anything else keeps its original signature unless the user opted in for this action
//! (`resign_unverified`), and the attempt records why it was not re-signed.

mod options;
mod prepare;
mod send;
mod target;

pub use options::{Edits, MAX_TIMEOUT_MS, Options};
pub use prepare::find_secret;
pub use prepare::{Outgoing, Unverified, end_to_end, prepare, unverified};
pub use send::{Client, RESPONSE_CAP, Report};
pub use target::{Spelling, Target};

#[cfg(test)]
mod tests;
