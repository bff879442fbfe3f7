//! What the app remembers between launches, with each setting's default and range.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::{PERSONA_WEBHOOK_IPS, ip_list, parse_ip_list};

/// The port the listener takes unless told otherwise.
pub const DEFAULT_PORT: u16 = 4747;
/// How old a signature's timestamp may be before it is flagged stale (a flag of this tool's,
/// kept apart from the verdict: Persona documents no tolerance).
pub const DEFAULT_TOLERANCE_S: u64 = 300;
/// Persona itself keeps events for 30 days; captures older than that can't be compared with
/// the dashboard any more.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// The longest retention a user can pick short of "forever": a hundred years.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// Every setting with its value; a setting never saved has its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub port: u16,
    pub tolerance_seconds: u64,
    pub reply_status: u16,
    pub reply_delay_ms: u64,
    pub notifications: bool,
    /// Notifications say how many deliveries arrived and nothing else: no event name or
    /// resource id shows on a locked screen.
    pub notification_counts_only: bool,
    /// Deliveries older than this many days are purged (at launch and every hour); None
    /// keeps them forever.
    pub retention_days: Option<u32>,
    /// Persona's published webhook source addresses, as the user keeps them: each delivery's
    /// apparent source is looked up in it (information, never a verdict).
    pub persona_source_ips: Vec<String>,
}

impl Default for Saved {
    fn default() -> Self {
        Saved {
            port: DEFAULT_PORT,
            tolerance_seconds: DEFAULT_TOLERANCE_S,
            reply_status: 200,
            reply_delay_ms: 0,
            notifications: true,
            notification_counts_only: false,
            retention_days: Some(DEFAULT_RETENTION_DAYS),
            persona_source_ips: PERSONA_WEBHOOK_IPS
                .iter()
                .map(|ip| ip.to_string())
                .collect(),
        }
    }
}

/// The longest reply delay: Persona gives up after 5 s, and a minute covers any test of that.
pub const MAX_REPLY_DELAY_MS: u64 = 60_000;

impl Saved {
    /// Refuses values the listener could not use, saying which and why.
    pub fn validate(&self) -> Result<(), String> {
        if !(100..=599).contains(&self.reply_status) {
            return Err(format!(
                "the reply status {} is not an HTTP status; pick one from 100 to 599",
                self.reply_status
            ));
        }
        if self.reply_delay_ms > MAX_REPLY_DELAY_MS {
            return Err(format!(
                "a reply delay of {} ms is too long; pick at most {MAX_REPLY_DELAY_MS} ms \
                 (Persona gives up after 5 000 ms)",
                self.reply_delay_ms
            ));
        }
        if let Some(days) = self.retention_days
            && !(1..=MAX_RETENTION_DAYS).contains(&days)
        {
            return Err(format!(
                "keeping deliveries {days} days is not possible; pick 1 to {} days, or keep them \
                 forever",
                MAX_RETENTION_DAYS
            ));
        }
        parse_ip_list(&self.persona_source_ips)?;
        if self.tolerance_seconds == 0 {
            return Err(
                "a stale tolerance of 0 s would call every signature stale; pick at least 1 s"
                    .into(),
            );
        }
        Ok(())
    }

    /// The saved list of Persona's source addresses, as addresses.
    pub fn persona_ips(&self) -> Vec<IpAddr> {
        ip_list(&self.persona_source_ips)
    }
}
