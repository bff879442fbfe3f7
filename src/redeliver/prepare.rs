//! The request a re-delivery sends, built from the stored one: headers a new connection cannot
//! carry dropped, edits applied, and the signature kept or made afresh — the latter without
//! asking only for what Persona signed.

use std::time::Duration;

use axum::body::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::Options;
use super::target::{Spelling, Target};
use crate::error::{Error, Result};
use crate::model::{Headers, Outcome, Secret, Signing, Source, Status};
use crate::signature;
use crate::store::Raw;

/// Headers about one connection, not the message (RFC 9110 §7.6.1), and those the client
/// derives for the new request. `expect` is a handshake of the original connection: the client
/// sends the body at once. `proxy-*` are matched by prefix.
const NOT_FORWARDED: [&str; 9] = [
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "expect",
];
const SIGNATURE_HEADER: &str = "persona-signature";
/// What a re-signing secret is for, in [`find_secret`]'s error.
pub(super) const RESIGN: &str = "to re-sign with";

/// A request ready to go: everything [`prepare`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub target: String,
    pub method: String,
    pub url: String,
    /// In the order they are sent; valid HTTP names and values.
    pub headers: Headers,
    pub body: Bytes,
    pub body_edited: bool,
    /// What was done: `Keep` when re-signing was asked for but refused.
    pub signing: Signing,
    /// Why re-signing was asked for and not done.
    pub signing_note: Option<String>,
    pub timeout: Duration,
}

/// Why a delivery is not re-signed unless the user opts in; None when re-signing it needs no
/// opt-in: a captured delivery whose stored verdict is `valid` and that was not stale when it
/// arrived (Persona signed these bytes, for this arrival), or the app's own test event.
/// Everything else could be anyone's bytes: re-signing them with the user's secret would make
/// the inspector a signing oracle for whoever knows its URL. A valid but stale capture is most
/// likely an old Persona request sent again by whoever kept it: re-signed with a fresh
/// timestamp, the replay would pass the user's app as new. `stale` is the verdict's age in
/// seconds (arrival minus `t`) when it flagged the signature stale at arrival, else None.
pub fn unverified(source: Source, signature: Status, stale: Option<i64>) -> Option<Unverified> {
    match (source, signature, stale) {
        (Source::Test, _, _) | (Source::Captured, Status::Valid, None) => None,
        (Source::Imported, _, _) => Some(Unverified::Imported),
        (Source::Captured, Status::Valid, Some(age_seconds)) => {
            Some(Unverified::Stale { age_seconds })
        }
        (Source::Captured, status, _) => Some(Unverified::Verdict(status)),
    }
}

/// What keeps a delivery from being re-signed without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unverified {
    /// Its stored verdict (anything but `valid`).
    Verdict(Status),
    /// Valid, but its `t` was further than the tolerance from its arrival: `age_seconds` is
    /// arrival minus `t` (negative: dated after it arrived).
    Stale { age_seconds: i64 },
    /// Loaded from a fixture: whatever its verdict, nothing shows Persona sent it here.
    Imported,
}

impl Unverified {
    /// "invalid", "missing", "malformed", "unchecked", "stale" or "imported".
    pub fn kind(self) -> &'static str {
        match self {
            Unverified::Verdict(status) => status.as_str(),
            Unverified::Stale { .. } => "stale",
            Unverified::Imported => "imported",
        }
    }

    /// "its signature is invalid", for "not re-signed because …".
    pub fn reason(self) -> String {
        match self {
            Unverified::Verdict(Status::Invalid) => "its signature is invalid".into(),
            Unverified::Verdict(Status::Missing) => "it arrived without a signature".into(),
            Unverified::Verdict(Status::Malformed) => "its signature is malformed".into(),
            Unverified::Verdict(Status::Unchecked) => "its signature was never checked".into(),
            Unverified::Verdict(Status::Valid) => "its signature is valid".into(),
            Unverified::Stale { age_seconds } if age_seconds < 0 => format!(
                "its signature is valid but dated {} after it arrived",
                signature::human_span(age_seconds.unsigned_abs())
            ),
            Unverified::Stale { age_seconds } => format!(
                "its signature is valid but was made {} before it arrived: an old request sent \
                 again?",
                signature::human_span(age_seconds.unsigned_abs())
            ),
            Unverified::Imported => {
                "it was imported from a fixture, not received from Persona".into()
            }
        }
    }

    /// What the attempt records when it went out without re-signing.
    pub fn note(self) -> String {
        let sent = match self {
            Unverified::Verdict(Status::Missing) => "sent without a signature, as it arrived",
            _ => "sent with its original signature",
        };
        format!("{sent}: not re-signed because {}", self.reason())
    }
}

