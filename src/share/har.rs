//! Deliveries as an HTTP Archive (HAR 1.2), which browser developer tools, Insomnia, Postman and
//! HTTP Toolkit open, and HAR files read back as imports.
//!
//! The fields are those of the HAR 1.2 specification
//! (http://www.softwareishard.com/blog/har-12-spec/); what it has no field for is kept in
//! custom fields, which it allows when their names start with `_`:
//! - a request body that is not UTF-8 text cannot be `postData.text` (a JSON string, read as the
//!   body's text), and HAR's `encoding` exists only on the response's `content`. So such a body
//!   is left out of `postData` and kept exactly as HTTP Toolkit keeps it: `_content: {text:
//!   <base64>, size, encoding: "base64"}` with `_requestBodyStatus:
//!   "discarded:not-representable"` (httptoolkit-ui, src/model/http/har.ts). HTTP Toolkit reads
//!   it back; so does `import`.
//! - a header value that is not UTF-8 keeps its exact bytes in `_valueBase64`;
//! - the entry says which delivery it was (`_deliveryId`), where it came from (`_source`), the
//!   peer address (`_remoteAddr`) and, for a body over the listener's limit, `_outcome:
//!   "too_large"` (its `bodySize` is then the size that was refused).
//!
//! The response is the listener's own answer: the status it sent, which the store keeps; its
//! headers and body are not kept, so they are empty, and a comment says so.

use std::io::Write;

use axum::http::StatusCode;
use axum::http::uri::Authority;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use super::fixture::{
    FixtureDelivery, Limits, Place, check_body_size, header_row, method, not_base64, object,
    optional_string, request_target, required, string, time_ms,
};
use crate::error::{Error, Result};
use crate::model::{Headers, Outcome, Source, header};
use crate::store::{Raw, Store};

/// The HAR version written.
pub const HAR_VERSION: &str = "1.2";

/// Writes deliveries `ids` of `store` to `out` as one HAR log, reading one delivery at a time,
/// so a large export never holds every body at once.
pub fn write_har(store: &Store, ids: &[i64], out: &mut impl Write) -> Result<()> {
    let creator = json!({"name": "persona-inspector", "version": env!("CARGO_PKG_VERSION")});
    write!(
        out,
        "{{\"log\":{{\"version\":\"{HAR_VERSION}\",\"creator\":{creator},\"entries\":["
    )?;
    for (n, id) in ids.iter().enumerate() {
        out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &entry(&store.raw(*id)?)).map_err(|e| {
            match e.is_io() {
                true => Error::Io(e.into()),
                false => Error::Invalid(format!("delivery {id} could not be written: {e}")),
            }
        })?;
    }
    writeln!(out, "\n]}}}}")?;
    Ok(())
}

/// One stored delivery as a HAR entry.
pub fn entry(raw: &Raw) -> Value {
    let a = &raw.arrival;
    let mut request = Map::new();
    request.insert("method".into(), json!(a.method));
    request.insert("url".into(), json!(url(raw)));
    request.insert("httpVersion".into(), json!("HTTP/1.1"));
    request.insert("cookies".into(), json!(cookies(&a.headers)));
    let headers: Vec<Value> = a.headers.iter().map(|(n, v)| har_header(n, v)).collect();
    request.insert("headers".into(), json!(headers));
    request.insert(
        "queryString".into(),
        json!(query_string(a.query.as_deref())),
    );
    // The listener does not keep the request head's exact bytes.
    request.insert("headersSize".into(), json!(-1));
    request.insert("bodySize".into(), json!(raw.body_size));
    match (raw.outcome, std::str::from_utf8(&raw.body)) {
        (Outcome::TooLarge, _) => {
            request.insert(
                "comment".into(),
                json!(format!(
                    "The body ({} bytes) was over the listener's limit and was not kept.",
                    raw.body_size
                )),
            );
        }
        (Outcome::Captured, _) if raw.body.is_empty() => {}
        (Outcome::Captured, Ok(text)) => {
            request.insert(
                "postData".into(),
                json!({"mimeType": mime_type(&a.headers), "text": text}),
            );
        }
        (Outcome::Captured, Err(_)) => {
            request.insert(
                "_requestBodyStatus".into(),
                json!("discarded:not-representable"),
            );
            request.insert(
                "_content".into(),
                json!({
                    "text": BASE64.encode(&raw.body),
                    "size": raw.body.len(),
                    "encoding": "base64",
                }),
            );
            request.insert(
                "comment".into(),
                json!(
                    "The body is not UTF-8 text, so it is not in postData: _content holds its \
                     exact bytes in base64."
                ),
            );
        }
    }
    json!({
        "startedDateTime": crate::clock::rfc3339(a.received_at_ms),
        // The listener keeps no timings of its exchanges.
        "time": 0,
        "request": request,
        "response": response(raw),
        "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
                    "send": 0, "wait": 0, "receive": 0},
        "_deliveryId": raw.id,
        "_source": raw.source.as_str(),
        "_outcome": raw.outcome.as_str(),
        "_remoteAddr": a.remote_addr,
    })
}

