//! The forward rule at work: each capture it takes is sent on, and a failed forward waits for
//! its retry, which a rule change or a stop calls off.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::error::Result;
use crate::model::{AttemptHeaders, Headers, Origin, PERSONA_RETRY_SCHEDULE_S, Redelivery, Rule};
use crate::redeliver::{Client, Report};
use crate::store::{Store, Summary};

/// Where a forward's retries start on Persona's schedule: the capture's own count continues.
///
/// Persona documents `Persona-Webhook-Attempts-Left` as "the number of times that Persona will
/// attempt to deliver this webhook", decremented at each attempt, and `-Attempts-Made` as
/// incremented at each attempt (the Headers of each webhook page in Persona's API reference);
/// and 7 retries after the first attempt at most (Persona's Webhooks overview, "Retry logic"). So a capture that says `Left: L` has
/// `min(L, 7)` retries to come, the last ones of the schedule: a capture that said 0 left is
/// not retried, and a retry never carries a count Persona would not send. A capture without
/// `Attempts-Left` restarts the schedule from its first retry and its attempt headers are sent
/// as captured (README, "Forwarding").
pub(super) fn first_step(captured: &Headers) -> u32 {
    let retries = PERSONA_RETRY_SCHEDULE_S.len() as u32;
    match AttemptHeaders::from_headers(captured).left {
        Some(left) => retries - left.min(retries),
        None => 0,
    }
}

/// Persona's attempt headers as they would read on retry `retry`: made + n, left − n, when the
/// capture carried both (see [`first_step`]). The signature does not cover headers.
pub(super) fn as_retry(headers: &mut Headers, retry: u32) {
    let counted = AttemptHeaders::from_headers(headers);
    if counted.made.is_none() || counted.left.is_none() {
        return;
    }
    for (name, value) in headers.iter_mut() {
        let shift: i64 = match name.to_ascii_lowercase().as_str() {
            "persona-webhook-attempts-made" => i64::from(retry),
            "persona-webhook-attempts-left" => -i64::from(retry),
            _ => continue,
        };
        if let Some(n) = std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            *value = (n + shift).max(0).to_string().into_bytes();
        }
    }
}

type Listener = Box<dyn Fn(Report) + Send + Sync>;

/// Runs the forward rule. Cheap to clone; needs a Tokio runtime for [`Relay::offer`].
#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    client: Client,
    rule: Mutex<Rule>,
    /// Bumped by every rule change: waiting retries of an older rule stop.
    generation: watch::Sender<u64>,
    /// The attempts whose retry this relay is waiting to send.
    waiting: Mutex<HashSet<i64>>,
    /// Held while a rule change or a stop bumps the generation and clears the rows, so a
    /// retry that wakes to the change clears its row only after that and the count the
    /// change returns is whole.
    retiring: Arc<Mutex<()>>,
    on_forwarded: Listener,
}

impl Relay {
    /// A relay with `rule` (checked by the caller) that calls `on_forwarded` after each send.
    pub fn new(
        store: Store,
        client: Client,
        rule: Rule,
        on_forwarded: impl Fn(Report) + Send + Sync + 'static,
    ) -> Relay {
        Relay {
            inner: Arc::new(Inner {
                store,
                client,
                rule: Mutex::new(rule),
                generation: watch::Sender::new(0),
                waiting: Mutex::new(HashSet::new()),
                retiring: Arc::new(Mutex::new(())),
                on_forwarded: Box::new(on_forwarded),
            }),
        }
    }

    pub fn rule(&self) -> Rule {
        self.lock().clone()
    }

    /// Uses `rule` from now on. Retries waiting under the old rule stop (their rows say no
    /// retry follows); returns how many did. Blocks on the store.
    pub fn set_rule(&self, rule: Rule) -> Result<u64> {
        let changed = *self.lock() != rule;
        *self.lock() = rule;
        if !changed {
            return Ok(0);
        }
        let _retiring = lock_whole(&self.inner.retiring);
        self.inner.generation.send_modify(|g| *g += 1);
        self.inner.store.drop_retries(None)
    }

    /// Forwards `summary` in the background when the rule takes it.
    pub fn offer(&self, summary: &Summary) {
        if !self.lock().takes(summary) {
            return;
        }
        let relay = self.clone();
        let generation = *self.inner.generation.borrow();
        let id = summary.id;
        tokio::spawn(async move { relay.forward(id, 0, generation).await });
    }

