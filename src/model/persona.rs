//! What Persona does with a webhook delivery, as its documentation states: how long it waits,
//! which answers count as delivered, and when it tries again.

use std::time::Duration;

/// Persona waits this long for an answer before it counts a delivery as failed (Persona's
/// Webhooks overview, "Retry logic").
pub const PERSONA_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a re-delivery waits for an answer unless told otherwise: Persona's own limit.
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
/// The statuses Persona counts as delivered (when they come within 5 s; Persona's Webhooks
/// overview, "Retry logic").
pub const PERSONA_SUCCESS: [u16; 4] = [200, 201, 202, 204];
/// After a failed delivery Persona tries up to 7 more times, this many seconds later each
/// (Persona's Webhooks overview, "Retry logic"): the forward rule's retries follow it, divided by the user's speed-up.
pub const PERSONA_RETRY_SCHEDULE_S: [u64; 7] = [3, 64, 729, 4096, 15625, 46656, 117649];

/// Whether Persona would count this status, after this long, as delivered.
pub fn persona_would_accept(status: u16, duration_ms: f64) -> bool {
    PERSONA_SUCCESS.contains(&status) && duration_ms <= PERSONA_TIMEOUT.as_millis() as f64
}