/// The request's URL: the host it was sent to (its `Host` header, or `localhost` when that is
/// missing or no host) and the path and query exactly as received. `https` when it came
/// through a proxy on this machine that says the sender used it (ngrok's `X-Forwarded-Proto`).
fn url(raw: &Raw) -> String {
    let a = &raw.arrival;
    let host = header(&a.headers, "host")
        .and_then(|h| std::str::from_utf8(h).ok())
        .filter(|h| h.parse::<Authority>().is_ok())
        .unwrap_or("localhost");
    let from_this_machine = a
        .remote_addr
        .as_deref()
        .and_then(|addr| addr.parse::<std::net::SocketAddr>().ok())
        .is_some_and(|addr| addr.ip().to_canonical().is_loopback());
    let proto = header(&a.headers, "x-forwarded-proto")
        .and_then(|p| std::str::from_utf8(p).ok())
        .and_then(|p| p.rsplit(',').next())
        .map(str::trim);
    let scheme = match (from_this_machine, proto) {
        (true, Some("https")) => "https",
        _ => "http",
    };
    match &a.query {
        Some(query) => format!("{scheme}://{host}{}?{query}", a.path),
        None => format!("{scheme}://{host}{}", a.path),
    }
}

fn har_header(name: &str, value: &[u8]) -> Value {
    match std::str::from_utf8(value) {
        Ok(text) => json!({"name": name, "value": text}),
        Err(_) => json!({
            "name": name,
            "value": String::from_utf8_lossy(value),
            "_valueBase64": BASE64.encode(value),
        }),
    }
}

/// The query's parameters decoded, as tools show them (the URL keeps them exactly).
fn query_string(query: Option<&str>) -> Vec<Value> {
    let Some(query) = query else {
        return Vec::new();
    };
    let Ok(url) = reqwest::Url::parse(&format!("http://localhost/?{query}")) else {
        return Vec::new();
    };
    url.query_pairs()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

/// The `Cookie` header's pairs.
fn cookies(headers: &Headers) -> Vec<Value> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, value)| {
            String::from_utf8_lossy(value)
                .split(';')
                .filter_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    Some(json!({"name": name.trim(), "value": value.trim()}))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn mime_type(headers: &Headers) -> String {
    header(headers, "content-type")
        .map(|value| String::from_utf8_lossy(value).into_owned())
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// The listener's answer, as far as it is known: the status it sent.
fn response(raw: &Raw) -> Value {
    let (status, comment) = match (raw.reply_status, raw.source) {
        (Some(status), _) => (
            status,
            "The listener's answer: the inspector keeps the status it sent, not its headers or \
             body.",
        ),
        (None, Source::Imported) => (0, "Imported: the inspector did not answer this request."),
        (None, _) => (
            0,
            "Stored before the inspector kept its answers: the status it sent is unknown.",
        ),
    };
    let status_text = StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    json!({
        "status": status,
        "statusText": status_text,
        "httpVersion": if status == 0 { "" } else { "HTTP/1.1" },
        "cookies": [],
        "headers": [],
        "content": {"size": 0, "mimeType": "application/x-unknown"},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
        "comment": comment,
    })
}

/// Whether `value` is a HAR file rather than fixtures: an object with a `log`.
pub(super) fn is_har(value: &Value) -> bool {
    value.as_object().is_some_and(|top| top.contains_key("log"))
}

/// The requests of a HAR file, each as an import would store it. Every entry is checked
/// (the error names the entry and its field), and each body is held to `limits.max_body`.
pub(super) fn read_har(
    source: &str,
    value: &Value,
    limits: &Limits,
) -> Result<Vec<FixtureDelivery>> {
    let top = Place::new(source, String::new());
    let log_at = top.field("log");
    let log = object(&log_at, required(&top, object(&top, value)?, "log")?)?;
    let entries_at = log_at.field("entries");
    let entries = required(&log_at, log, "entries")?
        .as_array()
        .ok_or_else(|| entries_at.error("must be an array of entries"))?;
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| read_entry(&entries_at.index(i), entry, limits))
        .collect()
}

fn read_entry(at: &Place, value: &Value, limits: &Limits) -> Result<FixtureDelivery> {
    let entry = object(at, value)?;
    let received_at_ms = time_ms(
        &at.field("startedDateTime"),
        required(at, entry, "startedDateTime")?,
    )?;
    let at_request = at.field("request");
    let request = object(&at_request, required(at, entry, "request")?)?;
    let method = method(
        &at_request.field("method"),
        required(&at_request, request, "method")?,
    )?;
    let url_at = at_request.field("url");
    let url = string(&url_at, required(&at_request, request, "url")?)?;
    let (path, query) = path_and_query(&url_at, url)?;
    request_target(&url_at, &path, query.as_deref())?;
    let headers = read_headers(
        &at_request.field("headers"),
        required(&at_request, request, "headers")?,
    )?;

    let outcome = match entry.get("_outcome").and_then(Value::as_str) {
        Some("too_large") => Outcome::TooLarge,
        _ => Outcome::Captured,
    };
    let (body, body_size) = match outcome {
        Outcome::Captured => {
            let body = read_body(&at_request, request)?;
            check_body_size(&at_request.field("body"), body.len(), limits)?;
            let size = body.len() as u64;
            (body, size)
        }
        Outcome::TooLarge => {
            let size = request
                .get("bodySize")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    at_request.field("bodySize").error(
                        "must be the refused size in bytes for a too_large entry (its body was \
                         not kept)",
                    )
                })?;
            (Vec::new(), size)
        }
    };
    Ok(FixtureDelivery {
        arrival: crate::model::Arrival {
            received_at_ms,
            method,
            path,
            query,
            remote_addr: optional_string(at, entry, "_remoteAddr")?,
            headers,
        },
        body,
        body_size,
        outcome,
        too_large_verdict: None,
    })
}

