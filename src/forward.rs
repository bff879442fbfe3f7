//! Re-delivery: sends a stored delivery to another URL (usually the app under development) over
//! real HTTP, and records every attempt in the store.
//!
//! The request carries the exact stored body bytes, the original method and the original headers
//! in their order, minus the hop-by-hop ones and those the client derives for the new connection
//! (Host, Content-Length). The signature is either kept as Persona sent it (to test that a
//! handler rejects replays) or replaced by a fresh one made with a configured secret. One header
//! may be added: the HTTP client sends `accept: */*` when the delivery had no `Accept` (Persona's
//! deliveries carry one).
//!
//! A send never fails as a Rust error once it has started: no answer is an [`Attempt`] with a
//! [`Failure`] that says why in plain words, and any HTTP answer (500 included) is an [`Answer`].
//! Errors are only what stops a request from being made: an unknown delivery, an unusable URL,
//! an unknown secret label, an edited header that is not HTTP.
//!
//! Re-signing vouches for the bytes with the user's real secret, and the listener faces the
//! internet: [`prepare`], which every send goes through, re-signs without asking only what
//! Persona signed (a captured delivery whose stored verdict is `valid`) and the app's own test
//! events. Anything else keeps its original signature unless the user opted in for this action
//! (`resign_unverified`), and the attempt records why it was not re-signed.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::delivery::{Headers, Outcome, Source};
use crate::error::{Error, Result};
use crate::signature::{self, Secret, Status};
use crate::store::{Raw, Store};

/// Persona waits this long for an answer before it counts a delivery as failed (Persona's
/// Webhooks overview, "Retry logic").
pub const PERSONA_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a re-delivery waits for an answer unless told otherwise: Persona's own limit.
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
/// The longest wait allowed: long enough to step through a handler in a debugger.
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// How much of an answer's body is kept.
pub const RESPONSE_CAP: usize = 1024 * 1024;
/// The statuses Persona counts as delivered (when they come within 5 s; Persona's Webhooks
/// overview, "Retry logic").
pub const PERSONA_SUCCESS: [u16; 4] = [200, 201, 202, 204];
/// After a failed delivery Persona tries up to 7 more times, this many seconds later each
/// (Persona's Webhooks overview, "Retry logic"): the forward rule's retries follow it, divided by the user's speed-up.
pub const PERSONA_RETRY_SCHEDULE_S: [u64; 7] = [3, 64, 729, 4096, 15625, 46656, 117649];

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

/// Changes to the stored request before it is sent ("edit and re-send").
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edits {
    /// Replaces the stored body.
    #[serde(default, rename = "body_base64", with = "base64_opt")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>, optional))]
    pub body: Option<Vec<u8>>,
    /// Replaces every stored header, in this order (hop-by-hop ones are still dropped, and the
    /// signature is still replaced when re-signing).
    #[serde(default, with = "rows_opt")]
    #[cfg_attr(feature = "specta", specta(type = Option<Vec<Vec<String>>>, optional))]
    pub headers: Option<Headers>,
}

/// How to re-deliver.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Where to send, as typed: an `http://` or `https://` URL (remembered as a recent target).
    pub target: String,
    /// Append the delivery's original path and query to the target's.
    #[serde(default)]
    pub keep_path: bool,
    #[serde(default)]
    pub signing: Signing,
    /// Re-sign even a delivery Persona did not sign (an invalid, missing, malformed or
    /// unchecked signature, or an import): the user's explicit choice for this action. Without
    /// it such a delivery keeps its original signature.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub resign_unverified: bool,
    /// How long to wait for the whole answer.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default)]
    pub edits: Edits,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

impl Options {
    /// The stored request as it is, signature kept, to `target`, waiting 5 s.
    pub fn new(target: impl Into<String>) -> Options {
        Options {
            target: target.into(),
            keep_path: false,
            signing: Signing::Keep,
            resign_unverified: false,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            edits: Edits::default(),
        }
    }

