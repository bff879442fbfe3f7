//! A capture as a JSON fixture, and fixtures read back and stored as imports.

use std::io::Read as _;
use std::str::FromStr;

use axum::http::uri::PathAndQuery;
use axum::http::{HeaderName, HeaderValue, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::capture::DEFAULT_MAX_BODY;
use crate::error::{Error, Result};
use crate::model::{
    Arrival, Headers, NewDelivery, Outcome, Source, Status, Verdict, Verification, format_size,
};
use crate::store::{Store, Stored};
use crate::view::Detail;

/// The `format` every fixture carries.
pub const FIXTURE_FORMAT: &str = "persona-inspector-fixture";
/// The fixture version this build writes and reads.
pub const FIXTURE_VERSION: u64 = 1;
/// The largest fixture file read unless told otherwise: room for a few bodies at the
/// listener's default limit, in base64.
pub const DEFAULT_MAX_FILE: usize = 64 * 1024 * 1024;

/// How much an import reads: a fixture is input from anyone, like a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest fixture file (or pasted text), in bytes.
    pub max_file: usize,
    /// The largest body of one delivery, decoded: the listener's own limit by default.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file: DEFAULT_MAX_FILE,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// Reads at most `limits.max_file` bytes of `input`, named `source` in the error that refuses a
/// longer one (the rest is never read).
pub fn read_limited(source: &str, input: impl std::io::Read, limits: &Limits) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(limits.max_file as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Invalid(format!("cannot read {source}: {e}")))?;
    check_file_size(source, bytes.len() as u64, limits)?;
    Ok(bytes)
}

/// Refuses a fixture file over `limits.max_file`.
pub fn check_file_size(source: &str, size: u64, limits: &Limits) -> Result<()> {
    if size > limits.max_file as u64 {
        return Err(Error::Invalid(format!(
            "{source} is over the {} limit for a fixture file — split it, or raise the limit \
             with `import --max-file`",
            format_size(limits.max_file as u64)
        )));
    }
    Ok(())
}

/// The delivery as a fixture: what arrived (request line, headers with exact bytes, body in
/// base64, outcome) and, for people reading it, what the inspector made of it. Importing uses
/// only what arrived and works the rest out again.
pub fn fixture(detail: &Detail) -> Value {
    let s = &detail.summary;
    json!({
        "format": FIXTURE_FORMAT,
        "version": FIXTURE_VERSION,
        "delivery": {
            "received_at": s.received_at,
            "method": s.method,
            "path": s.path,
            "query": s.query,
            "remote_addr": s.remote_addr,
            "outcome": s.outcome,
            "headers": detail.headers,
            "body_base64": detail.body_base64,
            "body_size": s.body_size,
            "source_id": s.id,
            "event_id": s.event_id,
            "event_name": s.event_name,
            "event_created_at": s.event_created_at,
            "resource": s.resource,
            "attempts": s.attempts,
            "signature": s.signature,
        }
    })
}

/// What a fixture says arrived, before the inspector analyses it again.
#[derive(Clone, Debug, PartialEq)]
pub struct FixtureDelivery {
    pub arrival: Arrival,
    pub body: Vec<u8>,
    pub body_size: u64,
    pub outcome: Outcome,
    /// The verdict recorded at export, kept only for a `too_large` row, which has no body to
    /// verify again.
    pub too_large_verdict: Option<Verdict>,
}

impl FixtureDelivery {
    /// Verifies and parses it as the listener would have, at the arrival time it claims, and
    /// marks it imported at `imported_at_ms`, keeping the claimed time apart.
    pub fn analyse(self, verification: &Verification, imported_at_ms: i64) -> NewDelivery {
        let claimed_at_ms = self.arrival.received_at_ms;
        let mut delivery = self.analysed(verification);
        delivery.source = Source::Imported;
        delivery.original_received_at_ms = Some(claimed_at_ms);
        delivery.arrival.received_at_ms = imported_at_ms;
        delivery
    }

    fn analysed(self, verification: &Verification) -> NewDelivery {
        match self.outcome {
            Outcome::Captured => NewDelivery::captured(self.arrival, self.body, verification),
            Outcome::TooLarge => {
                let mut delivery = NewDelivery::too_large(self.arrival, self.body_size, 0);
                delivery.signature = self.too_large_verdict.unwrap_or_else(|| {
                    Verdict::new(
                        Status::Unchecked,
                        "The body was over the size limit and was not kept, so the signature \
                         could not be checked."
                            .into(),
                        0,
                    )
                });
                delivery
            }
        }
    }
}

/// Reads one fixture, or a JSON array of them, from `bytes`. `source` names the input (a file
/// name, "standard input") in errors, which also name the offending field. Refuses input over
/// `limits.max_file` and a body over `limits.max_body`.
pub fn read_fixtures(source: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<FixtureDelivery>> {
    check_file_size(source, bytes.len() as u64, limits)?;
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::Invalid(format!(
            "{source} is not JSON ({e}) — expected a fixture written by `persona-inspector export --fixture`"
        ))
    })?;
    fixtures_in(source, &value, limits)
}

