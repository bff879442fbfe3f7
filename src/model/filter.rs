//! Which deliveries to list: what the list, the search and a bulk run narrow by.

use serde::{Deserialize, Serialize};

use super::Status;

/// Which deliveries to list. Every field narrows; none set lists the newest.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// At most this many (default 200, at most 10 000).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub limit: Option<u32>,
    /// Only ids below this one: the next page of an infinite list.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub before_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub event_name: Option<String>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub event_id: Option<String>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub resource_id: Option<String>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub signature: Option<Status>,
    /// Words that must all appear (prefixes count) in the event name, ids or body.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub search: Option<String>,
    /// Skip this many matching rows first: with `before_id` pinned, a stable page of a long
    /// list that keeps growing at the top.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub offset: Option<u32>,
}
