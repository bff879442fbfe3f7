//! The capture engine of Persona Webhook Inspector: everything that works without a window.
//! The desktop app and the CLI are thin layers over this crate.

pub mod bulk;
pub mod capture;
pub mod catalog;
pub mod clock;
pub mod delivery;
pub mod error;
pub mod forward;
pub mod jsonapi;
pub mod relay;
pub mod retention;
pub mod sample;
pub mod share;
pub mod signature;
pub mod store;

pub use error::{Error, Result};
