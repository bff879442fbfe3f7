//! An event's retry chain: the stored copies of one event id in the order they arrived, each
//! with Persona's attempt headers and the time since the copy before, beside what Persona's
//! retry schedule puts between them (Persona's Webhooks overview, "Retry logic").

use std::collections::BTreeSet;

use serde::Serialize;

use crate::clock;
use crate::error::Result;
use crate::model::PERSONA_RETRY_SCHEDULE_S;
use crate::store::{CopyRow, Store};

/// The most copies a chain lists. Persona makes at most 1 + 7 attempts; more copies than this
/// came from something else, and are counted, not read.
pub const MAX_COPIES: u32 = 32;

/// Attempt numbers Persona can send: the first attempt and one per retry of its schedule. The
/// first attempt carries `Persona-Webhook-Attempts-Made: 1`, as the inspector's samples send.
const LAST_ATTEMPT: u32 = 1 + PERSONA_RETRY_SCHEDULE_S.len() as u32;

/// One stored copy of an event.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChainCopy {
    pub delivery_id: i64,
    /// `Persona-Webhook-Attempts-Made` as sent; None when absent.
    pub attempt: Option<u32>,
    /// `Persona-Webhook-Attempts-Left` as sent.
    pub attempts_left: Option<u32>,
    /// `Persona-Webhook-First-Attempted-At` as sent: unix seconds.
    pub first_attempted_at: Option<i64>,
    /// RFC 3339, UTC, milliseconds.
    pub received_at: String,
    pub received_at_ms: i64,
    /// Since the copy before it arrived; None for the first.
    pub seconds_since_previous: Option<f64>,
    /// What Persona's schedule puts between the copy before and this one: the wait before this
    /// attempt, plus those before any attempts missing in between. None for the first copy,
    /// and when the attempt numbers do not tell.
    pub expected_seconds: Option<u64>,
    /// Byte for byte the body of the first copy. Persona's copies of one event are identical.
    pub same_body: bool,
}

/// The copies of one event id, and what is odd about them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RetryChain {
    /// Empty when the event was delivered once.
    pub copies: Vec<ChainCopy>,
    /// Attempt numbers between the first and last copies' that no stored copy carries.
    pub missing_attempts: Vec<u32>,
    /// Sentences on the missing attempts, changed bodies, and copies left out.
    pub notes: Vec<String>,
}

impl Store {
    /// The retry chain of event `event_id`: empty when it was delivered once.
    pub fn retry_chain(&self, event_id: &str) -> Result<RetryChain> {
        let (rows, total) = self.event_copies(event_id, MAX_COPIES)?;
        Ok(chain(rows, total))
    }
}

/// The chain of `rows` (the copies in arrival order, at most [`MAX_COPIES`] of `total`).
pub fn chain(rows: Vec<CopyRow>, total: u64) -> RetryChain {
    if rows.len() < 2 {
        return RetryChain::default();
    }
    let mut copies: Vec<ChainCopy> = Vec::with_capacity(rows.len());
    for row in &rows {
        let previous = copies.last();
        copies.push(ChainCopy {
            delivery_id: row.id,
            attempt: row.attempts.made,
            attempts_left: row.attempts.left,
            first_attempted_at: row.attempts.first_attempted_at,
            received_at: clock::rfc3339(row.received_at_ms),
            received_at_ms: row.received_at_ms,
            seconds_since_previous: previous
                .map(|p| (row.received_at_ms - p.received_at_ms) as f64 / 1000.0),
            expected_seconds: previous.and_then(|p| expected_wait(p.attempt, row.attempts.made?)),
            same_body: row.same_body,
        });
    }
    let missing_attempts = missing(&copies);
    let mut notes = Vec::new();
    if !missing_attempts.is_empty() {
        notes.push(format!(
            "no copy of attempt {} is stored: Persona made it, but it did not reach this \
             listener or was refused before it was stored (a 503 while the store was busy)",
            list(&missing_attempts)
        ));
    }
    let changed: Vec<i64> = copies
        .iter()
        .filter(|c| !c.same_body)
        .map(|c| c.delivery_id)
        .collect();
    if !changed.is_empty() {
        let ids: Vec<String> = changed.iter().map(|id| format!("#{id}")).collect();
        notes.push(format!(
            "the body of {} differs from the first copy's (#{}): Persona sends every attempt \
             of an event with the same body, so it was changed on the way or sent by \
             something else",
            list(&ids),
            copies[0].delivery_id
        ));
    }
    for row in &rows {
        if let Some(why) = &row.unreadable {
            notes.push(format!(
                "#{} was not compared with the first copy: {why}",
                row.id
            ));
        }
    }
    if total > copies.len() as u64 {
        notes.push(format!(
            "{total} deliveries carry this event id, more than Persona's {LAST_ATTEMPT} \
             attempts; the first {} are listed",
            copies.len()
        ));
    }
    RetryChain {
        copies,
        missing_attempts,
        notes,
    }
}

