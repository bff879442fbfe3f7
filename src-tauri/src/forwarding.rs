//! The app's forward rule and bulk re-deliveries: the relay fed by every capture, its results
//! handed to the window in batches, and bulk runs that can be cancelled.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use persona_inspector::bulk::{self, Cancel, Progress};
use persona_inspector::capture::Capture;
use persona_inspector::model::{ForwardMark, Order, Scope};
use persona_inspector::redeliver::{Client, Options, Report};
use persona_inspector::relay::Relay;
use persona_inspector::store::Store;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// One forward's result as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ForwardResult {
    pub delivery_id: i64,
    /// The recorded attempt; None when nothing could be sent (`error` says why).
    pub mark: Option<ForwardMark>,
    pub error: Option<String>,
}

impl ForwardResult {
    pub fn of(forwarded: &Report) -> ForwardResult {
        match &forwarded.result {
            Ok(record) => ForwardResult {
                delivery_id: forwarded.delivery_id,
                mark: Some(ForwardMark::of(record)),
                error: None,
            },
            Err(error) => ForwardResult {
                delivery_id: forwarded.delivery_id,
                mark: None,
                error: Some(error.clone()),
            },
        }
    }
}

/// A bulk run just started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct BulkStarted {
    pub job: u32,
    pub total: u64,
    /// Ids of the selection that are no longer stored.
    pub missing: u64,
}

/// Where a bulk run is; the last one of a run has `progress.finished` set.
#[derive(Clone, Debug, PartialEq, Serialize, specta::Type)]
pub struct BulkStep {
    pub job: u32,
    pub progress: Progress,
    /// The summary in words ("12 sent: 10 delivered, 2 rejected").
    pub summary: String,
    /// The delivery just sent and the result in words ("→ 500 Internal Server Error in 3 ms").
    pub last_id: Option<i64>,
    pub last: Option<String>,
}

/// The relay started for the app: it forwards what `capture` announces and reports each
/// result on the returned channel. Retries waiting since the last run are resumed.
pub fn start_relay(
    capture: &Capture,
    forwarder: Client,
) -> persona_inspector::Result<(Relay, mpsc::UnboundedReceiver<Report>)> {
    let store = capture.store().clone();
    let rule = store.forward_rule()?;
    let (report, reports) = mpsc::unbounded_channel();
    let relay = Relay::new(store, forwarder, rule, move |forwarded| {
        let _ = report.send(forwarded);
    });
    let mut arrivals = capture.subscribe();
    let offered = relay.clone();
    tokio::spawn(async move {
        loop {
            match arrivals.recv().await {
                Ok(summary) => offered.offer(&summary),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!("{missed} captures arrived too fast to forward (all stored)");
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
    let resumed = relay.resume()?;
    if resumed > 0 {
        tracing::info!("{resumed} forward retries resumed");
    }
    Ok((relay, reports))
}

/// Forwards relay results to `emit` in batches (a burst of captures is one event).
pub async fn batch_results(
    mut reports: mpsc::UnboundedReceiver<Report>,
    mut emit: impl FnMut(Vec<ForwardResult>),
) {
    while let Some(first) = reports.recv().await {
        let mut batch = vec![ForwardResult::of(&first)];
        let closes = tokio::time::Instant::now() + crate::arrivals::WINDOW;
        while let Ok(Some(next)) = tokio::time::timeout_at(closes, reports.recv()).await {
            batch.push(ForwardResult::of(&next));
        }
        emit(batch);
    }
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
        forwarder: Client,
        store: Store,
        scope: Scope,
        order: Order,
        options: Options,
        report: impl Fn(BulkStep) + Send + Sync + 'static,
    ) -> persona_inspector::Result<BulkStarted> {
        // Planning reads the store (a filter may search the whole index): off the async threads.
        let (ids, missing) = {
            let (forwarder, store, options) = (forwarder.clone(), store.clone(), options.clone());
            crate::engine::blocking(move || bulk::plan(&forwarder, &store, &scope, order, &options))
                .await?
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
                &forwarder,
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