    /// Schedules the retries that were waiting when the app or `serve` last stopped, when the
    /// rule still retries; otherwise their rows are told no retry follows. Blocks on the store.
    pub fn resume(&self) -> Result<usize> {
        let pending = self.inner.store.pending_retries()?;
        let rule = self.rule();
        if !(rule.enabled && rule.retry_speedup.is_some()) {
            self.inner.store.drop_retries(None)?;
            return Ok(0);
        }
        let generation = *self.inner.generation.borrow();
        for retry in &pending {
            let relay = self.clone();
            let retry = *retry;
            tokio::spawn(async move {
                let wait = retry.due_at_ms - crate::clock::now_ms();
                if !relay
                    .wait_for_retry(
                        retry.redelivery_id,
                        Duration::from_millis(wait.max(0) as u64),
                        generation,
                    )
                    .await
                {
                    relay.give_up(retry.redelivery_id).await;
                    return;
                }
                relay
                    .forward(retry.delivery_id, retry.retry, generation)
                    .await;
            });
        }
        Ok(pending.len())
    }

    /// Sends delivery `id` as retry number `retry`, then its later retries while they fail.
    async fn forward(&self, id: i64, mut retry: u32, generation: u64) {
        loop {
            if *self.inner.generation.borrow() != generation {
                return;
            }
            let rule = self.rule();
            let result = self.attempt(&rule, id, retry).await;
            let next = match &result {
                Ok(record) => record.attempt.next_retry_at_ms,
                Err(_) => None,
            };
            let redelivery_id = result.as_ref().map(|r| r.id).ok();
            if let (Some(_), Some(redelivery_id)) = (next, redelivery_id) {
                // Counted as waiting before anyone hears of it, so a stop right after the
                // report calls it off and counts it.
                self.waiting().insert(redelivery_id);
            }
            (self.inner.on_forwarded)(Report {
                delivery_id: id,
                result,
            });
            let (Some(due), Some(redelivery_id)) = (next, redelivery_id) else {
                return;
            };
            let wait = Duration::from_millis((due - crate::clock::now_ms()).max(0) as u64);
            if !self.wait_for_retry(redelivery_id, wait, generation).await {
                self.give_up(redelivery_id).await;
                return;
            }
            retry += 1;
        }
    }

    async fn attempt(
        &self,
        rule: &Rule,
        id: i64,
        retry: u32,
    ) -> std::result::Result<Redelivery, String> {
        let (store, client) = (&self.inner.store, &self.inner.client);
        let mut outgoing = client
            .prepare(store, id, &rule.options())
            .map_err(|e| e.to_string())?;
        let step = first_step(&outgoing.headers) + retry;
        if retry > 0 {
            as_retry(&mut outgoing.headers, retry);
        }
        let mut attempt = client.send(outgoing).await;
        attempt.origin = Origin::Forward;
        attempt.retry = retry;
        if !attempt.persona_success()
            && let Some(delay) = rule.retry_delay(step)
        {
            attempt.next_retry_at_ms = Some(crate::clock::now_ms() + delay.as_millis() as i64);
        }
        store
            .record_redelivery(id, attempt)
            .await
            .map_err(|e| e.to_string())
    }

    /// Sleeps `wait` before the retry of attempt `redelivery_id`; false when the rule changed
    /// (or the relay stopped) meanwhile.
    async fn wait_for_retry(&self, redelivery_id: i64, wait: Duration, generation: u64) -> bool {
        self.waiting().insert(redelivery_id);
        let mut changes = self.inner.generation.subscribe();
        let go_on = tokio::select! {
            _ = tokio::time::sleep(wait) => *self.inner.generation.borrow() == generation,
            _ = changes.wait_for(|g| *g != generation) => false,
        };
        self.waiting().remove(&redelivery_id);
        go_on
    }

    /// Stops for good: no retry waiting now is sent, and their rows say none follows, so a
    /// later relay (the app's) does not resume what this one (`serve`'s) scheduled. Returns how
    /// many were called off. Blocks on the store.
    pub fn stop(&self) -> Result<u64> {
        let _retiring = lock_whole(&self.inner.retiring);
        // Taken before the bump: a retry woken by it leaves the set at once, and would go
        // uncounted.
        let waiting: Vec<i64> = self.waiting().drain().collect();
        self.inner.generation.send_modify(|g| *g += 1);
        let mut dropped = 0;
        for redelivery_id in waiting {
            dropped += self.inner.store.drop_retries(Some(redelivery_id))?;
        }
        Ok(dropped)
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        lock_whole(&self.inner.waiting)
    }

    /// The rule changed while this retry waited: its row says none follows.
    async fn give_up(&self, redelivery_id: i64) {
        let (store, retiring) = (self.inner.store.clone(), self.inner.retiring.clone());
        let _ = tokio::task::spawn_blocking(move || {
            let _after_the_change = lock_whole(&retiring);
            store.drop_retries(Some(redelivery_id))
        })
        .await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rule> {
        lock_whole(&self.inner.rule)
    }
}

/// Every value these mutexes guard (a rule, a set of ids, nothing) is replaced or changed in
/// one step, so it stays whole whatever panicked while it was held: keep using it.
fn lock_whole<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