/// Builds the request for a stored delivery; nothing is sent. `secrets` are the ones a
/// re-signing label is looked up in; `now` is the unix second a fresh signature carries.
pub fn prepare(raw: Raw, options: &Options, secrets: &[Secret], now: i64) -> Result<Outgoing> {
    let timeout = options.timeout()?;
    let url = Target::parse(&options.target, options.keep_path)?.join(
        &raw.arrival.path,
        raw.arrival.query.as_deref(),
        Spelling::Standard,
    );
    reqwest::Method::from_bytes(raw.arrival.method.as_bytes()).map_err(|_| {
        Error::Invalid(format!(
            "delivery {} has the method \"{}\", which cannot be sent again",
            raw.id, raw.arrival.method
        ))
    })?;
    let (body, body_edited) = match &options.edits.body {
        Some(body) => (Bytes::from(body.clone()), true),
        None if raw.outcome == Outcome::TooLarge => {
            return Err(Error::Invalid(format!(
                "delivery {} was over the size limit, so its body was not kept and it cannot be \
                 sent as it arrived — edit a body to send one",
                raw.id
            )));
        }
        None => (Bytes::from(raw.body), false),
    };
    let source = match &options.edits.headers {
        Some(edited) => edited.clone(),
        None => raw.arrival.headers,
    };
    let mut headers = end_to_end(source);
    let (signing, signing_note) = match &options.signing {
        Signing::Keep => (Signing::Keep, None),
        Signing::Resign { secret } => {
            let secret = find_secret(secrets, secret, RESIGN)?;
            match unverified(raw.source, raw.signature, raw.stale)
                .filter(|_| !options.resign_unverified)
            {
                // Not Persona's bytes, and the user did not opt in: they go as they came.
                Some(refused) => (Signing::Keep, Some(refused.note())),
                None => {
                    resign(&mut headers, &secret.value, now, &body);
                    (options.signing.clone(), None)
                }
            }
        }
    };
    header_map(&headers)?;
    Ok(Outgoing {
        target: options.target.trim().to_string(),
        method: raw.arrival.method,
        url,
        headers,
        body,
        body_edited,
        signing,
        signing_note,
        timeout,
    })
}

/// Replaces every `Persona-Signature` with one fresh `t=<now>,v1=…` over `body`, in the first
/// one's place, so the order stays Persona's.
fn resign(headers: &mut Headers, secret: &str, now: i64, body: &[u8]) {
    let fresh = signature::sign(secret, now, body);
    let at = headers
        .iter()
        .position(|(name, _)| name.eq_ignore_ascii_case(SIGNATURE_HEADER));
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case(SIGNATURE_HEADER));
    let at = at.unwrap_or(headers.len()).min(headers.len());
    headers.insert(at, (SIGNATURE_HEADER.to_string(), fresh.into_bytes()));
}

/// The headers minus the hop-by-hop ones, those named in `Connection`, and those the client
/// derives (Host, Content-Length).
pub fn end_to_end(headers: Headers) -> Headers {
    let named: Vec<String> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, value)| {
            String::from_utf8_lossy(value)
                .split(',')
                .map(|token| token.trim().to_ascii_lowercase())
                .filter(|token| !token.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    headers
        .into_iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            !(NOT_FORWARDED.contains(&name.as_str())
                || name.starts_with("proxy-")
                || named.contains(&name))
        })
        .collect()
}

/// The secret labelled `label`, or an error listing the labels there are; `purpose` ends "no
/// secret is labelled … " ("to re-sign with").
pub fn find_secret<'a>(secrets: &'a [Secret], label: &str, purpose: &str) -> Result<&'a Secret> {
    let label = label.trim();
    if let Some(secret) = secrets.iter().find(|s| s.label == label) {
        return Ok(secret);
    }
    let known: Vec<String> = secrets.iter().map(|s| format!("\"{}\"", s.label)).collect();
    let known = match known.is_empty() {
        true => "none is configured yet".to_string(),
        false => format!("the configured ones are {}", known.join(", ")),
    };
    Err(Error::Invalid(format!(
        "no secret is labelled \"{label}\" {purpose}; {known} — add it in Settings, or \
         pass --secret {label}=wbhsec_…"
    )))
}

pub(super) fn header_map(headers: &Headers) -> Result<HeaderMap> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let shown = || {
            String::from_utf8_lossy(value)
                .chars()
                .take(40)
                .collect::<String>()
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::Invalid(format!(
                "\"{name}\" is not an HTTP header name (letters, digits and -, no spaces)"
            ))
        })?;
        let value = HeaderValue::from_bytes(value).map_err(|_| {
            Error::Invalid(format!(
                "the value of header \"{name}\" ({:?}) cannot be sent: it holds a line break or \
                 another control character",
                shown()
            ))
        })?;
        map.append(header, value);
    }
    Ok(map)
}
