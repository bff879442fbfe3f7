//! "Send a sample event…": a signed sample of any catalog event, posted over real HTTP to the
//! session's own listener (so it travels the path a delivery from Persona travels, through
//! ngrok or not, and is stored as `test`) or to a URL such as the user's handler.

use std::time::Duration;

use serde::Deserialize;

use super::{ListenerStatus, Session, SessionError, blocking};
use crate::clock;
use crate::model::DEFAULT_TIMEOUT_MS;
use crate::redeliver::{MAX_TIMEOUT_MS, find_secret};
use crate::sample::{self, Casing};
use crate::trigger::{self, Destination, Sent, Trigger};

/// What the window asks for.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SampleRequest {
    /// A catalog event name.
    pub event: String,
    /// Where to: None for this inspector's listener, else an `http://` or `https://` URL.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub target: Option<String>,
    /// The label of a saved secret to sign with; None: the first saved one, else the example
    /// secret.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub secret: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub casing: Casing,
    /// `included: []`, as a webhook without an Included Allowlist sends.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub empty_included: bool,
    /// The primary resource's id, to send one resource's events in turn.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub resource_id: Option<String>,
    #[serde(default = "default_timeout_ms")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

impl SampleRequest {
    pub fn new(event: impl Into<String>) -> SampleRequest {
        SampleRequest {
            event: event.into(),
            target: None,
            secret: None,
            casing: Casing::Kebab,
            empty_included: false,
            resource_id: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl Session {
    /// Makes and sends the sample; an error means nothing was sent. Sent to this inspector,
    /// `delivery_id` names the stored delivery, or the error says why it was not stored.
    pub async fn send_sample(&self, request: SampleRequest) -> Result<Sent, SessionError> {
        if request.timeout_ms == 0 || request.timeout_ms > MAX_TIMEOUT_MS {
            return Err(SessionError::Core(crate::Error::Invalid(format!(
                "the timeout must be between 1 and {MAX_TIMEOUT_MS} ms"
            ))));
        }
        let destination = match &request.target {
            Some(url) => Destination::Url(url.clone()),
            None => match self.status() {
                ListenerStatus::Listening { address, .. } => Destination::Listener {
                    address,
                    key: self.test_event_key().map(|key| key.value().to_string()),
                },
                ListenerStatus::Failed { .. } => {
                    return Err(SessionError::Unavailable(
                        "the listener is not running; pick a port first".into(),
                    ));
                }
            },
        };
        let client = self.client()?;
        let store = self.store()?;
        let secrets = {
            let client = client.clone();
            blocking(move || client.secrets(&store)).await?
        };
        let secret = match &request.secret {
            Some(label) => find_secret(&secrets, label, trigger::SIGN_SAMPLE)?.clone(),
            None => trigger::default_secret(&secrets),
        };
        let to_listener = matches!(destination, Destination::Listener { .. });
        let sent = trigger::send(
            &client,
            Trigger {
                sample: sample::Options {
                    casing: request.casing,
                    empty_included: request.empty_included,
                    resource_id: request.resource_id.filter(|id| !id.trim().is_empty()),
                    ..sample::Options::new(request.event, clock::now_ms())
                },
                destination,
                secret,
                timeout: Duration::from_millis(request.timeout_ms),
            },
        )
        .await?;
        if to_listener && sent.delivery_id.is_none() {
            let why = match (&sent.attempt.answer, &sent.attempt.failure) {
                (_, Some(failure)) => failure.message.clone(),
                (Some(answer), None) => format!("it answered {}", answer.status),
                (None, None) => "no answer".into(),
            };
            return Err(SessionError::Send(format!(
                "the listener did not store the sample: {why}"
            )));
        }
        Ok(sent)
    }
}