    fn timeout(&self) -> Result<Duration> {
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(Error::Invalid(format!(
                "a timeout of {} ms cannot be used; pick 1 to {MAX_TIMEOUT_MS} ms \
                 (Persona waits {DEFAULT_TIMEOUT_MS} ms)",
                self.timeout_ms
            )));
        }
        Ok(Duration::from_millis(self.timeout_ms))
    }
}

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

/// The result of one send by the forward rule or a bulk run: the recorded attempt, or why
/// nothing could be sent (the delivery was purged, over the size limit, the secret removed…).
#[derive(Clone, Debug)]
pub struct Forwarded {
    pub delivery_id: i64,
    pub result: std::result::Result<Redelivery, String>,
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

/// Whether Persona would count this status, after this long, as delivered.
pub fn persona_would_accept(status: u16, duration_ms: f64) -> bool {
    PERSONA_SUCCESS.contains(&status) && duration_ms <= PERSONA_TIMEOUT.as_millis() as f64
}

/// The URL a delivery received at `path` with `query` is sent to. Refuses anything but an
/// `http://` or `https://` URL with a host, saying what to type instead.
///
/// With `keep_path`, the original path is appended to the target's path (one slash between
/// them, whatever each side has) and the original query to the target's own query.
pub fn target_url(
    target: &str,
    path: &str,
    query: Option<&str>,
    keep_path: bool,
) -> Result<String> {
    let mut url = parse_target(target)?;
    if keep_path {
        let original = path.strip_prefix('/').unwrap_or(path);
        if !original.is_empty() {
            let base = url.path();
            let base = base.strip_suffix('/').unwrap_or(base);
            let joined = format!("{base}/{original}");
            url.set_path(&joined);
        }
        if let Some(query) = query.filter(|q| !q.is_empty()) {
            let merged = match url.query().filter(|q| !q.is_empty()) {
                Some(own) => format!("{own}&{query}"),
                None => query.to_string(),
            };
            url.set_query(Some(&merged));
        }
    }
    Ok(url.to_string())
}

fn parse_target(target: &str) -> Result<Url> {
    let text = target.trim();
    let example = "e.g. http://127.0.0.1:3000/webhooks/persona";
    if text.is_empty() {
        return Err(Error::Invalid(format!(
            "no URL to send to — give one, {example}"
        )));
    }
    let with_scheme = || {
        Error::Invalid(format!(
            "\"{text}\" has no http:// or https:// — write http://{text}"
        ))
    };
    // "localhost:3000/hooks" would parse with the scheme "localhost".
    if !text.contains("://") {
        return Err(with_scheme());
    }
    let url = Url::parse(text).map_err(|e| {
        Error::Invalid(format!(
            "\"{text}\" is not a URL ({e}) — give one like {example}"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::Invalid(format!(
                "\"{text}\" is a {other}: URL; only http:// and https:// targets can be sent to"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Invalid(format!(
            "\"{text}\" names no host — give one like {example}"
        )));
    }
    let mut url = url;
    // Never sent on the wire anyway.
    url.set_fragment(None);
    Ok(url)
}

/// Why a delivery is not re-signed unless the user opts in; None when re-signing it needs no
/// opt-in: a captured delivery whose stored verdict is `valid` (Persona signed these bytes), or
/// the app's own test event. Everything else could be anyone's bytes: re-signing them with the
/// user's secret would make the inspector a signing oracle for whoever knows its URL.
pub fn unverified(source: Source, signature: Status) -> Option<Unverified> {
    match (source, signature) {
        (Source::Test, _) | (Source::Captured, Status::Valid) => None,
        (Source::Imported, _) => Some(Unverified::Imported),
        (Source::Captured, status) => Some(Unverified::Verdict(status)),
    }
}

/// What keeps a delivery from being re-signed without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unverified {
    /// Its stored verdict (anything but `valid`).
    Verdict(Status),
    /// Loaded from a fixture: whatever its verdict, nothing shows Persona sent it here.
    Imported,
}

impl Unverified {
    /// "invalid", "missing", "malformed", "unchecked" or "imported".
    pub fn kind(self) -> &'static str {
        match self {
            Unverified::Verdict(status) => status.as_str(),
            Unverified::Imported => "imported",
        }
    }

    /// "its signature is invalid", for "not re-signed because …".
    pub fn reason(self) -> &'static str {
        match self {
            Unverified::Verdict(Status::Invalid) => "its signature is invalid",
            Unverified::Verdict(Status::Missing) => "it arrived without a signature",
            Unverified::Verdict(Status::Malformed) => "its signature is malformed",
            Unverified::Verdict(Status::Unchecked) => "its signature was never checked",
            Unverified::Verdict(Status::Valid) => "its signature is valid",
            Unverified::Imported => "it was imported from a fixture, not received from Persona",
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
    let url = target_url(
        &options.target,
        &raw.arrival.path,
        raw.arrival.query.as_deref(),
        options.keep_path,
    )?;
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
    let mut headers = forwardable(source);
    let (signing, signing_note) = match &options.signing {
        Signing::Keep => (Signing::Keep, None),
        Signing::Resign { secret } => {
            let secret = find_secret(secrets, secret)?;
            match unverified(raw.source, raw.signature).filter(|_| !options.resign_unverified) {
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
pub fn forwardable(headers: Headers) -> Headers {
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

fn find_secret<'a>(secrets: &'a [Secret], label: &str) -> Result<&'a Secret> {
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
        "no secret is labelled \"{label}\" to re-sign with; {known} — add it in Settings, or \
         pass --secret {label}=wbhsec_…"
    )))
}

fn header_map(headers: &Headers) -> Result<HeaderMap> {
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

/// Sends re-deliveries. Cheap to clone; keeps connections to targets open between sends.
#[derive(Clone)]
pub struct Forwarder {
    client: reqwest::Client,
    /// Secrets to re-sign with besides the saved ones (the CLI's --secret); looked up first.
    secrets: Vec<Secret>,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Forwarder {
    pub fn new() -> Result<Forwarder> {
        let client = reqwest::Client::builder()
            // Persona does not follow redirects: a 3xx is the answer, and following one would
            // turn the POST into a GET.
            .redirect(reqwest::redirect::Policy::none())
            // Targets are usually on this machine; a proxy from the environment would stand
            // between the delivery and the app under test.
            .no_proxy()
            .build()
            .map_err(|e| {
                Error::Invalid(format!(
                    "cannot start the HTTP client for re-delivery ({e}); please report this"
                ))
            })?;
        Ok(Forwarder {
            client,
            secrets: Vec::new(),
        })
    }

    /// Also re-signs with these secrets, looked up before the saved ones.
    pub fn with_secrets(mut self, secrets: Vec<Secret>) -> Forwarder {
        self.secrets = secrets;
        self
    }

    /// The secrets a re-signing label is looked up in: this forwarder's, then the saved ones.
    pub fn secrets(&self, store: &Store) -> Result<Vec<Secret>> {
        let mut all = self.secrets.clone();
        all.extend(
            store
                .secrets()?
                .into_iter()
                .map(|saved| saved.secret)
                .filter(|saved| !self.secrets.iter().any(|s| s.label == saved.label)),
        );
        Ok(all)
    }

    /// Refuses, before anything is sent, options that could not be used for any delivery: the
    /// target URL, the timeout, the re-signing label.
    pub fn check(&self, store: &Store, options: &Options) -> Result<()> {
        parse_target(&options.target)?;
        options.timeout()?;
        if let Signing::Resign { secret } = &options.signing {
            find_secret(&self.secrets(store)?, secret)?;
        }
        if let Some(headers) = &options.edits.headers {
            header_map(headers)?;
        }
        Ok(())
    }

    /// Re-delivers delivery `id` and records the attempt, whatever its result. An error means
    /// nothing was sent (unknown delivery, unusable options) or the record could not be saved.
    pub async fn redeliver(&self, store: &Store, id: i64, options: &Options) -> Result<Redelivery> {
        let outgoing = self.prepare(store, id, options)?;
        let attempt = self.send(outgoing).await;
        store.record_redelivery(id, attempt).await
    }

    /// The request for delivery `id`, signed now when re-signing; nothing is sent.
    pub fn prepare(&self, store: &Store, id: i64, options: &Options) -> Result<Outgoing> {
        let raw = store.raw(id)?;
        let secrets = match options.signing {
            Signing::Keep => Vec::new(),
            Signing::Resign { .. } => self.secrets(store)?,
        };
        prepare(
            raw,
            options,
            &secrets,
            crate::clock::now_ms().div_euclid(1000),
        )
    }

    /// Sends a prepared request and waits for the whole answer (or the timeout).
    pub async fn send(&self, outgoing: Outgoing) -> Attempt {
        let started_at_ms = crate::clock::now_ms();
        let started = Instant::now();
        let result = self.exchange(&outgoing).await;
        let duration_ms = started.elapsed().as_secs_f64() * 1e3;
        let (answer, failure) = match result {
            Ok(mut answer) => {
                answer.persona_success = persona_would_accept(answer.status, duration_ms);
                (Some(answer), None)
            }
            Err(failure) => (None, Some(failure)),
        };
        Attempt {
            origin: Origin::Manual,
            retry: 0,
            next_retry_at_ms: None,
            started_at: crate::clock::rfc3339(started_at_ms),
            started_at_ms,
            target: outgoing.target,
            method: outgoing.method,
            url: outgoing.url,
            headers: outgoing.headers,
            edited_body: outgoing.body_edited.then(|| outgoing.body.to_vec()),
            body_size: outgoing.body.len() as u64,
            signing: outgoing.signing,
            signing_note: outgoing.signing_note,
            timeout_ms: outgoing.timeout.as_millis() as u64,
            duration_ms,
            answer,
            failure,
        }
    }

    async fn exchange(&self, outgoing: &Outgoing) -> std::result::Result<Answer, Failure> {
        let url = parse_target(&outgoing.url).map_err(|e| Failure {
            kind: FailureKind::Connection,
            message: e.to_string(),
        })?;
        let unsendable = |e: Error| Failure {
            kind: FailureKind::Connection,
            message: e.to_string(),
        };
        let method = reqwest::Method::from_bytes(outgoing.method.as_bytes()).map_err(|_| {
            unsendable(Error::Invalid(format!(
                "the method \"{}\" cannot be sent",
                outgoing.method
            )))
        })?;
        let headers = header_map(&outgoing.headers).map_err(unsendable)?;
        let timeout = outgoing.timeout;
        let mut response = self
            .client
            .request(method, url.clone())
            .headers(headers)
            .body(outgoing.body.clone())
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| classify(&e, &url, timeout))?;
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = RESPONSE_CAP - body.len();
                    if chunk.len() > room {
                        // The rest is not read: dropping the response closes the connection.
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let status = match status.canonical_reason() {
                        Some(reason) => format!("{} {reason}", status.as_u16()),
                        None => status.as_u16().to_string(),
                    };
                    let failure = classify(&e, &url, timeout);
                    let message = match failure.kind {
                        FailureKind::Timeout => format!(
                            "answered {status}, but the rest of the answer did not come within \
                             {} — {}",
                            human_duration(timeout.as_secs_f64() * 1e3),
                            persona_on_timeout(timeout)
                        ),
                        _ => format!(
                            "answered {status}, then the connection broke off before the end of \
                             the answer ({})",
                            deepest_cause(&e)
                        ),
                    };
                    return Err(Failure {
                        kind: failure.kind,
                        message,
                    });
                }
            }
        }
        Ok(Answer {
            status: status.as_u16(),
            reason: status.canonical_reason().map(str::to_string),
            headers,
            body,
            truncated,
            persona_success: false,
        })
    }
}

/// Turns a client error into a reason a person can act on.
fn classify(error: &reqwest::Error, url: &Url, timeout: Duration) -> Failure {
    let host = url.host_str().unwrap_or_default();
    let place = match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let fail = |kind, message| Failure { kind, message };
    if error.is_timeout() {
        return fail(
            FailureKind::Timeout,
            format!(
                "no answer within {} — {}",
                human_duration(timeout.as_secs_f64() * 1e3),
                persona_on_timeout(timeout)
            ),
        );
    }
    let mut refused = false;
    let mut dns = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        // hyper-util's connector names its resolver failures so.
        dns |= e.to_string().starts_with("dns error");
        source = e.source();
    }
    let cause = deepest_cause(error);
    if refused {
        return fail(
            FailureKind::NotListening,
            format!("nothing is listening on {place} — is your app running?"),
        );
    }
    if dns {
        return fail(
            FailureKind::Dns,
            format!(
                "could not resolve host {host} ({cause}) — check the spelling, or use 127.0.0.1 \
                 for this machine"
            ),
        );
    }
    // Past the TCP connect, an https connector only fails in the TLS handshake.
    if error.is_connect() && url.scheme() == "https" {
        let lower = cause.to_ascii_lowercase();
        let hint = if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
            " — it looks like the target speaks plain HTTP: try http:// instead"
        } else if lower.contains("certificate") {
            " — the target's certificate is not trusted here (self-signed, expired, or for \
             another name)"
        } else {
            ""
        };
        return fail(
            FailureKind::Tls,
            format!("TLS handshake with {host} failed: {cause}{hint}"),
        );
    }
    if error.is_connect() {
        return fail(
            FailureKind::Connection,
            format!("could not connect to {place}: {cause}"),
        );
    }
    fail(
        FailureKind::Connection,
        format!("{place} closed the connection without a complete answer ({cause})"),
    )
}

fn persona_on_timeout(timeout: Duration) -> &'static str {
    if timeout >= PERSONA_TIMEOUT {
        "Persona would count this as a failure and retry"
    } else {
        "Persona would wait up to 5 s"
    }
}

