//! How long deliveries are kept: the saved retention, applied by whoever keeps a store open for
//! long (the desktop app at launch and every hour). Purged deliveries are erased from disk
//! (see `Store::purge`).

use std::time::Duration;

use crate::error::Result;
use crate::store::{Purge, Store};

/// How often a running app applies the retention.
pub const EVERY: Duration = Duration::from_secs(3600);

const DAY_MS: i64 = 86_400_000;

/// What `retention_days` purges at `now_ms`: None when deliveries are kept forever. Whole UTC
/// days go at once (everything received before the day that began `days` days ago), so a
/// delivery is kept at least `days` days and at most one more, and the hourly pass rewrites
/// the database (see `Store::purge`) once a day rather than every hour.
pub fn purge_for(retention_days: Option<u32>, now_ms: i64) -> Option<Purge> {
    retention_days.map(|days| {
        let start_of_today = now_ms.div_euclid(DAY_MS) * DAY_MS;
        Purge::Before(start_of_today.saturating_sub(i64::from(days) * DAY_MS))
    })
}

/// Purges the deliveries past the saved retention; returns how many went (0 when they are
/// kept forever). Blocks.
pub fn apply(store: &Store) -> Result<u64> {
    match purge_for(store.settings()?.retention_days, crate::clock::now_ms()) {
        Some(what) => store.purge(what),
        None => Ok(0),
    }
}

/// Applies the retention now and then every `every`, until the returned task is aborted;
/// `purged` hears each pass's count (0 included). A failure is logged and tried again next
/// time. The first pass runs in the background: on a large store it rewrites the database,
/// which must not hold up a launch.
pub fn every(
    store: Store,
    every: Duration,
    purged: impl Fn(u64) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let store = store.clone();
            match tokio::task::spawn_blocking(move || apply(&store)).await {
                Ok(Ok(n)) => {
                    if n > 0 {
                        tracing::info!("retention: purged {n} deliveries past the saved retention");
                    }
                    purged(n);
                }
                Ok(Err(error)) => {
                    tracing::warn!("retention could not purge old deliveries (will retry): {error}")
                }
                Err(error) => {
                    tracing::warn!("retention stopped unexpectedly (will retry): {error}")
                }
            }
        }
    })
}
