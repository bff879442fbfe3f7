//! The forward rule as saved: where every new capture goes, which ones, and whether failed
//! forwards are retried on Persona's schedule. `relay` runs it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{DEFAULT_TIMEOUT_MS, Outcome, PERSONA_RETRY_SCHEDULE_S, Signing};

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
    /// signatures), and valid ones that were stale when they arrived: off by default, so an
    /// outsider who knows the listener's URL cannot get their requests — or an old Persona
    /// request they kept — signed afresh with the user's secret. Off, they are forwarded as
    /// they came.
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
    /// Whether the rule takes a capture with this outcome and event name: it is on, the name
    /// is one it takes, and there is a body to send (an over-limit capture kept only headers).
    pub fn takes_event(&self, outcome: Outcome, event_name: Option<&str>) -> bool {
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
}
