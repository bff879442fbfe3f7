//! The capture engine of Persona Webhook Inspector: everything that works without a window.
//! The desktop app and the CLI are thin layers over this crate.
//!
//! Layers, bottom up (each uses only those below it):
//! - `model`: the data and Persona's documented rules; depends on nothing in the crate.
//! - `store`: keeps the model in SQLite (with `error` and `clock`, which everything may use).
//! - `catalog`, `signature`, `jsonapi`: Persona's events, signatures and envelopes.
//! - `delivery` (a delivery read as it arrives), `view` (what the CLI and app show), `story`
//!   (deliveries read together: a resource's timeline, an event's retry chain), `sample`,
//!   `retention`.
//! - `capture` (the listener), `redeliver` (one send by hand), `relay` (the forward rule at
//!   work), `bulk` (many sends), `share` (curl commands and fixtures), `trigger` (a sample
//!   sent on demand), `endpoint_check` (the user's own handler put through Persona's cases).
//! - `ngrok`: what a local ngrok agent says of its tunnels (the public URL that leads to the
//!   listener).
//! - `session`: what the app and `serve` run over all of these — the listener's lifecycle,
//!   settings applied live, the relay, bulk runs, the retention pass; no window in it.

pub mod bulk;
pub mod capture;
pub mod catalog;
pub mod clock;
pub mod delivery;
pub mod endpoint_check;
pub mod error;
pub mod jsonapi;
pub mod model;
pub mod ngrok;
pub mod redeliver;
pub mod relay;
pub mod retention;
pub mod sample;
pub mod session;
pub mod share;
pub mod signature;
pub mod store;
pub mod story;
pub mod trigger;
pub mod view;

pub use error::{Error, Result};
