//! The forward rule: every new capture is sent on to the user's app as it arrives (like
//! `stripe listen --forward-to`), and a failed forward is optionally tried again on Persona's
//! own schedule, divided by a speed-up the user picks, so they can watch their handler cope
//! with retries and duplicates without waiting 32 hours.
//!
//! Retries live in the store: each failed forward records when the next try is due, the list
//! shows it, and [`Relay::resume`] picks waiting ones up after a restart. Changing the rule
//! stops every waiting retry (its row then says no retry follows).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::delivery::{Attempts, Headers, Outcome};
use crate::error::{Error, Result};
use crate::forward::{
    DEFAULT_TIMEOUT_MS, Forwarded, Forwarder, Options, Origin, PERSONA_RETRY_SCHEDULE_S, Signing,
    target_url,
};
use crate::store::{Store, Summary};

/// The largest speed-up: Persona's last retry (about 32.7 hours) then comes after 0.1 s.
pub const MAX_SPEEDUP: u32 = 1_000_000;

/// Where and what to forward.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub enabled: bool,
    /// Your app's webhook URL, as for a re-delivery.
    pub target: String,
    /// Append each capture's own path and query to the target's.
    #[serde(default)]
    pub keep_path: bool,
    #[serde(default)]
    pub signing: Signing,
    /// Re-sign captures Persona did not sign too (invalid, missing, malformed or unchecked
    /// signatures): off by default, so an outsider who knows the listener's URL cannot get
    /// their requests signed with the user's secret. Off, they are forwarded as they came.
    #[serde(default)]
    pub resign_unverified: bool,
    /// Only captures with one of these event names; empty: every capture.
    #[serde(default)]
    pub events: Vec<String>,
    /// Retry a failed forward on Persona's schedule divided by this (1: Persona's real
    /// schedule, 3600: an hour becomes a second); None: no retries.
    #[serde(default)]
    pub retry_speedup: Option<u32>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

