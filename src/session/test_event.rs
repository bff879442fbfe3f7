//! "Send a test event": a signed sample Persona event posted to the session's own listener over
//! real HTTP, so it travels the same path as a delivery from Persona (through ngrok or not).
//! It carries this launch's secret key, so the listener marks it `test` (re-signed without
//! asking) while anyone else's copy of the header stays an ordinary capture.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::{ListenerStatus, Session, SessionError, blocking};
use crate::redeliver::deepest_cause;
use crate::{clock, sample, signature};

/// The answer header the listener names the stored delivery in.
const DELIVERY_ID_HEADER: &str = "x-inspector-delivery-id";

impl Session {
    /// Posts the sample and returns the id the listener stored it under. Signed with the first
    /// configured secret, or with an example secret when there is none (its verdict then tells
    /// the user to add theirs).
    pub async fn send_test_event(&self) -> Result<i64, SessionError> {
        let ListenerStatus::Listening { address, .. } = self.status() else {
            return Err(SessionError::Unavailable(
                "the listener is not running; pick a port first".into(),
            ));
        };
        let store = self.store()?;
        let client = self.client()?;
        let secret = blocking(move || store.secrets())
            .await?
            .into_iter()
            .next()
            .map(|s| s.secret.value)
            .unwrap_or_else(|| sample::EXAMPLE_SECRET.to_string());
        let host = address.trim_start_matches("http://").to_string();
        let now = clock::now_ms();
        let body = sample::generate(&sample::Options::new("inquiry.completed", now))
            .map_err(|e| SessionError::Send(e.to_string()))?
            .body;
        let t = now.div_euclid(1000);
        let mut request = client
            .http()
            .post(format!("{address}/test-event"))
            .header("user-agent", "Persona Webhook Inspector (test event)")
            .header("content-type", "application/json")
            .header("persona-signature", signature::sign(&secret, t, &body))
            .header("persona-webhook-attempts-made", "1")
            .header("persona-webhook-attempts-left", "7")
            .header("persona-webhook-first-attempted-at", t.to_string());
        if let Some(key) = self.test_event_key() {
            request = request.header(sample::TEST_EVENT_HEADER, key.value());
        }
        let request = request.header("connection", "close").body(body);
        // The reply may be delayed on purpose (settings); Persona itself waits 5 s.
        let answer = tokio::time::timeout(Duration::from_secs(90), request.send())
            .await
            .map_err(|_| SessionError::Send("the listener did not answer the test event".into()))?
            .map_err(|e| {
                SessionError::Send(format!(
                    "the test event could not be sent to {host}: {}",
                    deepest_cause(&e)
                ))
            })?;
        delivery_id(answer.headers()).ok_or_else(|| {
            SessionError::Send(format!(
                "the listener answered the test event without storing it ({:?} {})",
                answer.version(),
                answer.status()
            ))
        })
    }
}

/// The `X-Inspector-Delivery-Id` header of the listener's answer.
fn delivery_id(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(DELIVERY_ID_HEADER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    fn head(headers: &[(&'static str, &'static str)]) -> HeaderMap {
        headers
            .iter()
            .map(|(name, value)| {
                (
                    name.parse::<HeaderName>().expect("a name"),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn the_delivery_id_is_read_from_the_answer_head_only() {
        // The body is never looked at: only the header the client parsed.
        assert_eq!(
            super::delivery_id(&head(&[("X-Inspector-Delivery-Id", "42")])),
            Some(42)
        );
        assert_eq!(super::delivery_id(&head(&[("content-length", "0")])), None);
        assert_eq!(super::delivery_id(&HeaderMap::new()), None);
    }
}
