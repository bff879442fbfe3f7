//! The forward rule at work: the relay fed by every capture, its results as the list shows
//! them, and the rule changed (checked, saved, applied) on request.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::{ListenerStatus, Session, SessionError, blocking};
use crate::capture::Capture;
use crate::model::{ForwardMark, Rule};
use crate::redeliver::{Client, Report};
use crate::relay::Relay;

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

/// The relay with the saved rule: it forwards what `capture` announces and reports each
/// result on the returned channel. Retries waiting since the last run are resumed.
pub fn start_relay(
    capture: &Capture,
    client: Client,
) -> crate::Result<(Relay, mpsc::UnboundedReceiver<Report>)> {
    let store = capture.store().clone();
    let rule = store.forward_rule()?;
    let (report, reports) = mpsc::unbounded_channel();
    let relay = Relay::new(store, client, rule, move |forwarded| {
        let _ = report.send(forwarded);
    });
    let mut arrivals = capture.subscribe();
    let offered = relay.clone();
    tokio::spawn(async move {
        loop {
            match arrivals.recv().await {
                Ok(summary) => offered.offer(&summary),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!("{missed} captures arrived too fast to forward (all stored)");
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
    let resumed = relay.resume()?;
    if resumed > 0 {
        tracing::info!("{resumed} forward retries resumed");
    }
    Ok((relay, reports))
}

impl Session {
    /// The forward rule in use (the saved one).
    pub fn forward_rule(&self) -> Result<Rule, SessionError> {
        Ok(self.relay()?.rule())
    }

    /// Checks `rule`, saves it and uses it from now on; retries waiting under the old rule
    /// stop.
    pub async fn change_forward_rule(&self, rule: Rule) -> Result<Rule, SessionError> {
        let _changing = self.changing.lock().await;
        // Reported as a refusal of the rule, as the window has always been told.
        let unavailable = |e: SessionError| crate::Error::Invalid(e.to_string());
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