/// The path and query of an absolute URL, exactly as written (any fragment dropped: a request
/// never carries one).
fn path_and_query(at: &Place, url: &str) -> Result<(String, Option<String>)> {
    let Some((_, rest)) = url.split_once("://") else {
        return Err(at.error(&format!(
            "\"{}\" is not an absolute URL (scheme://host/path)",
            url.chars().take(200).collect::<String>()
        )));
    };
    let target = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
    let target = target.split('#').next().unwrap_or(target);
    Ok(match target.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (target.to_string(), None),
    })
}

/// `[{name, value, _valueBase64?}]`; HTTP/2 pseudo-headers (`:authority`…, in browsers' HAR
/// files) are not headers a server receives over HTTP/1.1, and are left out.
fn read_headers(at: &Place, value: &Value) -> Result<Headers> {
    let rows = value
        .as_array()
        .ok_or_else(|| at.error("must be an array of {name, value} objects"))?;
    let mut headers = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let at = at.index(i);
        let fields = object(&at, row)?;
        let name_at = at.field("name");
        let name = string(&name_at, required(&at, fields, "name")?)?;
        if name.starts_with(':') {
            continue;
        }
        let bytes = match fields.get("_valueBase64") {
            Some(exact) => {
                let exact_at = at.field("_valueBase64");
                BASE64
                    .decode(string(&exact_at, exact)?)
                    .map_err(|e| exact_at.error(&not_base64(e)))?
            }
            None => string(&at.field("value"), required(&at, fields, "value")?)?
                .as_bytes()
                .to_vec(),
        };
        headers.push(header_row(&at, &name_at, name, bytes)?);
    }
    Ok(headers)
}

/// The request body: `_content` in base64 (bytes that are not UTF-8), else `postData.text`,
/// else `postData.params` form-encoded (a HAR that lists only parameters), else empty.
fn read_body(at: &Place, request: &Map<String, Value>) -> Result<Vec<u8>> {
    if let Some(content) = request.get("_content") {
        let at = at.field("_content");
        let content = object(&at, content)?;
        let text = string(&at.field("text"), required(&at, content, "text")?)?;
        return match content.get("encoding").and_then(Value::as_str) {
            Some("base64") => BASE64
                .decode(text)
                .map_err(|e| at.field("text").error(&not_base64(e))),
            _ => Err(at
                .field("encoding")
                .error("must be \"base64\": _content holds a body's exact bytes in base64")),
        };
    }
    let Some(post_data) = request.get("postData") else {
        return Ok(Vec::new());
    };
    let at = at.field("postData");
    let post_data = object(&at, post_data)?;
    if let Some(text) = post_data.get("text") {
        return Ok(string(&at.field("text"), text)?.as_bytes().to_vec());
    }
    let Some(params) = post_data.get("params") else {
        return Ok(Vec::new());
    };
    let params_at = at.field("params");
    let params = params
        .as_array()
        .ok_or_else(|| params_at.error("must be an array of {name, value} objects"))?;
    let mut form = reqwest::Url::parse("http://localhost/").map_err(|e| {
        Error::Invalid(format!("the form encoder failed ({e}); please report this"))
    })?;
    {
        let mut pairs = form.query_pairs_mut();
        for (i, param) in params.iter().enumerate() {
            let at = params_at.index(i);
            let fields = object(&at, param)?;
            let name = string(&at.field("name"), required(&at, fields, "name")?)?;
            let value = match fields.get("value") {
                Some(value) => string(&at.field("value"), value)?,
                None => "",
            };
            pairs.append_pair(name, value);
        }
    }
    Ok(form.query().unwrap_or("").as_bytes().to_vec())
}

#[cfg(test)]
mod tests;
