//! The forward rule at work: the relay fed by every capture, its results as the list shows
//! them, and the rule changed (checked, saved, applied) on request.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use std::net::SocketAddr;

use super::{Announce, Announcement, Forward, ListenerStatus, Session, SessionError, blocking};
use crate::capture::Capture;
use crate::model::{ForwardMark, Rule};
use crate::redeliver::{Client, Report};
use crate::relay::Relay;
use crate::store::Store;

/// One forward's result as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ForwardResult {
    pub delivery_id: i64,
    /// The recorded attempt; None when nothing could be sent (`error` says why).
    pub mark: Option<ForwardMark>,
    pub error: Option<String>,
}

impl ForwardResult {
    pub fn of(forwarded: &Report) -> ForwardResult {
        match &forwarded.result {
            Ok(record) => ForwardResult {
                delivery_id: forwarded.delivery_id,
                mark: Some(ForwardMark::of(record)),
                error: None,
            },
            Err(error) => ForwardResult {
                delivery_id: forwarded.delivery_id,
                mark: None,
                error: Some(error.clone()),
            },
        }
    }
}

/// The relay `forward` asks for, calling `on_forwarded` with each result. The saved rule
/// resumes the retries waiting since the last run; a rule for this run is checked first
/// (`listening`: this session's listener, which it must not point at) and leaves them alone.
pub(super) fn relay_for(
    forward: &Forward,
    store: &Store,
    client: &Client,
    listening: Option<SocketAddr>,
    on_forwarded: impl Fn(Report) + Send + Sync + 'static,
) -> crate::Result<Option<Relay>> {
    let rule = match forward {
        Forward::Off => return Ok(None),
        Forward::Saved => store.forward_rule()?,
        Forward::ThisRun(rule) => {
            rule.check(client, store, listening)?;
            rule.clone()
        }
    };
    let relay = Relay::new(store.clone(), client.clone(), rule, on_forwarded);
    if let Forward::Saved = forward {
        let resumed = relay.resume()?;
        if resumed > 0 {
            tracing::info!("{resumed} forward retries resumed");
        }
    }
    Ok(Some(relay))
}

/// Hands each capture `capture` announces to `relay`, telling `announce` first, so a
/// forwarded capture is always told before its result.
pub(super) fn feed(capture: &Capture, relay: Option<Relay>, announce: Option<Announce>) {
    if relay.is_none() && announce.is_none() {
        return;
    }
    let mut arrivals = capture.subscribe();
    tokio::spawn(async move {
        loop {
            match arrivals.recv().await {
                Ok(summary) => {
                    if let Some(announce) = &announce {
                        // The rule is read again by `offer`; only the app changes it, and the
                        // app is not told this way.
                        let forwarded = relay.as_ref().is_some_and(|r| r.rule().takes(&summary));
                        announce(Announcement::Captured {
                            summary: summary.clone(),
                            forwarded,
                        });
                    }
                    if let Some(relay) = &relay {
                        relay.offer(&summary);
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    if relay.is_some() {
                        tracing::warn!(
                            "{missed} captures arrived too fast to forward (all stored)"
                        );
                    }
                    if let Some(announce) = &announce {
                        announce(Announcement::Missed(missed));
                    }
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

impl Session {
    /// The forward rule in use.
    pub fn forward_rule(&self) -> Result<Rule, SessionError> {
        Ok(self.relay()?.rule())
    }

    /// Checks `rule`, saves it and uses it from now on; retries waiting under the old rule
    /// stop.
    pub async fn change_forward_rule(&self, rule: Rule) -> Result<Rule, SessionError> {
        let _changing = self.changing.lock().await;
        // Reported as a refusal of the rule, as the window has always been told.
        let unavailable = |e: SessionError| crate::Error::Invalid(e.to_string());
        if self.this_run {
            return Err(crate::Error::Invalid(
                "this session's forward rule was given for this run only; it is not changed here"
                    .into(),
            )
            .into());
        }
        let relay = self.relay().map_err(unavailable)?;
        let store = self.store().map_err(unavailable)?;
        let client = self.client().map_err(unavailable)?;
        let listening = match self.status() {
            ListenerStatus::Listening { port, .. } => {
                Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            }
            ListenerStatus::Failed { .. } => None,
        };
        blocking(move || {
            rule.check(&client, &store, listening)?;
            store.save_forward_rule(&rule)?;
            relay.set_rule(rule.clone())?;
            Ok(rule)
        })
        .await
    }
}