/// The seconds Persona's schedule puts between attempt `previous` and attempt `attempt`: the
/// wait before each attempt after `previous` up to `attempt`; only the wait before `attempt`
/// when `previous` is unknown. None when the schedule has no such wait (a first attempt, a
/// repeated or backward number, one past the schedule).
pub fn expected_wait(previous: Option<u32>, attempt: u32) -> Option<u64> {
    if !(2..=LAST_ATTEMPT).contains(&attempt) {
        return None;
    }
    let from = match previous {
        Some(p) if p >= attempt => return None,
        Some(p) => p + 1,
        None => attempt,
    };
    (from.max(2)..=attempt)
        .map(|n| PERSONA_RETRY_SCHEDULE_S.get(n as usize - 2).copied())
        .sum()
}

/// The attempt numbers below the highest the copies carry that none of them does: attempts
/// Persona made (before the first stored copy too) that never arrived here.
fn missing(copies: &[ChainCopy]) -> Vec<u32> {
    let seen: BTreeSet<u32> = copies
        .iter()
        .filter_map(|c| c.attempt)
        .filter(|n| (1..=LAST_ATTEMPT).contains(n))
        .collect();
    let Some(&high) = seen.last() else {
        return Vec::new();
    };
    (1..high).filter(|n| !seen.contains(n)).collect()
}

/// "2", "2 and 3", "2, 3 and 5".
fn list(items: &[impl ToString]) -> String {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttemptHeaders;

    fn row(id: i64, at_s: f64, made: Option<u32>, same_body: bool) -> CopyRow {
        CopyRow {
            id,
            received_at_ms: (at_s * 1000.0) as i64,
            attempts: AttemptHeaders {
                made,
                left: made.map(|m| LAST_ATTEMPT.saturating_sub(m)),
                first_attempted_at: Some(1_800_000_000),
            },
            same_body,
            unreadable: None,
        }
    }

    #[test]
    fn one_copy_is_no_chain() {
        assert_eq!(
            chain(vec![row(1, 0.0, Some(1), true)], 1),
            RetryChain::default()
        );
        assert_eq!(chain(Vec::new(), 0), RetryChain::default());
    }

    #[test]
    fn waits_follow_the_schedule_and_span_missing_attempts() {
        let [first, second, third] = [
            PERSONA_RETRY_SCHEDULE_S[0],
            PERSONA_RETRY_SCHEDULE_S[1],
            PERSONA_RETRY_SCHEDULE_S[2],
        ];
        assert_eq!(expected_wait(Some(1), 2), Some(first));
        assert_eq!(expected_wait(Some(2), 3), Some(second));
        assert_eq!(expected_wait(Some(2), 4), Some(second + third));
        assert_eq!(expected_wait(None, 3), Some(second));
        assert_eq!(expected_wait(None, 1), None);
        assert_eq!(expected_wait(Some(3), 3), None);
        assert_eq!(expected_wait(Some(4), 2), None);
        assert_eq!(expected_wait(Some(1), LAST_ATTEMPT + 1), None);
        assert_eq!(expected_wait(Some(0), 1), None);
    }

    #[test]
    fn a_chain_times_each_copy_and_names_what_is_missing_or_changed() {
        let rows = vec![
            row(10, 100.0, Some(1), true),
            row(11, 103.5, Some(2), true),
            // Attempt 3 never arrived; 4 did, with another body.
            row(14, 900.0, Some(4), false),
            row(15, 901.0, None, true),
        ];
        let chain = chain(rows, 4);
        let ids: Vec<i64> = chain.copies.iter().map(|c| c.delivery_id).collect();
        assert_eq!(ids, [10, 11, 14, 15]);
        let since: Vec<Option<f64>> = chain
            .copies
            .iter()
            .map(|c| c.seconds_since_previous)
            .collect();
        assert_eq!(since, [None, Some(3.5), Some(796.5), Some(1.0)]);
        let expected: Vec<Option<u64>> = chain.copies.iter().map(|c| c.expected_seconds).collect();
        assert_eq!(
            expected,
            [
                None,
                Some(PERSONA_RETRY_SCHEDULE_S[0]),
                Some(PERSONA_RETRY_SCHEDULE_S[1] + PERSONA_RETRY_SCHEDULE_S[2]),
                None
            ]
        );
        assert_eq!(chain.missing_attempts, [3]);
        assert_eq!(chain.notes.len(), 2, "{:?}", chain.notes);
        assert!(chain.notes[0].contains("attempt 3"), "{}", chain.notes[0]);
        assert!(chain.notes[1].contains("#14"), "{}", chain.notes[1]);
        assert!(chain.notes[1].contains("(#10)"), "{}", chain.notes[1]);
    }

    #[test]
    fn attempts_before_the_first_stored_copy_are_missing_too() {
        let chain = chain(
            vec![row(1, 0.0, Some(3), true), row(2, 729.0, Some(4), true)],
            2,
        );
        assert_eq!(chain.missing_attempts, [1, 2]);
    }

    #[test]
    fn forged_attempt_numbers_cannot_make_a_long_list() {
        let chain = chain(
            vec![
                row(1, 0.0, Some(1), true),
                row(2, 1.0, Some(4_000_000_000), true),
            ],
            40,
        );
        assert!(chain.missing_attempts.is_empty());
        assert_eq!(chain.copies[1].expected_seconds, None);
        assert!(chain.notes.iter().any(|n| n.contains("40 deliveries")));
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(list(&[2]), "2");
        assert_eq!(list(&[2, 3]), "2 and 3");
        assert_eq!(list(&[2, 3, 5]), "2, 3 and 5");
    }
}
