//! One sample event sent on demand (`trigger`, the window's "Send a sample event…"): to the
//! inspector's own listener, which stores it as a `test` delivery, or to any URL, such as the
//! handler the user is writing.

use std::time::Duration;

use axum::body::Bytes;

use crate::capture::DELIVERY_ID_HEADER;
use crate::error::Result;
use crate::model::{Attempt, Headers, Secret, Signing};
use crate::redeliver::{Client, Outgoing, Target};
use crate::sample::{self, Sample};

/// The path a sample is posted to on the inspector's own listener: it shows in the list.
pub const LISTENER_PATH: &str = "/sample";

/// Where a sample goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The inspector's own listener at `address` ("http://127.0.0.1:4747"); with the listening
    /// session's test-event key the listener stores the sample as `test`, without it as an
    /// ordinary capture.
    Listener {
        address: String,
        key: Option<String>,
    },
    /// Any `http://` or `https://` URL, as typed.
    Url(String),
}

/// One sample to send.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub sample: sample::Options,
    pub destination: Destination,
    /// Signs the sample (the example secret when the user has none).
    pub secret: Secret,
    pub timeout: Duration,
}

/// What was sent and what came back.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sent {
    pub sample: Sample,
    /// The request as sent (the test-event key taken out) and the answer or failure.
    pub attempt: Attempt,
    /// The id the inspector's listener stored the sample under; None elsewhere.
    pub delivery_id: Option<i64>,
}

/// Makes the sample and sends it; an error means nothing was sent (unknown event, unusable
/// URL). A failed send is a `Sent` whose attempt says why.
pub async fn send(client: &Client, trigger: Trigger) -> Result<Sent> {
    let sample = sample::generate(&trigger.sample)?;
    let (url, key) = match &trigger.destination {
        Destination::Listener { address, key } => {
            (format!("{address}{LISTENER_PATH}"), key.clone())
        }
        Destination::Url(url) => (url.clone(), None),
    };
    let url = Target::parse(&url, false)?.url().to_string();
    // Signed now, whenever the event happened (a seeded sample's moment is fixed).
    let mut headers = sample::headers(&sample.body, &trigger.secret.value, crate::clock::now_ms());
    if let Some(key) = &key {
        headers.push((sample::TEST_EVENT_HEADER.into(), key.clone().into_bytes()));
    }
    let outgoing = Outgoing {
        target: url.clone(),
        method: "POST".into(),
        url,
        headers,
        body: Bytes::from(sample.body.clone()),
        body_edited: false,
        signing: Signing::Resign {
            secret: trigger.secret.label.clone(),
        },
        signing_note: None,
        timeout: trigger.timeout,
    };
    let mut attempt = client.send(outgoing).await;
    // The key proves a request is the app's own: it is never shown or kept.
    attempt
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case(sample::TEST_EVENT_HEADER));
    let delivery_id = match trigger.destination {
        Destination::Listener { .. } => attempt
            .answer
            .as_ref()
            .and_then(|answer| delivery_id(&answer.headers)),
        Destination::Url(_) => None,
    };
    Ok(Sent {
        sample,
        attempt,
        delivery_id,
    })
}

/// When a seeded sample happened: a moment in 2026 drawn from the seed, so the same seed gives
/// the same bytes on every run (the signature's `t` is still the moment it is sent).
pub fn seeded_moment(seed: u64) -> i64 {
    const START_OF_2026_MS: i64 = 1_767_225_600_000;
    const YEAR_S: u64 = 365 * 24 * 3600;
    START_OF_2026_MS + ((seed % YEAR_S) as i64) * 1000
}

/// The listener's `X-Inspector-Delivery-Id` answer header.
pub fn delivery_id(headers: &Headers) -> Option<i64> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(DELIVERY_ID_HEADER))
        .and_then(|(_, value)| std::str::from_utf8(value).ok())
        .and_then(|value| value.trim().parse().ok())
}

/// What a sample's secret is for, in `redeliver::find_secret`'s error.
pub const SIGN_SAMPLE: &str = "to sign the sample with";

/// The secret a sample is signed with when the user names none: the first saved one, else the
/// example secret (whose verdict then says how to add the real one).
pub fn default_secret(secrets: &[Secret]) -> Secret {
    secrets.first().cloned().unwrap_or_else(|| Secret {
        label: "example".into(),
        value: sample::EXAMPLE_SECRET.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_id_is_read_from_the_answer_header_only() {
        let head = |pairs: &[(&str, &str)]| -> Headers {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect()
        };
        assert_eq!(
            delivery_id(&head(&[("X-Inspector-Delivery-Id", " 42 ")])),
            Some(42)
        );
        assert_eq!(
            delivery_id(&head(&[("x-inspector-delivery-id", "x")])),
            None
        );
        assert_eq!(delivery_id(&head(&[("content-length", "0")])), None);
    }

    #[test]
    fn without_a_saved_secret_the_example_one_signs() {
        let saved = [Secret {
            label: "sandbox".into(),
            value: "wbhsec_a".into(),
        }];
        assert_eq!(default_secret(&[]).value, sample::EXAMPLE_SECRET);
        assert_eq!(default_secret(&saved).label, "sandbox");
    }
}