impl Default for Rule {
    fn default() -> Rule {
        Rule {
            enabled: false,
            target: String::new(),
            keep_path: false,
            signing: Signing::Keep,
            resign_unverified: false,
            events: Vec::new(),
            retry_speedup: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl Rule {
    /// The re-delivery options each forward uses.
    pub fn options(&self) -> Options {
        Options {
            keep_path: self.keep_path,
            signing: self.signing.clone(),
            resign_unverified: self.resign_unverified,
            timeout_ms: self.timeout_ms,
            ..Options::new(self.target.clone())
        }
    }

    /// Whether a capture is forwarded: the rule is on, the event name is one it takes, and
    /// there is a body to send (an over-limit capture kept only its headers).
    pub fn takes(&self, summary: &Summary) -> bool {
        self.takes_event(summary.outcome, summary.event_name.as_deref())
    }

    fn takes_event(&self, outcome: Outcome, event_name: Option<&str>) -> bool {
        self.enabled
            && outcome == Outcome::Captured
            && (self.events.is_empty()
                || event_name.is_some_and(|name| self.events.iter().any(|e| e == name)))
    }

    /// How long the retry at `step` of Persona's schedule waits after the attempt before it
    /// (step 0: the first retry, 3 s); None when Persona makes no retry at that step.
    pub fn retry_delay(&self, step: u32) -> Option<Duration> {
        let speedup = self.retry_speedup?;
        let seconds = PERSONA_RETRY_SCHEDULE_S.get(step as usize)?;
        Some(Duration::from_millis(
            seconds * 1000 / u64::from(speedup.max(1)),
        ))
    }

    /// Refuses a rule that could not forward anything: only an enabled rule needs a usable
    /// target and secret (a disabled one may keep a half-typed target). `listening` is the
    /// inspector's own listener, which must not be the target.
    pub fn check(
        &self,
        forwarder: &Forwarder,
        store: &Store,
        listening: Option<std::net::SocketAddr>,
    ) -> Result<()> {
        if let Some(speedup) = self.retry_speedup
            && !(1..=MAX_SPEEDUP).contains(&speedup)
        {
            return Err(Error::Invalid(format!(
                "a retry speed-up of {speedup}× cannot be used; pick 1 (Persona's real \
                 schedule) to {MAX_SPEEDUP}"
            )));
        }
        if !self.enabled {
            return Ok(());
        }
        forwarder.check(store, &self.options())?;
        if let Some(listening) = listening
            && points_at(&self.target, listening)
        {
            return Err(Error::Invalid(format!(
                "{} is this inspector's own listener: every forward would be captured and \
                 forwarded again — give your app's URL",
                self.target.trim()
            )));
        }
        Ok(())
    }
}

/// Whether `target` is the listener at `listening`: the same port on this machine.
pub fn points_at(target: &str, listening: std::net::SocketAddr) -> bool {
    let Some(url) = target_url(target, "/", None, false)
        .ok()
        .and_then(|u| u.parse::<axum::http::Uri>().ok())
    else {
        return false;
    };
    let https = url.scheme_str() == Some("https");
    let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
    let host = url.host().unwrap_or_default().trim_matches(['[', ']']);
    let here = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip == listening.ip());
    port == listening.port() && here
}

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
fn first_step(captured: &Headers) -> u32 {
    let retries = PERSONA_RETRY_SCHEDULE_S.len() as u32;
    match Attempts::from_headers(captured).left {
        Some(left) => retries - left.min(retries),
        None => 0,
    }
}

/// Persona's attempt headers as they would read on retry `retry`: made + n, left − n, when the
/// capture carried both (see [`first_step`]). The signature does not cover headers.
fn as_retry(headers: &mut Headers, retry: u32) {
    let counted = Attempts::from_headers(headers);
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

type Listener = Box<dyn Fn(Forwarded) + Send + Sync>;

/// Runs the forward rule. Cheap to clone; needs a Tokio runtime for [`Relay::offer`].
#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    forwarder: Forwarder,
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
        forwarder: Forwarder,
        rule: Rule,
        on_forwarded: impl Fn(Forwarded) + Send + Sync + 'static,
    ) -> Relay {
        Relay {
            inner: Arc::new(Inner {
                store,
                forwarder,
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
            (self.inner.on_forwarded)(Forwarded {
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
    ) -> std::result::Result<crate::forward::Redelivery, String> {
        let (store, forwarder) = (&self.inner.store, &self.inner.forwarder);
        let mut outgoing = forwarder
            .prepare(store, id, &rule.options())
            .map_err(|e| e.to_string())?;
        let step = first_step(&outgoing.headers) + retry;
        if retry > 0 {
            as_retry(&mut outgoing.headers, retry);
        }
        let mut attempt = forwarder.send(outgoing).await;
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
        self.inner.generation.send_modify(|g| *g += 1);
        let waiting: Vec<i64> = self.waiting().drain().collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_personas_schedule_divided_by_the_speedup() {
        let rule = Rule {
            retry_speedup: Some(1000),
            ..Rule::default()
        };
        let delays: Vec<u128> = (0..8)
            .map_while(|n| rule.retry_delay(n))
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(delays, [3, 64, 729, 4096, 15625, 46656, 117649]);
        let real = Rule {
            retry_speedup: Some(1),
            ..Rule::default()
        };
        assert_eq!(real.retry_delay(6), Some(Duration::from_secs(117_649)));
        assert_eq!(real.retry_delay(7), None, "Persona stops after 7 retries");
        assert_eq!(Rule::default().retry_delay(0), None, "retries are off");
    }

    #[test]
    fn retries_carry_the_attempt_numbers_persona_would_send() {
        let mut headers: Headers = vec![
            ("Persona-Webhook-Attempts-Made".into(), b"1".to_vec()),
            ("persona-webhook-attempts-left".into(), b"7".to_vec()),
            (
                "persona-webhook-first-attempted-at".into(),
                b"1720713905".to_vec(),
            ),
            ("persona-signature".into(), b"t=1,v1=aa".to_vec()),
        ];
        as_retry(&mut headers, 3);
        let values: Vec<&[u8]> = headers.iter().map(|(_, v)| v.as_slice()).collect();
        assert_eq!(values, [&b"4"[..], b"4", b"1720713905", b"t=1,v1=aa"]);
        let mut odd: Headers = vec![("persona-webhook-attempts-left".into(), b"x".to_vec())];
        as_retry(&mut odd, 2);
        assert_eq!(odd[0].1, b"x", "a value that is not a number is left alone");
    }

    fn counted(made: &str, left: &str) -> Headers {
        vec![
            (
                "persona-webhook-attempts-made".into(),
                made.as_bytes().to_vec(),
            ),
            (
                "persona-webhook-attempts-left".into(),
                left.as_bytes().to_vec(),
            ),
        ]
    }

    #[test]
    fn retries_continue_the_captures_own_count_and_stop_where_persona_would() {
        let rule = Rule {
            retry_speedup: Some(1),
            ..Rule::default()
        };
        // Persona's first attempt: all 7 retries follow, the first after 3 s.
        assert_eq!(first_step(&counted("1", "7")), 0);
        // Two retries were made: the next waits 729 s, and 5 are left.
        let third = first_step(&counted("3", "5"));
        assert_eq!(rule.retry_delay(third), Some(Duration::from_secs(729)));
        assert_eq!((third..7).count(), 5);
        // The last attempt: no retry, so never "Made 9, Left 0".
        let last = counted("8", "0");
        assert_eq!(rule.retry_delay(first_step(&last)), None);
        let mut sent = counted("3", "5");
        as_retry(&mut sent, 5);
        assert_eq!(sent, counted("8", "0"), "the last retry says 0 left");
        // More left than Persona ever makes: the whole schedule, no more.
        assert_eq!(first_step(&counted("0", "12")), 0);
    }

    #[test]
    fn a_capture_without_a_count_restarts_the_schedule_and_keeps_its_headers() {
        assert_eq!(first_step(&Headers::new()), 0);
        let mut made_only: Headers = vec![("persona-webhook-attempts-made".into(), b"3".to_vec())];
        assert_eq!(first_step(&made_only), 0);
        as_retry(&mut made_only, 2);
        assert_eq!(
            made_only[0].1, b"3",
            "no count is invented without Attempts-Left"
        );
    }

    impl Rule {
        fn takes_event_of(&self, (outcome, name): (Outcome, Option<&str>)) -> bool {
            self.takes_event(outcome, name)
        }
    }

    #[test]
    fn the_rule_takes_captures_by_event_name() {
        let summary = |name: Option<&'static str>, outcome| (outcome, name);
        let all = Rule {
            enabled: true,
            target: "http://127.0.0.1:3000".into(),
            ..Rule::default()
        };
        assert!(all.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
        assert!(all.takes_event_of(summary(None, Outcome::Captured)));
        assert!(
            !all.takes_event_of(summary(None, Outcome::TooLarge)),
            "no body kept"
        );
        let some = Rule {
            events: vec!["inquiry.completed".into()],
            ..all.clone()
        };
        assert!(some.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
        assert!(!some.takes_event_of(summary(Some("inquiry.created"), Outcome::Captured)));
        assert!(!some.takes_event_of(summary(None, Outcome::Captured)));
        let off = Rule {
            enabled: false,
            ..all
        };
        assert!(!off.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
    }

    #[test]
    fn a_target_on_the_listeners_own_port_is_recognised() {
        let here: std::net::SocketAddr = "127.0.0.1:4747".parse().unwrap();
        assert!(points_at("http://127.0.0.1:4747/x", here));
        assert!(points_at("http://localhost:4747", here));
        assert!(points_at("http://[::1]:4747", here));
        assert!(!points_at("http://127.0.0.1:3000", here));
        assert!(!points_at("https://example.com:4747", here));
        assert!(!points_at("not a url", here));
    }
}
