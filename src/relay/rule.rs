//! What the forward rule does with a capture: the re-delivery options it uses, whether it takes
//! the capture, and whether it could forward at all. The rule itself is `model::Rule`.

use crate::error::{Error, Result};
use crate::model::{MAX_SPEEDUP, Rule};
use crate::redeliver::{Client, Options, Target};
use crate::store::{Store, Summary};

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

    /// Refuses a rule that could not forward anything: only an enabled rule needs a usable
    /// target and secret (a disabled one may keep a half-typed target). `listening` is the
    /// inspector's own listener, which must not be the target.
    pub fn check(
        &self,
        client: &Client,
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
        client.check(store, &self.options())?;
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
    let Ok(target) = Target::parse(target, false) else {
        return false;
    };
    let url = target.url();
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    let here = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip == listening.ip());
    url.port_or_known_default() == Some(listening.port()) && here
}
