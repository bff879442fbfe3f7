//! One re-delivery: a stored delivery sent again by hand, by a bulk run or by the forward rule,
//! and what came back. `redeliver` makes them; the store keeps them.

use serde::{Deserialize, Serialize};

use super::{Headers, PERSONA_SUCCESS};

/// What to do with the `Persona-Signature` header.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Signing {
    /// Send it as Persona did: its timestamp ages, so a handler with a tolerance rejects it in
    /// time, as it should reject a replay.
    #[default]
    Keep,
    /// Replace it with `t=<now>,v1=…` made with the configured secret of this label, over the
    /// body actually sent (the edited one, if edited).
    Resign { secret: String },
}

impl Signing {
    /// "keep" or "resign", as the store records it.
    pub fn mode(&self) -> &'static str {
        match self {
            Signing::Keep => "keep",
            Signing::Resign { .. } => "resign",
        }
    }
}

/// Why no answer came.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Connection refused: no program listens on that port.
    NotListening,
    Timeout,
    Tls,
    Dns,
    /// Anything else about the connection: reset, closed without an answer, unreachable.
    Connection,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::NotListening => "not_listening",
            FailureKind::Timeout => "timeout",
            FailureKind::Tls => "tls",
            FailureKind::Dns => "dns",
            FailureKind::Connection => "connection",
        }
    }

    pub fn parse(s: &str) -> Option<FailureKind> {
        [
            FailureKind::NotListening,
            FailureKind::Timeout,
            FailureKind::Tls,
            FailureKind::Dns,
            FailureKind::Connection,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// No answer, and why, in words for the person who ran it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// The target's HTTP answer, whatever its status.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub status: u16,
    /// The standard reason phrase ("Internal Server Error"), when the status has one.
    pub reason: Option<String>,
    #[serde(serialize_with = "rows")]
    #[cfg_attr(feature = "specta", specta(type = Vec<Vec<String>>))]
    pub headers: Headers,
    /// At most [`RESPONSE_CAP`] bytes.
    #[serde(rename = "body_base64", serialize_with = "base64")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub body: Vec<u8>,
    /// The body was longer than [`RESPONSE_CAP`]; only its start is kept.
    pub truncated: bool,
    /// 200, 201, 202 or 204 within 5 s: what Persona counts as delivered.
    pub persona_success: bool,
}

/// What made a re-delivery.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// One delivery, sent from the detail view or `resend`.
    #[default]
    Manual,
    /// Part of a bulk re-delivery (a selection or a filter).
    Bulk,
    /// The forward rule (`serve --forward-to`, or the app's forwarding), retries included.
    Forward,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Manual => "manual",
            Origin::Bulk => "bulk",
            Origin::Forward => "forward",
        }
    }

    pub fn parse(s: &str) -> Origin {
        match s {
            "bulk" => Origin::Bulk,
            "forward" => Origin::Forward,
            _ => Origin::Manual,
        }
    }
}

/// One re-delivery: what was sent, and what came back.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attempt {
    pub origin: Origin,
    /// 0 for a first send; n for the forward rule's n-th retry of the same capture.
    pub retry: u32,
    /// When the forward rule will try again after this failure (unix ms); None when it won't
    /// (delivered, retries off or used up, or stopped because the rule changed).
    pub next_retry_at_ms: Option<i64>,
    /// RFC 3339, UTC, milliseconds.
    pub started_at: String,
    pub started_at_ms: i64,
    /// As typed (what recent targets offer).
    pub target: String,
    pub method: String,
    /// Where it went.
    pub url: String,
    /// The headers sent, in order (the client adds Host and Content-Length).
    #[serde(serialize_with = "rows")]
    #[cfg_attr(feature = "specta", specta(type = Vec<Vec<String>>))]
    pub headers: Headers,
    /// The body sent when it was edited; None: the stored body, unchanged.
    #[serde(
        rename = "edited_body_base64",
        serialize_with = "base64_opt::serialize"
    )]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub edited_body: Option<Vec<u8>>,
    /// Bytes of body sent.
    pub body_size: u64,
    /// What was done with the signature: `keep` also when re-signing was refused.
    pub signing: Signing,
    /// Set when re-signing was asked for and refused: "sent with its original signature: not
    /// re-signed because its signature is invalid".
    pub signing_note: Option<String>,
    pub timeout_ms: u64,
    pub duration_ms: f64,
    /// Exactly one of `answer` and `failure` is set.
    pub answer: Option<Answer>,
    pub failure: Option<Failure>,
}

