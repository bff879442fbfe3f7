//! Sharing a capture: as a curl command that sends the same request again, and as a JSON
//! fixture another inspector imports (it is then verified and parsed as if it had just arrived).
//!
//! A fixture is whatever its author wrote: its arrival time, address and headers are claims.
//! An import is marked `imported` (never re-signed without asking), keeps the claimed arrival
//! time apart from its own, and is bounded in size like the listener's captures.

use std::fmt::Write as _;
use std::io::Read as _;
use std::str::FromStr;

use axum::http::uri::PathAndQuery;
use axum::http::{HeaderName, HeaderValue, Method, Uri};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::capture::{DEFAULT_MAX_BODY, DEFAULT_PORT};
use crate::delivery::{
    Arrival, Headers, NewDelivery, Outcome, Source, Verification, format_size, headers_from_json,
};
use crate::error::{Error, Result};
use crate::signature::{Status, Verdict};
use crate::store::{Detail, Store, Stored};

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

/// Where a curl command sends the delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// An `http://` or `https://` URL.
    pub url: String,
    /// Append the delivery's original path and query to `url`.
    pub append_path: bool,
}

impl Target {
    /// The inspector's own listener on this machine, at the delivery's original path.
    pub fn local(port: u16) -> Target {
        Target {
            url: format!("http://127.0.0.1:{port}"),
            append_path: true,
        }
    }

    /// Another URL (usually the app under development); refuses what curl could not send to.
    pub fn url(url: &str, append_path: bool) -> Result<Target> {
        let invalid = |why: &str| {
            Error::Invalid(format!(
                "\"{url}\" is not a URL to send to ({why}) — give one like http://127.0.0.1:3000/webhooks"
            ))
        };
        let parsed = Uri::from_str(url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(parsed.scheme_str(), Some("http" | "https")) {
            return Err(invalid("it must start with http:// or https://"));
        }
        if parsed.authority().is_none() {
            return Err(invalid("it names no host"));
        }
        if append_path && parsed.query().is_some() {
            return Err(invalid(
                "it has a query, so the original path cannot be appended to it",
            ));
        }
        Ok(Target {
            url: url.to_string(),
            append_path,
        })
    }

    /// The URL for a delivery received at `path` with `query`.
    pub fn for_delivery(&self, path: &str, query: Option<&str>) -> String {
        if !self.append_path {
            return self.url.clone();
        }
        let mut url = self.url.trim_end_matches('/').to_string();
        url.push_str(path);
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        url
    }
}

impl Default for Target {
    fn default() -> Target {
        Target::local(DEFAULT_PORT)
    }
}

/// A shell command (POSIX sh, bash, zsh) that sends the delivery again with curl, byte for byte:
/// the method, every header as received except the hop-by-hop ones and those curl derives (Host,
/// Content-Length, Expect), and the exact body. curl's own default headers (User-Agent, Accept,
/// a form Content-Type) are suppressed when the delivery did not carry them.
///
/// Everything is single-quoted, so nothing in a payload is ever run by the shell. A header value
/// that is not printable UTF-8 is rebuilt with `printf` octal escapes; a body that is not
/// printable UTF-8 travels as base64 through `base64 -d`. A body always reaches curl on its
/// standard input (`--data-binary @-`), so its size is not bound by the argument limit.
pub fn curl(detail: &Detail, target: &Target) -> Result<String> {
    let s = &detail.summary;
    if s.outcome == Outcome::TooLarge {
        return Err(Error::Invalid(format!(
            "delivery {} was over the body limit when it arrived and its body was not kept, so \
             curl cannot reproduce it — export it with --fixture to share its headers",
            s.id
        )));
    }
    let body = BASE64.decode(&detail.body_base64).map_err(|e| {
        Error::Invalid(format!(
            "the stored body of delivery {} is not valid base64 ({e}); the database may be damaged",
            s.id
        ))
    })?;
    let headers = headers_from_json(&detail.headers);
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let head = s.method.eq_ignore_ascii_case("HEAD");
    // A request framed with Content-Length (or chunked) had a body, even an empty one.
    let sends_body =
        !head && (!body.is_empty() || has("content-length") || has("transfer-encoding"));
    if head && !body.is_empty() {
        return Err(Error::Invalid(format!(
            "delivery {} is a HEAD request with a body, which curl cannot send",
            s.id
        )));
    }

    let mut lines = Vec::new();
    if !body.is_empty() {
        lines.push(body_source(&body));
    }
    let mut first = String::from("curl --globoff --path-as-is");
    // --head, not --request HEAD: with the latter curl waits for a body that never comes.
    if head {
        first.push_str(" --head");
    } else {
        write!(first, " --request {}", shell_word(s.method.as_bytes())?).ok();
    }
    let url = target.for_delivery(&s.path, s.query.as_deref());
    write!(first, " {}", shell_word(url.as_bytes())?).ok();
    lines.push(first);

    // The same headers a re-delivery leaves out: hop-by-hop ones and those curl derives itself
    // (Host, Content-Length, Expect).
    for (name, value) in &crate::forward::forwardable(headers.clone()) {
        // `Name;` is curl's spelling of a header with an empty value (`Name:` removes one).
        let mut line = name.as_bytes().to_vec();
        if value.is_empty() {
            line.push(b';');
        } else {
            line.extend_from_slice(b": ");
            line.extend_from_slice(value);
        }
        lines.push(format!("--header {}", shell_word(&line)?));
    }
    let mut suppressed = Vec::new();
    for name in ["User-Agent", "Accept"] {
        if !has(name) {
            suppressed.push(name);
        }
    }
    if sends_body {
        if !has("content-type") {
            suppressed.push("Content-Type");
        }
        // curl asks for 100-continue before a larger body; the sender did not.
        suppressed.push("Expect");
    }
    if !suppressed.is_empty() {
        let flags: Vec<String> = suppressed
            .iter()
            .map(|name| format!("--header '{name}:'"))
            .collect();
        lines.push(flags.join(" "));
    }
    if !body.is_empty() {
        lines.push("--data-binary @-".into());
    } else if sends_body {
        lines.push("--data-binary ''".into());
    }

    // One argument per line, continued with backslashes, to read and to edit.
    // With a body, the first line feeds the pipe and curl's options are indented under it.
    let piped = !body.is_empty();
    let mut command = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            command.push_str(" \\\n");
            command.push_str(match (piped, i) {
                (true, 1) => "  | ",
                (true, _) => "      ",
                (false, _) => "  ",
            });
        }
        command.push_str(line);
    }
    Ok(command)
}

