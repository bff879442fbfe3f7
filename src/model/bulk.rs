//! What a bulk re-delivery sends, and in which order; `bulk` runs it.

use serde::{Deserialize, Serialize};

use super::Filter;

/// In which order a bulk run sends.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// By the event's `created-at` (what a handler should order by); requests that are not
    /// Persona events go last.
    #[default]
    Created,
    /// As they reached the listener.
    Received,
}

/// What a bulk run sends.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// These deliveries (ids that no longer exist are counted as missing).
    Ids { ids: Vec<i64> },
    /// Every delivery the filter matches; its limit and offset are ignored.
    Filter { filter: Filter },
}