/// What the list shows of a capture's latest forward: delivered or not, and whether another
/// try is coming.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForwardMark {
    pub redelivery_id: i64,
    /// The target's status; None when nothing answered (`failure` says why).
    pub status: Option<u16>,
    pub failure: Option<FailureKind>,
    /// What Persona would count as delivered.
    pub delivered: bool,
    pub retry: u32,
    pub next_retry_at_ms: Option<i64>,
    pub duration_ms: f64,
}

impl ForwardMark {
    pub fn of(record: &Redelivery) -> ForwardMark {
        let a = &record.attempt;
        ForwardMark {
            redelivery_id: record.id,
            status: a.answer.as_ref().map(|answer| answer.status),
            failure: a.failure.as_ref().map(|f| f.kind),
            delivered: a.persona_success(),
            retry: a.retry,
            next_retry_at_ms: a.next_retry_at_ms,
            duration_ms: a.duration_ms,
        }
    }
}

/// A recorded attempt: one row of a delivery's re-delivery history.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Redelivery {
    pub id: i64,
    pub delivery_id: i64,
    #[serde(flatten)]
    pub attempt: Attempt,
}

impl Attempt {
    /// What Persona would make of this answer: delivered, or to be retried.
    pub fn persona_success(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.persona_success)
    }

    /// One line: "→ 200 OK in 12 ms", "→ 500 Internal Server Error in 3 ms — Persona would
    /// count this as a failure and retry", or "✗ nothing is listening on 127.0.0.1:3000 — is
    /// your app running?".
    pub fn describe(&self) -> String {
        let line = self.describe_answer();
        match &self.signing_note {
            Some(note) => format!("{line} · {note}"),
            None => line,
        }
    }

    fn describe_answer(&self) -> String {
        let took = human_duration(self.duration_ms);
        match (&self.answer, &self.failure) {
            (Some(answer), _) => {
                let status = match &answer.reason {
                    Some(reason) => format!("{} {reason}", answer.status),
                    None => answer.status.to_string(),
                };
                let mut line = format!("→ {status} in {took}");
                if !answer.persona_success {
                    if PERSONA_SUCCESS.contains(&answer.status) {
                        line.push_str(
                            " — too slow: Persona gives up after 5 s, so it would count this \
                             as a failure and retry",
                        );
                    } else {
                        line.push_str(" — Persona would count this as a failure and retry");
                    }
                }
                if answer.truncated {
                    line.push_str(" (answer body over 1 MiB: the first 1 MiB is kept)");
                }
                line
            }
            (None, Some(failure)) => format!("✗ {}", failure.message),
            (None, None) => format!("✗ no answer recorded (after {took})"),
        }
    }
}

/// "0.8 ms", "12 ms", "6.2 s".
pub fn human_duration(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0).replace(".0 s", " s")
    }
}

fn rows<S: serde::Serializer>(headers: &Headers, s: S) -> std::result::Result<S::Ok, S::Error> {
    super::headers_to_json(headers).serialize(s)
}

fn base64<S: serde::Serializer>(bytes: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    use base64::Engine;
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// `Option<Vec<u8>>` as a base64 string or null.
pub(crate) mod base64_opt {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => {
                s.serialize_some(&base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|e| serde::de::Error::custom(format!("the body is not base64: {e}")))
            })
            .transpose()
    }
}

/// `Option<Headers>` as `[[name, value(, base64)]]` or null.
pub(crate) mod rows_opt {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::super::{Headers, headers_from_json, headers_to_json};

    pub fn serialize<S: Serializer>(headers: &Option<Headers>, s: S) -> Result<S::Ok, S::Error> {
        headers.as_ref().map(headers_to_json).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Headers>, D::Error> {
        Ok(Option::<serde_json::Value>::deserialize(d)?.map(|rows| headers_from_json(&rows)))
    }
}
