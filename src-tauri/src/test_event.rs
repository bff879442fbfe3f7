//! "Send a test event": a signed sample Persona event posted to the app's own listener over
//! real HTTP, so it travels the same path as a delivery from Persona (through ngrok or not).
//! It carries this launch's secret key, so the listener marks it `test` (re-signed without
//! asking) while anyone else's copy of the header stays an ordinary capture.

use std::time::Duration;

use persona_inspector::{clock, sample, signature};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::commands::CommandError;
use crate::engine::{Engine, ListenerStatus};

/// Posts the sample and returns the id the listener stored it under. Signed with the first
/// configured secret, or with an example secret when there is none (its verdict then tells the
/// user to add theirs).
pub async fn send(engine: &Engine) -> Result<i64, CommandError> {
    let ListenerStatus::Listening { address, .. } = engine.status() else {
        return Err(CommandError::new(
            "unavailable",
            "the listener is not running; pick a port first",
        ));
    };
    let store = engine
        .store()
        .map_err(|message| CommandError::new("unavailable", message))?;
    let secret = tokio::task::spawn_blocking(move || store.secrets())
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))??
        .into_iter()
        .next()
        .map(|s| s.secret.value)
        .unwrap_or_else(|| sample::EXAMPLE_SECRET.to_string());
    let host = address.trim_start_matches("http://").to_string();
    let now = clock::now_ms();
    let body = sample::inquiry_completed(now);
    let t = now.div_euclid(1000);
    let mark = match engine.test_event_key() {
        Some(key) => format!("{}: {}\r\n", sample::TEST_EVENT_HEADER, key.value()),
        None => String::new(),
    };
    let head = format!(
        "POST /test-event HTTP/1.1\r\nhost: {host}\r\nuser-agent: Persona Webhook Inspector (test event)\r\n\
         content-type: application/json\r\npersona-signature: {}\r\n\
         persona-webhook-attempts-made: 1\r\npersona-webhook-attempts-left: 7\r\n\
         persona-webhook-first-attempted-at: {t}\r\n{mark}content-length: {}\r\nconnection: close\r\n\r\n",
        signature::sign(&secret, t, &body),
        body.len()
    );
    let exchange = async {
        let mut stream = TcpStream::connect(&host).await?;
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    // The reply may be delayed on purpose (settings); Persona itself waits 5 s.
    let answer = tokio::time::timeout(Duration::from_secs(90), exchange)
        .await
        .map_err(|_| CommandError::new("send", "the listener did not answer the test event"))?
        .map_err(|e| {
            CommandError::new(
                "send",
                format!("the test event could not be sent to {host}: {e}"),
            )
        })?;
    delivery_id(&answer).ok_or_else(|| {
        let status = String::from_utf8_lossy(answer.split(|&b| b == b'\r').next().unwrap_or(&[]))
            .into_owned();
        CommandError::new(
            "send",
            format!("the listener answered the test event without storing it ({status})"),
        )
    })
}

/// The `X-Inspector-Delivery-Id` header of a raw HTTP response.
fn delivery_id(answer: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(answer);
    let head = text.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("x-inspector-delivery-id")
            .then(|| value.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_delivery_id_is_read_from_the_answer_head_only() {
        let answer = b"HTTP/1.1 200 OK\r\nX-Inspector-Delivery-Id: 42\r\n\r\n{\"x-inspector-delivery-id: 7\"}";
        assert_eq!(super::delivery_id(answer), Some(42));
        assert_eq!(super::delivery_id(b"HTTP/1.1 503\r\n\r\n"), None);
        assert_eq!(super::delivery_id(b""), None);
    }
}