/// The innermost error's message: the one that names the actual problem.
fn deepest_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
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
    crate::delivery::headers_to_json(headers).serialize(s)
}

fn base64<S: serde::Serializer>(bytes: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    use base64::Engine;
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// `Option<Vec<u8>>` as a base64 string or null.
mod base64_opt {
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
mod rows_opt {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::delivery::{Headers, headers_from_json, headers_to_json};

    pub fn serialize<S: Serializer>(headers: &Option<Headers>, s: S) -> Result<S::Ok, S::Error> {
        headers.as_ref().map(headers_to_json).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Headers>, D::Error> {
        Ok(Option::<serde_json::Value>::deserialize(d)?.map(|rows| headers_from_json(&rows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Arrival;

    fn raw(headers: &[(&str, &str)], body: &[u8]) -> Raw {
        Raw {
            id: 7,
            arrival: Arrival {
                received_at_ms: 0,
                method: "POST".into(),
                path: "/webhooks/persona".into(),
                query: Some("source=ngrok".into()),
                remote_addr: None,
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                    .collect(),
            },
            body: body.to_vec(),
            outcome: Outcome::Captured,
            source: Source::Captured,
            signature: Status::Valid,
        }
    }

    fn names(headers: &Headers) -> Vec<&str> {
        headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn paths_and_queries_join_with_one_slash_and_one_ampersand() {
        let cases = [
            (
                "http://h:3000",
                "/a/b",
                Some("x=1"),
                "http://h:3000/a/b?x=1",
            ),
            ("http://h:3000/", "/a", None, "http://h:3000/a"),
            ("http://h/api", "/a", None, "http://h/api/a"),
            ("http://h/api/", "/a", None, "http://h/api/a"),
            ("http://h/api/", "/", None, "http://h/api/"),
            ("http://h/api", "/", Some("x=1"), "http://h/api?x=1"),
            (
                "http://h/api?k=v",
                "/a",
                Some("x=1"),
                "http://h/api/a?k=v&x=1",
            ),
            ("http://h/api?k=v", "/a", None, "http://h/api/a?k=v"),
            ("http://h/api?", "/a", Some("x=1"), "http://h/api/a?x=1"),
            ("http://h/p#frag", "/a", None, "http://h/p/a"),
            (
                "http://h/p",
                "/a%20b/c",
                Some("q=%2F"),
                "http://h/p/a%20b/c?q=%2F",
            ),
        ];
        for (target, path, query, want) in cases {
            assert_eq!(
                target_url(target, path, query, true).unwrap(),
                want,
                "{target} + {path} ? {query:?}"
            );
        }
        assert_eq!(
            target_url("http://h/api?k=v", "/a", Some("x=1"), false).unwrap(),
            "http://h/api?k=v",
            "without keep_path the target is used as given"
        );
    }

    #[test]
    fn unusable_targets_say_what_to_type() {
        for (target, says) in [
            ("", "no URL"),
            ("   ", "no URL"),
            ("localhost:3000/hooks", "write http://localhost:3000/hooks"),
            ("127.0.0.1:3000", "write http://127.0.0.1:3000"),
            ("ftp://example.com/x", "only http:// and https://"),
            ("http://", "not a URL"),
            ("http://exa mple.com", "not a URL"),
        ] {
            match target_url(target, "/", None, false) {
                Ok(url) => panic!("{target:?} should be refused, got {url}"),
                Err(e) => assert!(e.to_string().contains(says), "{target:?}: {e}"),
            }
        }
    }

    #[test]
    fn hop_by_hop_and_derived_headers_are_dropped_the_rest_kept_in_order() {
        let r = raw(
            &[
                ("host", "abc.ngrok.app"),
                ("user-agent", "Persona"),
                ("connection", "keep-alive, X-Private"),
                ("x-private", "drop me"),
                ("content-length", "2"),
                ("transfer-encoding", "chunked"),
                ("keep-alive", "timeout=5"),
                ("proxy-authorization", "Basic x"),
                ("te", "trailers"),
                ("trailer", "x"),
                ("upgrade", "h2c"),
                ("expect", "100-continue"),
                ("persona-signature", "t=1,v1=aa"),
                ("x-forwarded-for", "1.2.3.4"),
                ("content-type", "application/json"),
            ],
            b"{}",
        );
        let out = prepare(r, &Options::new("http://127.0.0.1:1"), &[], 0).unwrap();
        assert_eq!(
            names(&out.headers),
            [
                "user-agent",
                "persona-signature",
                "x-forwarded-for",
                "content-type"
            ]
        );
        assert_eq!(out.body, Bytes::from_static(b"{}"));
        assert!(!out.body_edited);
    }

    #[test]
    fn resigning_replaces_every_signature_in_the_first_ones_place() {
        let r = raw(
            &[
                ("a", "1"),
                ("persona-signature", "t=1,v1=aa"),
                ("b", "2"),
                ("Persona-Signature", "t=2,v1=bb"),
            ],
            b"abc123",
        );
        let secrets = [Secret {
            label: "current".into(),
            value: "wbhsec_researchhub".into(),
        }];
        let mut options = Options::new("http://127.0.0.1:1");
        options.signing = Signing::Resign {
            secret: "current".into(),
        };
        let out = prepare(r, &options, &secrets, 1720713905).unwrap();
        assert_eq!(names(&out.headers), ["a", "persona-signature", "b"]);
        assert_eq!(
            out.headers[1].1,
            b"t=1720713905,v1=0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7",
            "Persona's public test vector"
        );
    }

    #[test]
    fn resigning_signs_the_edited_body_and_adds_a_missing_header() {
        let secrets = [Secret {
            label: "current".into(),
            value: "wbhsec_researchhub".into(),
        }];
        let mut options = Options::new("http://127.0.0.1:1");
        options.signing = Signing::Resign {
            secret: "current".into(),
        };
        options.edits.body = Some(b"abc123".to_vec());
        options.edits.headers = Some(vec![("x-edited".into(), b"yes".to_vec())]);
        let out = prepare(
            raw(&[("a", "1")], b"stored"),
            &options,
            &secrets,
            1720713905,
        )
        .unwrap();
        assert_eq!(names(&out.headers), ["x-edited", "persona-signature"]);
        assert!(String::from_utf8_lossy(&out.headers[1].1).ends_with("79814c7"));
        assert_eq!(out.body, Bytes::from_static(b"abc123"));
        assert!(out.body_edited);
    }

    #[test]
    fn an_unknown_label_or_bad_edit_is_refused_before_sending() {
        let mut options = Options::new("http://127.0.0.1:1");
        options.signing = Signing::Resign {
            secret: "nope".into(),
        };
        let secrets = [Secret {
            label: "current".into(),
            value: "wbhsec_x".into(),
        }];
        let e = prepare(raw(&[], b""), &options, &secrets, 0).unwrap_err();
        assert!(
            e.to_string().contains("no secret is labelled \"nope\"")
                && e.to_string().contains("\"current\""),
            "{e}"
        );
        let mut options = Options::new("http://127.0.0.1:1");
        options.edits.headers = Some(vec![("bad name".into(), b"x".to_vec())]);
        let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
        assert!(e.to_string().contains("not an HTTP header name"), "{e}");
        options.edits.headers = Some(vec![("x".into(), b"a\nb".to_vec())]);
        let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
        assert!(e.to_string().contains("line break"), "{e}");
        let mut options = Options::new("http://127.0.0.1:1");
        options.timeout_ms = 0;
        let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
        assert!(e.to_string().contains("timeout of 0 ms"), "{e}");
    }

    #[test]
    fn a_too_large_delivery_needs_an_edited_body() {
        let mut r = raw(&[], b"");
        r.outcome = Outcome::TooLarge;
        let e = prepare(r.clone(), &Options::new("http://h"), &[], 0).unwrap_err();
        assert!(e.to_string().contains("edit a body"), "{e}");
        let mut options = Options::new("http://h");
        options.edits.body = Some(b"{}".to_vec());
        assert!(prepare(r, &options, &[], 0).is_ok());
    }

    #[test]
    fn options_round_trip_through_json_with_defaults() {
        let options: Options =
            serde_json::from_str(r#"{"target":"http://h","signing":{"mode":"resign","secret":"current"},"edits":{"body_base64":"AP8=","headers":[["a","b"]]}}"#)
                .unwrap();
        assert_eq!(options.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert!(!options.keep_path);
        assert_eq!(options.edits.body.as_deref(), Some(&[0u8, 0xff][..]));
        assert_eq!(
            options.edits.headers,
            Some(vec![("a".to_string(), b"b".to_vec())])
        );
        let back: Options =
            serde_json::from_value(serde_json::to_value(&options).unwrap()).unwrap();
        assert_eq!(back, options);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(0.84), "0.8 ms");
        assert_eq!(human_duration(12.3), "12 ms");
        assert_eq!(human_duration(6_200.0), "6.2 s");
        assert_eq!(human_duration(5_000.0), "5 s");
        assert!(persona_would_accept(204, 4_999.0));
        assert!(!persona_would_accept(204, 5_001.0));
        assert!(!persona_would_accept(203, 1.0));
    }
}
