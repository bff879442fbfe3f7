//! Purging by hand: everything, or what is older than a number of days.

use super::{Session, SessionError};
use crate::store::Purge;

/// What a purge removes: everything (None) or what is older than `older_than_days`.
fn purge_for_days(older_than_days: Option<u32>) -> crate::Result<Purge> {
    match older_than_days {
        None => Ok(Purge::All),
        Some(0) => Err(crate::Error::Invalid(
            "purging deliveries older than 0 days would purge all; pick 1 day or more, or purge all"
                .into(),
        )),
        Some(days) => Ok(Purge::OlderThan(std::time::Duration::from_secs(
            u64::from(days) * 86_400,
        ))),
    }
}

impl Session {
    /// How many deliveries `purge` would delete now: for the confirmation.
    pub async fn count_purgeable(&self, older_than_days: Option<u32>) -> Result<u64, SessionError> {
        let store = self.store()?;
        let what = purge_for_days(older_than_days)?;
        super::blocking(move || store.count_purgeable(what)).await
    }

    /// Deletes every delivery (None) or those older than `older_than_days`, erasing them from
    /// disk; returns how many went.
    pub async fn purge(&self, older_than_days: Option<u32>) -> Result<u64, SessionError> {
        let store = self.store()?;
        let what = purge_for_days(older_than_days)?;
        super::blocking(move || store.purge(what)).await
    }
}