/// The fixtures in `value`: one, or an array of them.
pub(super) fn fixtures_in(
    source: &str,
    value: &Value,
    limits: &Limits,
) -> Result<Vec<FixtureDelivery>> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| read_fixture(&Place::new(source, format!("[{i}]")), item, limits))
            .collect(),
        _ => Ok(vec![read_fixture(
            &Place::new(source, String::new()),
            value,
            limits,
        )?]),
    }
}

/// Stores fixtures, all in one transaction (all or nothing), marked imported: signatures
/// verified with the store's saved secrets and stale tolerance, bodies parsed. Blocks.
pub fn import(store: &Store, deliveries: Vec<FixtureDelivery>) -> Result<Vec<Stored>> {
    let verification = Verification {
        secrets: store.secrets()?.into_iter().map(|s| s.secret).collect(),
        tolerance_seconds: store.settings()?.tolerance_seconds,
    };
    let now = crate::clock::now_ms();
    let analysed = deliveries
        .into_iter()
        .map(|d| d.analyse(&verification, now))
        .collect();
    store.insert_many(analysed)
}

/// A field's place in the input, for error messages: `fixtures.json: [2].delivery.method`.
pub(super) struct Place<'a> {
    source: &'a str,
    path: String,
}

impl<'a> Place<'a> {
    pub(super) fn new(source: &'a str, path: String) -> Place<'a> {
        Place { source, path }
    }

    pub(super) fn field(&self, name: &str) -> Place<'a> {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        Place::new(self.source, path)
    }

    pub(super) fn index(&self, i: usize) -> Place<'a> {
        Place::new(self.source, format!("{}[{i}]", self.path))
    }

    pub(super) fn error(&self, problem: &str) -> Error {
        if self.path.is_empty() {
            Error::Invalid(format!("{}: {problem}", self.source))
        } else {
            Error::Invalid(format!("{}: {} {problem}", self.source, self.path))
        }
    }
}

pub(super) fn object<'v>(at: &Place, value: &'v Value) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| at.error("must be a JSON object"))
}

pub(super) fn required<'v>(
    at: &Place,
    object: &'v Map<String, Value>,
    name: &str,
) -> Result<&'v Value> {
    object
        .get(name)
        .ok_or_else(|| at.field(name).error("is missing"))
}

pub(super) fn string<'v>(at: &Place, value: &'v Value) -> Result<&'v str> {
    value.as_str().ok_or_else(|| at.error("must be a string"))
}

/// A string that may be null or absent.
pub(super) fn optional_string(
    at: &Place,
    object: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Ok(Some(string(&at.field(name), value)?.to_string())),
    }
}

fn read_fixture(at: &Place, value: &Value, limits: &Limits) -> Result<FixtureDelivery> {
    let top = object(at, value)?;
    let format = required(at, top, "format")?;
    if format.as_str() != Some(FIXTURE_FORMAT) {
        return Err(at.field("format").error(&format!(
            "is {format}, not \"{FIXTURE_FORMAT}\": this is not a persona-inspector fixture"
        )));
    }
    let version = required(at, top, "version")?;
    match version.as_u64() {
        Some(FIXTURE_VERSION) => {}
        Some(newer) if newer > FIXTURE_VERSION => {
            return Err(at.field("version").error(&format!(
                "is {newer}: the fixture was written by a newer persona-inspector (this one reads \
                 version {FIXTURE_VERSION}) — upgrade to import it"
            )));
        }
        _ => {
            return Err(at.field("version").error(&format!(
                "is {version}; this persona-inspector reads version {FIXTURE_VERSION}"
            )));
        }
    }
    let delivery = required(at, top, "delivery")?;
    let at = at.field("delivery");
    let d = object(&at, delivery)?;

    let received_at_ms = time_ms(&at.field("received_at"), required(&at, d, "received_at")?)?;
    let method = method(&at.field("method"), required(&at, d, "method")?)?;
    let path = string(&at.field("path"), required(&at, d, "path")?)?.to_string();
    let query = optional_string(&at, d, "query")?;
    request_target(&at.field("path"), &path, query.as_deref())?;
    let remote_addr = optional_string(&at, d, "remote_addr")?;

    let outcome = match d.get("outcome") {
        None | Some(Value::Null) => Outcome::Captured,
        Some(value) => {
            let text = string(&at.field("outcome"), value)?;
            Outcome::parse(text).ok_or_else(|| {
                at.field("outcome")
                    .error(&format!("is \"{text}\", not \"captured\" or \"too_large\""))
            })?
        }
    };

    let headers = read_headers(&at.field("headers"), required(&at, d, "headers")?)?;

    let body_field = at.field("body_base64");
    let body = BASE64
        .decode(string(&body_field, required(&at, d, "body_base64")?)?)
        .map_err(|e| body_field.error(&not_base64(e)))?;
    check_body_size(&body_field, body.len(), limits)?;
    let body_size = match d.get("body_size") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_u64().ok_or_else(|| {
            at.field("body_size")
                .error("must be a whole number of bytes")
        })?),
    };
    let body_size = match (outcome, body_size) {
        (Outcome::Captured, Some(size)) if size != body.len() as u64 => {
            return Err(at.field("body_size").error(&format!(
                "is {size}, but body_base64 holds {} bytes",
                body.len()
            )));
        }
        (Outcome::Captured, _) => body.len() as u64,
        (Outcome::TooLarge, _) if !body.is_empty() => {
            return Err(
                body_field.error("must be empty for a too_large delivery (its body was not kept)")
            );
        }
        (Outcome::TooLarge, Some(size)) => size,
        (Outcome::TooLarge, None) => {
            return Err(at.field("body_size").error(
                "is missing: a too_large delivery needs the size that was announced or read",
            ));
        }
    };
    // Only a too_large row keeps the exported verdict: there is no body to check again.
    let too_large_verdict = match outcome {
        Outcome::TooLarge => d
            .get("signature")
            .and_then(|v| serde_json::from_value::<Verdict>(v.clone()).ok())
            .filter(|v| v.status == Status::Unchecked),
        Outcome::Captured => None,
    };

    Ok(FixtureDelivery {
        arrival: Arrival {
            received_at_ms,
            method,
            path,
            query,
            remote_addr,
            headers,
        },
        body,
        body_size,
        outcome,
        too_large_verdict,
    })
}

