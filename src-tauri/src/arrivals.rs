//! New deliveries and forward results reach the window in batches: a burst of webhooks becomes
//! one event (and, later, one notification), not hundreds.

use std::time::Duration;

use persona_inspector::redeliver::Report;
use persona_inspector::session::ForwardResult;
use persona_inspector::store::Summary;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::mpsc;

/// How long a batch stays open after its first delivery.
pub const WINDOW: Duration = Duration::from_millis(100);
/// A batch closes early at this size.
const MOST: usize = 500;

/// Hands arrivals to `emit` in batches until the session stops.
pub async fn batched(
    mut arrivals: broadcast::Receiver<Summary>,
    mut emit: impl FnMut(Vec<Summary>),
) {
    loop {
        let first = match arrivals.recv().await {
            Ok(summary) => summary,
            Err(RecvError::Lagged(missed)) => {
                // They are stored; the window shows them on its next refresh.
                tracing::warn!("{missed} deliveries arrived faster than the window could take");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let mut batch = vec![first];
        let closes = tokio::time::Instant::now() + WINDOW;
        while batch.len() < MOST {
            match tokio::time::timeout_at(closes, arrivals.recv()).await {
                Ok(Ok(summary)) => batch.push(summary),
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Err(RecvError::Closed)) | Err(_) => break,
            }
        }
        emit(batch);
    }
}

/// Hands the relay's results to `emit` in batches (a burst of captures is one event).
pub async fn batched_results(
    mut reports: mpsc::UnboundedReceiver<Report>,
    mut emit: impl FnMut(Vec<ForwardResult>),
) {
    while let Some(first) = reports.recv().await {
        let mut batch = vec![ForwardResult::of(&first)];
        let closes = tokio::time::Instant::now() + WINDOW;
        while let Ok(Some(next)) = tokio::time::timeout_at(closes, reports.recv()).await {
            batch.push(ForwardResult::of(&next));
        }
        emit(batch);
    }
}