/// `printf '%s' '<body>'` for printable text (readable and editable), otherwise its base64
/// decoded by `base64 -d`. `printf` is a shell builtin, so even a large body passes no
/// argument to a program.
fn body_source(body: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(body) {
        // Control characters other than newlines would be mangled when pasted into a terminal.
        if !text.chars().any(|c| c.is_control() && c != '\n') {
            return format!("printf '%s' {}", single_quoted(text));
        }
    }
    let encoded = BASE64.encode(body);
    // Wrapped like `base64` does; `base64 -d` skips the newlines.
    let wrapped: Vec<_> = encoded
        .as_bytes()
        .chunks(76)
        .map(String::from_utf8_lossy)
        .collect();
    format!("printf '%s' '{}' | base64 -d", wrapped.join("\n"))
}

/// One shell word that expands to exactly `bytes`. Printable UTF-8 is single-quoted as is;
/// anything else is produced by `printf` with octal escapes, inside double quotes so it stays
/// one word. NUL and trailing newlines cannot be passed this way, and never occur in a
/// method, URL or header line.
fn shell_word(bytes: &[u8]) -> Result<String> {
    if bytes.contains(&0) || bytes.ends_with(b"\n") {
        return Err(Error::Invalid(
            "a request line or header holds a NUL or a trailing newline, which no shell argument can carry".into(),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.chars().any(char::is_control)
    {
        return Ok(single_quoted(text));
    }
    let mut format = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        match byte {
            b'%' => format.push_str("%%"),
            b'\\' => format.push_str("\\\\"),
            b'\'' => format.push_str("\\047"),
            0x20..=0x7e => format.push(byte as char),
            _ => {
                write!(format, "\\{byte:03o}").ok();
            }
        }
    }
    Ok(format!("\"$(printf '{format}')\""))
}

/// `'text'`, with each `'` written as `'\''` (close, escaped quote, reopen).
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
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
    match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| read_fixture(&Place::new(source, format!("[{i}]")), item, limits))
            .collect(),
        _ => Ok(vec![read_fixture(
            &Place::new(source, String::new()),
            &value,
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
struct Place<'a> {
    source: &'a str,
    path: String,
}

impl<'a> Place<'a> {
    fn new(source: &'a str, path: String) -> Place<'a> {
        Place { source, path }
    }

    fn field(&self, name: &str) -> Place<'a> {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        Place::new(self.source, path)
    }

    fn index(&self, i: usize) -> Place<'a> {
        Place::new(self.source, format!("{}[{i}]", self.path))
    }

    fn error(&self, problem: &str) -> Error {
        if self.path.is_empty() {
            Error::Invalid(format!("{}: {problem}", self.source))
        } else {
            Error::Invalid(format!("{}: {} {problem}", self.source, self.path))
        }
    }
}

fn object<'v>(at: &Place, value: &'v Value) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| at.error("must be a JSON object"))
}