/// An RFC 3339 time, in unix milliseconds.
pub(super) fn time_ms(at: &Place, value: &Value) -> Result<i64> {
    let text = string(at, value)?;
    let time = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        at.error(&format!(
            "is not an RFC 3339 time ({e}), e.g. \"2026-11-22T10:04:05.123Z\""
        ))
    })?;
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).map_err(|_| at.error("is out of range"))
}

/// An HTTP method.
pub(super) fn method(at: &Place, value: &Value) -> Result<String> {
    let method = string(at, value)?;
    if method.is_empty() || Method::from_bytes(method.as_bytes()).is_err() {
        return Err(at.error(&format!(
            "\"{method}\" is not an HTTP method, e.g. \"POST\""
        )));
    }
    Ok(method.to_string())
}

/// Refuses a path and query no HTTP server would have received as a request target.
pub(super) fn request_target(at: &Place, path: &str, query: Option<&str>) -> Result<()> {
    let target = match query {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    match PathAndQuery::from_str(&target) {
        Ok(pq) if pq.path() == path && pq.query() == query && path.starts_with('/') => Ok(()),
        _ => Err(at.error(&format!(
            "and query \"{target}\" are not a request target an HTTP server would accept \
             (a path starting with /, an optional query, no fragment)"
        ))),
    }
}

/// The body over `limits.max_body` is refused, naming the limit.
pub(super) fn check_body_size(at: &Place, size: usize, limits: &Limits) -> Result<()> {
    if size > limits.max_body {
        return Err(at.error(&format!(
            "holds {}, over the {} limit for one body — raise it with `import --max-body`",
            format_size(size as u64),
            format_size(limits.max_body as u64)
        )));
    }
    Ok(())
}

/// A header as a server would have received it: a valid name (lower-cased, as the listener
/// stores names; `name_at` is its place) and a value without control characters.
pub(super) fn header_row(
    at: &Place,
    name_at: &Place,
    name: &str,
    value: Vec<u8>,
) -> Result<(String, Vec<u8>)> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| name_at.error(&format!("\"{name}\" is not a header name")))?;
    if HeaderValue::from_bytes(&value).is_err() {
        return Err(at.error(
            "has a value with a control character (CR, LF, NUL…), which no HTTP header can carry",
        ));
    }
    Ok((name.as_str().to_string(), value))
}

pub(super) fn not_base64(e: base64::DecodeError) -> String {
    format!(
        "is not valid base64 ({}) — it must hold the exact bytes in standard, padded base64",
        e.to_string().trim_end_matches('.')
    )
}

/// `[[name, value], [name, lossy value, base64 of the exact bytes], …]`, held to what an HTTP
/// server accepts, so an imported delivery could have arrived over the wire.
fn read_headers(at: &Place, value: &Value) -> Result<Headers> {
    let rows = value
        .as_array()
        .ok_or_else(|| at.error("must be an array of [name, value] pairs"))?;
    let mut headers = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let at = at.index(i);
        let cells = match row.as_array() {
            Some(cells) if (2..=3).contains(&cells.len()) => cells,
            _ => {
                return Err(
                    at.error("must be [name, value], or [name, value, base64 of the exact bytes]")
                );
            }
        };
        let name = string(&at.index(0), &cells[0])?;
        let bytes = match cells.get(2) {
            Some(exact) => BASE64
                .decode(string(&at.index(2), exact)?)
                .map_err(|e| at.index(2).error(&not_base64(e)))?,
            None => string(&at.index(1), &cells[1])?.as_bytes().to_vec(),
        };
        headers.push(header_row(&at, &at.index(0), name, bytes)?);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests;
