//! Bulk re-deliveries: runs started in the background, reporting their progress, each one
//! cancellable by its job number.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Session, SessionError, blocking};
use crate::bulk::{self, Cancel, Progress};
use crate::model::{Order, Scope};
use crate::redeliver::{Client, Options, Report};
use crate::store::Store;

/// A bulk run just started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BulkStarted {
    pub job: u32,
    pub total: u64,
    /// Ids of the selection that are no longer stored.
    pub missing: u64,
}

/// Where a bulk run is; the last one of a run has `progress.finished` set.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BulkStep {
    pub job: u32,
    pub progress: Progress,
    /// The summary in words ("12 sent: 10 delivered, 2 rejected").
    pub summary: String,
    /// The delivery just sent and the result in words ("→ 500 Internal Server Error in 3 ms").
    pub last_id: Option<i64>,
    pub last: Option<String>,
}

/// The bulk runs in progress, by job number.
#[derive(Default)]
pub struct BulkJobs {
    next: AtomicU32,
    running: Arc<Mutex<HashMap<u32, Cancel>>>,
}

/// A progress event at most this often (and always the last one).
const STEP_EVERY: Duration = Duration::from_millis(100);

impl BulkJobs {
    /// Plans the run (refusing unusable options or an empty scope) and starts it in the
    /// background; `report` hears its progress.
    pub async fn start(
        &self,
        client: Client,
        store: Store,
        scope: Scope,
        order: Order,
        options: Options,
        report: impl Fn(BulkStep) + Send + Sync + 'static,
    ) -> Result<BulkStarted, SessionError> {
        // Planning reads the store (a filter may search the whole index): off the async threads.
        let (ids, missing) = {
            let (client, store, options) = (client.clone(), store.clone(), options.clone());
            blocking(move || bulk::plan(&client, &store, &scope, order, &options)).await?
        };
        let job = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = Cancel::default();
        lock(&self.running).insert(job, cancel.clone());
        let running = self.running.clone();
        let started = BulkStarted {
            job,
            total: ids.len() as u64,
            missing,
        };
        tokio::spawn(async move {
            let mut reported = Instant::now();
            let finished = bulk::run(
                &client,
                &store,
                &ids,
                missing,
                &options,
                &cancel,
                |progress, forwarded| {
                    if reported.elapsed() < STEP_EVERY && progress.done < progress.total {
                        return;
                    }
                    reported = Instant::now();
                    report(step(job, progress, Some(forwarded)));
                },
            )
            .await;
            lock(&running).remove(&job);
            report(step(job, &finished, None));
        });
        Ok(started)
    }

    /// Stops run `job` before its next send; false when it is not running (any more).
    pub fn cancel(&self, job: u32) -> bool {
        match lock(&self.running).get(&job) {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}

fn lock(running: &Mutex<HashMap<u32, Cancel>>) -> std::sync::MutexGuard<'_, HashMap<u32, Cancel>> {
    running
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn step(job: u32, progress: &Progress, last: Option<&Report>) -> BulkStep {
    BulkStep {
        job,
        progress: progress.clone(),
        summary: progress.describe(),
        last_id: last.map(|f| f.delivery_id),
        last: last.map(|f| match &f.result {
            Ok(record) => record.attempt.describe(),
            Err(error) => format!("✗ not sent: {error}"),
        }),
    }
}

impl Session {
    /// Starts re-delivering `scope` in `order`; `report` hears its progress.
    pub async fn start_bulk(
        &self,
        scope: Scope,
        order: Order,
        options: Options,
        report: impl Fn(BulkStep) + Send + Sync + 'static,
    ) -> Result<BulkStarted, SessionError> {
        // Reported as a refusal of the run, as the window has always been told.
        let unavailable = |e: SessionError| crate::Error::Invalid(e.to_string());
        let store = self.store().map_err(unavailable)?;
        let client = self.client().map_err(unavailable)?;
        self.bulk
            .start(client, store, scope, order, options, report)
            .await
    }

    /// Stops bulk run `job` before its next send; false when it is not running.
    pub fn cancel_bulk(&self, job: u32) -> bool {
        self.bulk.cancel(job)
    }
}