fn required<'v>(at: &Place, object: &'v Map<String, Value>, name: &str) -> Result<&'v Value> {
    object
        .get(name)
        .ok_or_else(|| at.field(name).error("is missing"))
}

fn string<'v>(at: &Place, value: &'v Value) -> Result<&'v str> {
    value.as_str().ok_or_else(|| at.error("must be a string"))
}

/// A string that may be null or absent.
fn optional_string(at: &Place, object: &Map<String, Value>, name: &str) -> Result<Option<String>> {
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

    let received_at = string(&at.field("received_at"), required(&at, d, "received_at")?)?;
    let received_at = OffsetDateTime::parse(received_at, &Rfc3339).map_err(|e| {
        at.field("received_at").error(&format!(
            "is not an RFC 3339 time ({e}), e.g. \"2026-11-22T10:04:05.123Z\""
        ))
    })?;
    let received_at_ms = i64::try_from(received_at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| at.field("received_at").error("is out of range"))?;

    let method = string(&at.field("method"), required(&at, d, "method")?)?;
    if method.is_empty() || Method::from_bytes(method.as_bytes()).is_err() {
        return Err(at.field("method").error(&format!(
            "\"{method}\" is not an HTTP method, e.g. \"POST\""
        )));
    }
    let path = string(&at.field("path"), required(&at, d, "path")?)?.to_string();
    let query = optional_string(&at, d, "query")?;
    let target = match &query {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    match PathAndQuery::from_str(&target) {
        Ok(pq) if pq.path() == path && pq.query() == query.as_deref() && path.starts_with('/') => {}
        _ => {
            return Err(at.field("path").error(&format!(
                "and query \"{target}\" are not a request target an HTTP server would accept \
                 (a path starting with /, an optional query, no fragment)"
            )));
        }
    }
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
    if body.len() > limits.max_body {
        return Err(body_field.error(&format!(
            "holds {}, over the {} limit for one body — raise it with `import --max-body`",
            format_size(body.len() as u64),
            format_size(limits.max_body as u64)
        )));
    }
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
            method: method.to_string(),
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

fn not_base64(e: base64::DecodeError) -> String {
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
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            at.index(0)
                .error(&format!("\"{name}\" is not a header name"))
        })?;
        let bytes = match cells.get(2) {
            Some(exact) => BASE64
                .decode(string(&at.index(2), exact)?)
                .map_err(|e| at.index(2).error(&not_base64(e)))?,
            None => string(&at.index(1), &cells[1])?.as_bytes().to_vec(),
        };
        if HeaderValue::from_bytes(&bytes).is_err() {
            return Err(at.error(
                "has a value with a control character (CR, LF, NUL…), which no HTTP header can carry",
            ));
        }
        // Lower-case, as the listener stores names.
        headers.push((name.as_str().to_string(), bytes));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quotes_survive_quoting() {
        assert_eq!(single_quoted("it's"), r"'it'\''s'");
        assert_eq!(single_quoted("$(rm -rf ~)`x`"), "'$(rm -rf ~)`x`'");
    }

    #[test]
    fn bytes_that_are_not_printable_utf8_go_through_printf_escapes() {
        let word = shell_word(&[b'a', 0xff, b'%', b'\'', b'\\', b'\t']).expect("word");
        assert_eq!(word, r#""$(printf 'a\377%%\047\\\011')""#);
        assert!(shell_word(b"a\0b").is_err());
        assert!(shell_word(b"ab\n").is_err());
    }

    #[test]
    fn the_target_appends_the_original_path_only_when_asked() {
        let local = Target::default();
        assert_eq!(
            local.for_delivery("/hook", Some("a=b")),
            "http://127.0.0.1:4747/hook?a=b"
        );
        let exact = Target::url("http://localhost:3000/webhooks", false).expect("url");
        assert_eq!(
            exact.for_delivery("/hook", Some("a=b")),
            "http://localhost:3000/webhooks"
        );
        let appended = Target::url("http://localhost:3000/base/", true).expect("url");
        assert_eq!(
            appended.for_delivery("/hook", None),
            "http://localhost:3000/base/hook"
        );
        for bad in ["localhost:3000", "ftp://x/", "http:///x", "not a url"] {
            let error = Target::url(bad, false).expect_err(bad).to_string();
            assert!(error.contains("http://127.0.0.1:3000"), "{bad}: {error}");
        }
        assert!(Target::url("http://x/?a=b", true).is_err());
    }

    fn fixture_text(delivery: Value) -> Vec<u8> {
        json!({"format": FIXTURE_FORMAT, "version": 1, "delivery": delivery})
            .to_string()
            .into_bytes()
    }

    fn minimal() -> Value {
        json!({
            "received_at": "2026-11-22T10:04:05.123Z",
            "method": "POST",
            "path": "/",
            "headers": [["content-type", "application/json"]],
            "body_base64": "e30=",
        })
    }

    #[test]
    fn a_minimal_fixture_reads_with_defaults() {
        let read =
            read_fixtures("f.json", &fixture_text(minimal()), &Limits::default()).expect("reads");
        assert_eq!(read.len(), 1);
        let d = &read[0];
        assert_eq!(d.arrival.received_at_ms, 1_795_341_845_123);
        assert_eq!(d.body, b"{}");
        assert_eq!(d.body_size, 2);
        assert_eq!(d.outcome, Outcome::Captured);
        assert_eq!(d.arrival.query, None);
    }

    #[test]
    fn bad_fixtures_are_refused_naming_the_file_and_the_field() {
        let with = |key: &str, value: Value| {
            let mut d = minimal();
            d[key] = value;
            fixture_text(d)
        };
        let without = |key: &str| {
            let mut d = minimal();
            d.as_object_mut().map(|o| o.remove(key));
            fixture_text(d)
        };
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"{".to_vec(), "f.json is not JSON"),
            (
                br#"{"format": "har", "version": 1, "delivery": {}}"#.to_vec(),
                "f.json: format is \"har\"",
            ),
            (
                json!({"format": FIXTURE_FORMAT, "version": 2, "delivery": minimal()})
                    .to_string()
                    .into_bytes(),
                "newer persona-inspector",
            ),
            (
                json!({"format": FIXTURE_FORMAT, "version": 1}).to_string().into_bytes(),
                "f.json: delivery is missing",
            ),
            (without("method"), "f.json: delivery.method is missing"),
            (without("body_base64"), "delivery.body_base64 is missing"),
            (with("body_base64", json!("%%%")), "delivery.body_base64 is not valid base64"),
            (with("received_at", json!("yesterday")), "delivery.received_at is not an RFC 3339"),
            (with("method", json!("PO ST")), "is not an HTTP method"),
            (with("path", json!("no-slash")), "delivery.path"),
            (with("body_size", json!(7)), "delivery.body_size is 7"),
            (with("outcome", json!("lost")), "delivery.outcome is \"lost\""),
            (with("headers", json!([["x", "a", "!!"]])), "delivery.headers[0][2] is not valid base64"),
            (with("headers", json!([["x"]])), "delivery.headers[0] must be"),
            (with("headers", json!([["bad name", "v"]])), "delivery.headers[0][0]"),
            (with("headers", json!([["x", "a\r\nb"]])), "delivery.headers[0] has a value"),
            (
                json!([{"format": FIXTURE_FORMAT, "version": 1, "delivery": minimal()}, {"format": FIXTURE_FORMAT}])
                    .to_string()
                    .into_bytes(),
                "f.json: [1].version is missing",
            ),
            (
                fixture_text(json!({
                    "received_at": "2026-11-22T10:04:05.123Z", "method": "POST", "path": "/",
                    "headers": [], "body_base64": "", "outcome": "too_large",
                })),
                "delivery.body_size is missing",
            ),
        ];
        for (input, expected) in cases {
            let error = read_fixtures("f.json", &input, &Limits::default())
                .expect_err(expected)
                .to_string();
            assert!(
                error.contains(expected),
                "expected {expected:?} in: {error}"
            );
        }
    }
}
