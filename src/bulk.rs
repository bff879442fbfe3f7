//! Bulk re-delivery: a selection, or everything a filter matches, sent one after another in the
//! order the user picked, with progress, cancel and a summary of what came back.
//!
//! One at a time on purpose: the order is the point (a handler that assumes created-at order
//! meets Persona's out-of-order deliveries here), and the app under test is usually a
//! single-process dev server.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Order, Origin, Redelivery, Scope};
use crate::redeliver::{Client, Options, Report, unverified};
use crate::store::Store;

/// Where a bulk run is, and at the end its summary.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// How many will be sent.
    pub total: u64,
    /// How many were sent or skipped so far.
    pub done: u64,
    /// Answered with what Persona counts as delivered (200, 201, 202, 204 within 5 s).
    pub delivered: u64,
    /// Answered otherwise (a 4xx/5xx, a redirect, too slow): Persona would retry.
    pub rejected: u64,
    /// Nothing answered: not listening, timeout, TLS, DNS.
    pub unreachable: u64,
    /// Not sent: purged meanwhile, or over the size limit so no body was kept.
    pub skipped: u64,
    /// Ids of the selection that no longer existed when the run started.
    pub missing: u64,
    pub cancelled: bool,
    pub finished: bool,
}

impl Progress {
    /// "12 sent: 10 delivered, 1 rejected, 1 unreachable", with what was skipped or stopped.
    pub fn describe(&self) -> String {
        let sent = self.delivered + self.rejected + self.unreachable;
        let mut parts = vec![format!("{} delivered", self.delivered)];
        if self.rejected > 0 {
            parts.push(format!("{} rejected", self.rejected));
        }
        if self.unreachable > 0 {
            parts.push(format!("{} unreachable", self.unreachable));
        }
        let mut line = format!("{sent} sent: {}", parts.join(", "));
        if self.skipped > 0 {
            line.push_str(&format!("; {} not sent", self.skipped));
        }
        if self.missing > 0 {
            line.push_str(&format!("; {} no longer stored", self.missing));
        }
        if self.cancelled {
            line.push_str(&format!(
                "; cancelled with {} left",
                self.total.saturating_sub(self.done)
            ));
        }
        line
    }
}

/// Stops a bulk run before its next send (the request in flight finishes: it may already
/// have reached the handler, and its answer is recorded).
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How many deliveries of a bulk scope would keep their original signature unless the user
/// opts in to re-signing them: the dialog says so before the run starts.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnverifiedCount {
    /// How many deliveries the scope covers.
    pub total: u64,
    /// How many of them Persona did not sign (or were imported, or arrived stale).
    pub unverified: u64,
    /// Of those, how many of each kind ("invalid", "missing", "stale", "imported"…), most
    /// first.
    pub kinds: Vec<KindCount>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: String,
    pub count: u64,
}

/// Counts what in `scope` re-signing would refuse without the opt-in (see
/// [`crate::redeliver::unverified`], the rule `prepare` applies). Blocks.
pub fn count_unverified(store: &Store, scope: &Scope) -> Result<UnverifiedCount> {
    let ids = store.bulk_ids(scope, Order::Received)?;
    let mut counts = UnverifiedCount {
        total: ids.len() as u64,
        ..UnverifiedCount::default()
    };
    for group in store.signing_counts(&ids)? {
        let n = group.count;
        let Some(refused) = unverified(group.source, group.signature, group.stale) else {
            continue;
        };
        counts.unverified += n;
        match counts.kinds.iter_mut().find(|k| k.kind == refused.kind()) {
            Some(kind) => kind.count += n,
            None => counts.kinds.push(KindCount {
                kind: refused.kind().to_string(),
                count: n,
            }),
        }
    }
    counts
        .kinds
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)));
    Ok(counts)
}

/// The ids `scope` covers, in `order`, and how many of a selection are gone. Refuses options
/// that could not be used for any delivery, and edits (they belong to one delivery).
pub fn plan(
    client: &Client,
    store: &Store,
    scope: &Scope,
    order: Order,
    options: &Options,
) -> Result<(Vec<i64>, u64)> {
    if options.edits != Default::default() {
        return Err(Error::Invalid(
            "edits belong to one delivery; a bulk re-delivery sends each as it was stored".into(),
        ));
    }
    client.check(store, options)?;
    let ids = store.bulk_ids(scope, order)?;
    let missing = match scope {
        Scope::Ids { ids: asked } => {
            let mut asked = asked.clone();
            asked.sort_unstable();
            asked.dedup();
            (asked.len() - ids.len().min(asked.len())) as u64
        }
        Scope::Filter { .. } => 0,
    };
    if ids.is_empty() {
        return Err(Error::Invalid(match scope {
            Scope::Ids { .. } => "none of the selected deliveries is stored any more".into(),
            Scope::Filter { .. } => "no delivery matches the filter: nothing to send".into(),
        }));
    }
    Ok((ids, missing))
}

/// Sends `ids` in turn with `options`, recording each attempt as a bulk one, and calls `step`
/// after each with the progress so far and what happened. Stops early when `cancel` is set.
pub async fn run(
    client: &Client,
    store: &Store,
    ids: &[i64],
    missing: u64,
    options: &Options,
    cancel: &Cancel,
    mut step: impl FnMut(&Progress, &Report),
) -> Progress {
    let mut progress = Progress {
        total: ids.len() as u64,
        missing,
        ..Progress::default()
    };
    for &id in ids {
        if cancel.is_cancelled() {
            progress.cancelled = true;
            break;
        }
        let result = send_one(client, store, id, options).await;
        match &result {
            Ok(record) if record.attempt.persona_success() => progress.delivered += 1,
            Ok(record) if record.attempt.answer.is_some() => progress.rejected += 1,
            Ok(_) => progress.unreachable += 1,
            Err(_) => progress.skipped += 1,
        }
        progress.done += 1;
        step(
            &progress,
            &Report {
                delivery_id: id,
                result,
            },
        );
    }
    progress.finished = true;
    progress
}

async fn send_one(
    client: &Client,
    store: &Store,
    id: i64,
    options: &Options,
) -> std::result::Result<Redelivery, String> {
    let outgoing = client
        .prepare(store, id, options)
        .map_err(|e| e.to_string())?;
    let mut attempt = client.send(outgoing).await;
    attempt.origin = Origin::Bulk;
    store
        .record_redelivery(id, attempt)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_only_what_happened() {
        let p = Progress {
            total: 5,
            done: 5,
            delivered: 5,
            finished: true,
            ..Progress::default()
        };
        assert_eq!(p.describe(), "5 sent: 5 delivered");
        let p = Progress {
            total: 10,
            done: 6,
            delivered: 3,
            rejected: 1,
            unreachable: 1,
            skipped: 1,
            missing: 2,
            cancelled: true,
            finished: true,
        };
        assert_eq!(
            p.describe(),
            "5 sent: 3 delivered, 1 rejected, 1 unreachable; 1 not sent; 2 no longer stored; \
             cancelled with 4 left"
        );
    }
}
