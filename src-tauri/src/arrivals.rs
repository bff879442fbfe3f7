//! New deliveries and forward results reach the window in batches: a burst of webhooks becomes
//! a few events (and one notification), not hundreds. For the list, a delivery that arrives
//! after a quiet spell goes at once (`streamed`), so its row shows within a frame or two of the
//! sender's 2xx; notifications wait for the burst (`batched`).

use std::time::Duration;

use persona_inspector::redeliver::Report;
use persona_inspector::session::ForwardResult;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long a batch stays open after its first delivery.
pub const WINDOW: Duration = Duration::from_millis(100);
/// The least time between two list updates during a burst: at most 40 a second, each one
/// render of the list, while a delivery waits at most this long for its row.
pub const GAP: Duration = Duration::from_millis(25);
/// A batch closes early at this size.
const MOST: usize = 500;

/// Hands arrivals to `emit` as soon as the last batch is `GAP` old: a lone delivery goes at
/// once; those that arrive sooner after a batch go together when the gap has passed. Runs
/// until the session stops.
pub async fn streamed<T: Clone>(
    mut arrivals: broadcast::Receiver<T>,
    mut emit: impl FnMut(Vec<T>),
) {
    let mut last: Option<Instant> = None;
    while let Some(first) = next(&mut arrivals).await {
        let opens = last.map_or_else(Instant::now, |t| t + GAP);
        emit(fill(&mut arrivals, first, opens).await);
        last = Some(Instant::now());
    }
}

/// Hands arrivals to `emit` in batches, each open for `WINDOW` after its first delivery, until
/// the session stops.
pub async fn batched<T: Clone>(mut arrivals: broadcast::Receiver<T>, mut emit: impl FnMut(Vec<T>)) {
    while let Some(first) = next(&mut arrivals).await {
        emit(fill(&mut arrivals, first, Instant::now() + WINDOW).await);
    }
}

/// A batch of `first` and what arrives until `closes` (at most `MOST`). Past `closes` it still
/// takes whatever is queued already: the timeout polls the receiver first.
async fn fill<T: Clone>(
    arrivals: &mut broadcast::Receiver<T>,
    first: T,
    closes: Instant,
) -> Vec<T> {
    let mut batch = vec![first];
    while batch.len() < MOST {
        match tokio::time::timeout_at(closes, arrivals.recv()).await {
            Ok(Ok(item)) => batch.push(item),
            Ok(Err(RecvError::Lagged(missed))) => lagged(missed),
            Ok(Err(RecvError::Closed)) | Err(_) => break,
        }
    }
    batch
}

/// The next arrival, or None once the session has stopped.
async fn next<T: Clone>(arrivals: &mut broadcast::Receiver<T>) -> Option<T> {
    loop {
        match arrivals.recv().await {
            Ok(item) => return Some(item),
            Err(RecvError::Lagged(missed)) => lagged(missed),
            Err(RecvError::Closed) => return None,
        }
    }
}

fn lagged(missed: u64) {
    // They are stored; the window shows them on its next refresh.
    tracing::warn!("{missed} deliveries arrived faster than the window could take");
}

/// Hands the relay's results to `emit` in batches (a burst of captures is one event).
pub async fn batched_results(
    mut reports: mpsc::UnboundedReceiver<Report>,
    mut emit: impl FnMut(Vec<ForwardResult>),
) {
    while let Some(first) = reports.recv().await {
        let mut batch = vec![ForwardResult::of(&first)];
        let closes = Instant::now() + WINDOW;
        while let Ok(Some(next)) = tokio::time::timeout_at(closes, reports.recv()).await {
            batch.push(ForwardResult::of(&next));
        }
        emit(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `streamed` over a channel in paused time; each batch comes back with the paused
    /// clock's time since the start, so the gap is checked without waiting for it.
    fn stream() -> (
        broadcast::Sender<u32>,
        mpsc::UnboundedReceiver<(Duration, Vec<u32>)>,
    ) {
        let (sender, arrivals) = broadcast::channel(1024);
        let (batches, received) = mpsc::unbounded_channel();
        let start = Instant::now();
        tokio::spawn(streamed(arrivals, move |batch| {
            let _ = batches.send((start.elapsed(), batch));
        }));
        (sender, received)
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_arrival_goes_at_once_and_a_burst_after_it_waits_for_the_gap() {
        let (sender, mut received) = stream();
        sender.send(1).expect("send");
        let (at, batch) = received.recv().await.expect("a batch");
        assert_eq!((at, batch), (Duration::ZERO, vec![1]));

        for n in 2..=9 {
            sender.send(n).expect("send");
        }
        let (at, batch) = received.recv().await.expect("a batch");
        assert_eq!(batch, (2..=9).collect::<Vec<_>>(), "the burst is one batch");
        assert_eq!(at, GAP, "sent one gap after the last batch");

        tokio::time::sleep(GAP * 3).await;
        sender.send(10).expect("send");
        let (at, batch) = received.recv().await.expect("a batch");
        assert_eq!(batch, vec![10]);
        assert_eq!(at, GAP * 4, "after a quiet spell, at once");
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_holds_at_most_most_and_the_rest_follows() {
        let (sender, mut received) = stream();
        let count = u32::try_from(MOST).expect("small") * 2 + 1;
        for n in 0..count {
            sender.send(n).expect("send");
        }
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        while seen.len() < MOST * 2 + 1 {
            let (_, batch) = received.recv().await.expect("a batch");
            sizes.push(batch.len());
            seen.extend(batch);
        }
        assert_eq!(sizes, [MOST, MOST, 1]);
        assert_eq!(
            seen,
            (0..count).collect::<Vec<_>>(),
            "all of them, in order"
        );
    }
}
