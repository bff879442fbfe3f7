//! Reading deliveries back: the list (newest first, filtered) and one delivery in full.

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::headers_verdict;
use super::packs::{self, LastPack};
use super::search_text::match_expression;

use crate::model::{
    ApparentSource, Arrival, AttemptHeaders, FailureKind, Filter, ForwardMark, Order, Outcome,
    ParseError, Source, Status, Verdict, headers_from_json, persona_would_accept,
};

/// What the list shows of a delivery (and what the listener announces when one arrives).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: i64,
    /// RFC 3339, UTC, milliseconds.
    pub received_at: String,
    pub received_at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub remote_addr: Option<String>,
    pub outcome: Outcome,
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    pub event_created_at: Option<String>,
    /// The catalog's resource group ("Inquiry", "Report"…), derived for unknown names.
    // The store does not read the catalog: `view` fills this and `known_event` in.
    pub event_group: Option<String>,
    pub known_event: bool,
    pub resource: Option<ResourceSummary>,
    pub signature: Verdict,
    pub attempts: AttemptHeaders,
    pub body_size: u64,
    pub parse_error: Option<ParseError>,
    /// How many stored deliveries carry this event id: above 1 means retries or duplicates.
    pub event_deliveries: u32,
    /// The forward rule's latest attempt for this capture; None when it was never forwarded.
    #[serde(default)]
    pub forward: Option<ForwardMark>,
    /// Received by the listener, imported from a fixture, or the app's own test event.
    #[serde(default)]
    pub source: Source,
    /// For an import: the arrival time its fixture claims (RFC 3339, UTC); `received_at` is
    /// when it was imported.
    #[serde(default)]
    pub original_received_at: Option<String>,
    #[serde(default)]
    pub original_received_at_ms: Option<i64>,
    /// The apparent source address: the peer, or behind a proxy on this machine (ngrok) the
    /// address it put last in `X-Forwarded-For`; null when unknown.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// Whether `source_ip` is in the saved list of Persona's webhook source addresses;
    /// null when either is unknown. Information, never a verdict.
    // The store does not read the settings: `view` fills this in.
    #[serde(default)]
    pub source_ip_listed: Option<bool>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceSummary {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: Option<String>,
    pub status: Option<String>,
}

/// How many stored deliveries carry one event name (None: not a Persona event).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventCount {
    pub event_name: Option<String>,
    pub count: u64,
}

// Column 28 is every X-Forwarded-For line, joined by commas: kept in its own column since the
// migration that added it, read from the headers' JSON (a few µs a row) for older rows, whose
// headers are text (a row whose headers are compressed has the column). The verdict is column
// 13 or, compressed, 30 (`headers_verdict`, last: `get` selects the texts after it); the list
// never reads the headers. Column 29, the verdict's status as recorded at arrival, stands in for
// a verdict that cannot be read.
const COLUMNS: &str = "d.id, d.received_at, d.method, d.path, d.query, d.remote_addr, d.outcome,
    d.event_id, d.event_name, d.event_created_at, d.resource_type, d.resource_id,
    d.resource_status, d.signature, d.attempts_made, d.attempts_left, d.first_attempted_at,
    d.body_size, d.parse_error,
    CASE WHEN d.event_id IS NULL THEN 0
         ELSE (SELECT COUNT(*) FROM deliveries e WHERE e.event_id = d.event_id) END,
    f.id, f.status, f.error_kind, f.retry, f.next_retry_at, f.duration_ms,
    d.source, d.original_received_at,
    COALESCE(d.forwarded_for, CASE WHEN d.headers_verdict IS NULL
                                   AND instr(d.headers, '\"x-forwarded-for\"') THEN
        (SELECT group_concat(h.value ->> 1, ',' ORDER BY h.key) FROM json_each(d.headers) h
         WHERE h.value ->> 0 = 'x-forwarded-for') END),
    d.signature_status, d.headers_verdict";

/// The deliveries with their latest forward, if any (`redeliveries_forward` finds it).
const FROM: &str = "deliveries d LEFT JOIN redeliveries f ON f.id =
    (SELECT MAX(r.id) FROM redeliveries r WHERE r.delivery_id = d.id AND r.origin = 'forward')";

pub fn list(conn: &Connection, filter: &Filter) -> crate::Result<Vec<Summary>> {
    let (where_clause, args) = conditions(filter);
    let limit = filter.limit.unwrap_or(200).min(10_000);
    let offset = filter.offset.unwrap_or(0);
    let sql = if unfiltered(filter) && offset > 0 {
        // The page's ids first, skipped over in the narrow index, then only their rows.
        format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE d.id IN (SELECT d.id FROM deliveries d \
             INDEXED BY deliveries_ids {where_clause} ORDER BY d.id DESC \
             LIMIT {limit} OFFSET {offset}) ORDER BY d.id DESC"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM {FROM} {where_clause} ORDER BY d.id DESC \
             LIMIT {limit} OFFSET {offset}"
        )
    };
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(args), |row| {
        let id = row.get(0)?;
        // The verdict alone: the headers are not shown, so never parsed.
        let verdict = match headers_verdict::decode(id, row.get(30)?, row.get(13)?, None) {
            Ok(texts) => verdict_from_text(&texts.verdict)?,
            // One damaged row must not hide the others: it is listed with the status recorded
            // at arrival and why its verdict cannot be read (opening it says the same).
            Err(corrupt) => Verdict::new(
                Status::parse(&row.get::<_, String>(29)?).unwrap_or(Status::Unchecked),
                corrupt.to_string(),
                0,
            ),
        };
        summary_from_row(row, verdict)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count(conn: &Connection, filter: &Filter) -> crate::Result<u64> {
    let (where_clause, args) = conditions(filter);
    // Left alone, SQLite answers `id < ?` from the table itself, reading every row's page.
    let index = match unfiltered(filter) {
        true => "INDEXED BY deliveries_ids",
        false => "",
    };
    let sql = format!("SELECT COUNT(*) FROM deliveries d {index} {where_clause}");
    let count: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(count.max(0) as u64)
}

pub fn event_counts(conn: &Connection) -> crate::Result<Vec<EventCount>> {
    let mut statement = conn.prepare_cached(
        "SELECT event_name, COUNT(*) AS n FROM deliveries GROUP BY event_name
         ORDER BY n DESC, event_name",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(EventCount {
            event_name: r.get(0)?,
            count: r.get::<_, i64>(1)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The ids of the deliveries `filter` matches (its limit and offset aside), or of `ids` that
/// still exist, in `order`: what a bulk re-delivery sends.
pub fn ids_in_order(
    conn: &Connection,
    filter: Option<&Filter>,
    ids: &[i64],
    order: Order,
) -> crate::Result<Vec<i64>> {
    let (where_clause, args) = match filter {
        Some(filter) => conditions(filter),
        None => (
            "WHERE d.id IN (SELECT value FROM json_each(?1))".to_string(),
            vec![Sql::Text(serde_json::Value::from(ids.to_vec()).to_string())],
        ),
    };
    // Persona's created-at is RFC 3339 in UTC with a fixed width, so text order is time order;
    // deliveries that are not Persona events go last, in the order they came.
    let order_by = match order {
        Order::Created => "d.event_created_at IS NULL, d.event_created_at, d.id",
        Order::Received => "d.id",
    };
    let sql = format!("SELECT d.id FROM deliveries d {where_clause} ORDER BY {order_by}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored verdict's age when it flagged the signature stale at arrival, else NULL: in
/// `stale_age` when the verdict is compressed (schema 13 on), else in the verdict's JSON. A
/// stale flag without an age still counts as stale.
const STALE_AGE: &str = "COALESCE(stale_age, CASE WHEN json_extract(signature, '$.stale') THEN \
                         COALESCE(json_extract(signature, '$.age_seconds'), 0) END)";

/// How many stored deliveries share a provenance, a verdict and staleness: what re-signing
/// depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningCount {
    pub source: Source,
    pub signature: Status,
    /// The greatest age among them when their verdicts flagged them stale at arrival (a count
    /// needs only the kind); None: none of them was stale.
    pub stale: Option<i64>,
    pub count: u64,
}

/// How many of `ids` there are of each provenance, verdict and staleness.
pub fn signing_counts(conn: &Connection, ids: &[i64]) -> crate::Result<Vec<SigningCount>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT source, signature_status, MAX({STALE_AGE}), COUNT(*) FROM deliveries
         WHERE id IN (SELECT value FROM json_each(?1))
         GROUP BY source, signature_status, ({STALE_AGE}) IS NOT NULL"
    ))?;
    let ids = serde_json::Value::from(ids.to_vec()).to_string();
    let rows = statement.query_map([ids], |r| {
        Ok(SigningCount {
            source: Source::parse(&r.get::<_, String>(0)?),
            signature: Status::parse(&r.get::<_, String>(1)?).unwrap_or(Status::Unchecked),
            stale: r.get(2)?,
            count: r.get::<_, i64>(3)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `filter` picks nothing but a range of ids (the whole list, paged): then the narrow
/// `deliveries_ids` index answers counts and skips. Other filters have indexes of their own.
fn unfiltered(filter: &Filter) -> bool {
    let Filter {
        limit: _,
        before_id: _,
        offset: _,
        event_name,
        event_id,
        resource_id,
        signature,
        search,
    } = filter;
    event_name.is_none()
        && event_id.is_none()
        && resource_id.is_none()
        && signature.is_none()
        && search
            .as_deref()
            .and_then(|text| match_expression(text, true))
            .is_none()
}

/// The WHERE clause (empty or starting with WHERE) and its arguments for `filter`.
fn conditions(filter: &Filter) -> (String, Vec<Sql>) {
    let mut clauses = Vec::new();
    let mut args: Vec<Sql> = Vec::new();
    let mut bind = |clause: &str, value: Sql| {
        args.push(value);
        clauses.push(clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(id) = filter.before_id {
        bind("d.id < ?", Sql::Integer(id));
    }
    if let Some(name) = &filter.event_name {
        bind("d.event_name = ?", Sql::Text(name.clone()));
    }
    if let Some(id) = &filter.event_id {
        bind("d.event_id = ?", Sql::Text(id.clone()));
    }
    if let Some(id) = &filter.resource_id {
        bind("d.resource_id = ?", Sql::Text(id.clone()));
    }
    if let Some(status) = filter.signature {
        bind("d.signature_status = ?", Sql::Text(status.as_str().into()));
    }
    if let Some(query) = filter
        .search
        .as_deref()
        .and_then(|text| match_expression(text, true))
    {
        bind(
            "d.id IN (SELECT rowid FROM search.deliveries_fts WHERE deliveries_fts MATCH ?)",
            Sql::Text(query),
        );
    }
    let where_clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_clause, args)
}

/// A delivery in full as stored: its summary, its headers as `[name, value(, base64)]` rows,
/// its body, and what the listener answered.
pub struct Record {
    pub summary: Summary,
    pub headers: serde_json::Value,
    /// The body, or why its stored bytes do not decode: the rest of the row reads anyway.
    pub body: crate::Result<Vec<u8>>,
    pub reply_status: Option<u16>,
}

pub fn get(conn: &Connection, id: i64) -> crate::Result<Option<Record>> {
    let sql = format!(
        "SELECT {COLUMNS}, d.signature, d.headers, d.reply_status, d.body, d.body_encoding,
             d.body_size, d.body_hash
         FROM {FROM} WHERE d.id = ?1"
    );
    let found = conn
        .query_row(&sql, [id], |row| {
            let texts = match headers_verdict::from_row(id, row, 30)? {
                Ok(texts) => texts,
                Err(corrupt) => return Ok(Err(corrupt)),
            };
            let summary = summary_from_row(row, verdict_from_text(&texts.verdict)?)?;
            let reply_status: Option<u16> = row.get(33)?;
            Ok(Ok((
                summary,
                texts.headers,
                packs::body_from_row(conn, id, row, 34, &mut LastPack::default())?,
                reply_status,
            )))
        })
        .optional()?;
    let Some((summary, headers, body, reply_status)) = found.transpose()? else {
        return Ok(None);
    };
    Ok(Some(Record {
        summary,
        headers: serde_json::from_str(&headers).unwrap_or(serde_json::Value::Array(Vec::new())),
        body,
        reply_status,
    }))
}

/// A delivery's request exactly as stored, decoded for sending again.
#[derive(Clone, Debug, PartialEq)]
pub struct Raw {
    pub id: i64,
    pub arrival: Arrival,
    pub body: Vec<u8>,
    /// Bytes received (for a body over the limit, the size announced or read).
    pub body_size: u64,
    pub outcome: Outcome,
    pub source: Source,
    /// What the listener answered (None: an import, or stored before this was kept).
    pub reply_status: Option<u16>,
    /// The stored verdict on its signature: re-signing depends on it.
    pub signature: Status,
    /// The verdict's age in seconds (arrival minus `t`) when it flagged the signature stale at
    /// arrival; None when it did not. Re-signing depends on it too.
    pub stale: Option<i64>,
}

/// The stored request alone: no envelope parse, no base64, for re-delivery.
pub fn raw(conn: &Connection, id: i64) -> crate::Result<Option<Raw>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT received_at, method, path, query, remote_addr, outcome, source,
                 signature_status, {STALE_AGE}, reply_status, body, body_encoding, body_size,
                 body_hash, headers_verdict, signature, headers
             FROM deliveries WHERE id = ?1"
        ))?
        .query_row([id], |row| {
            let headers = match headers_verdict::from_row(id, row, 14)? {
                Ok(texts) => texts.headers,
                Err(corrupt) => return Ok(Err(corrupt)),
            };
            let outcome: String = row.get(5)?;
            let raw = Raw {
                id,
                arrival: Arrival {
                    received_at_ms: row.get(0)?,
                    method: row.get(1)?,
                    path: row.get(2)?,
                    query: row.get(3)?,
                    remote_addr: row.get(4)?,
                    headers: serde_json::from_str(&headers)
                        .map(|h| headers_from_json(&h))
                        .map_err(|e| json_error(16, e))?,
                },
                body: Vec::new(),
                body_size: row.get::<_, i64>(12)?.max(0) as u64,
                outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Captured),
                source: Source::parse(&row.get::<_, String>(6)?),
                reply_status: row.get(9)?,
                // An unknown verdict is treated as the least trusted one.
                signature: Status::parse(&row.get::<_, String>(7)?).unwrap_or(Status::Unchecked),
                stale: row.get(8)?,
            };
            let body = packs::body_from_row(conn, id, row, 10, &mut LastPack::default())?;
            Ok(Ok((raw, body)))
        })
        .optional()?;
    let Some((mut raw, body)) = found.transpose()? else {
        return Ok(None);
    };
    raw.body = body?;
    Ok(Some(raw))
}

pub(crate) fn resource_summary(
    kind: Option<String>,
    id: Option<String>,
    status: Option<String>,
) -> Option<ResourceSummary> {
    (kind.is_some() || id.is_some()).then_some(ResourceSummary { kind, id, status })
}

/// A verdict's JSON text, wherever it was stored (column 13 when it is text).
fn verdict_from_text(text: &str) -> rusqlite::Result<Verdict> {
    serde_json::from_str(text).map_err(|e| json_error(13, e))
}

/// The summary of the row `COLUMNS` selected, with its verdict read from wherever it was stored.
fn summary_from_row(row: &Row, verdict: Verdict) -> rusqlite::Result<Summary> {
    let received_at_ms: i64 = row.get(1)?;
    let outcome: String = row.get(6)?;
    let event_name: Option<String> = row.get(8)?;
    let parse_error: Option<String> = row.get(18)?;
    let original_received_at_ms: Option<i64> = row.get(27)?;
    let remote_addr: Option<String> = row.get(5)?;
    let forwarded_for: Option<String> = row.get(28)?;
    let source_ip = ApparentSource::of(remote_addr.as_deref(), forwarded_for.as_deref()).ip;
    Ok(Summary {
        id: row.get(0)?,
        received_at: crate::clock::rfc3339(received_at_ms),
        received_at_ms,
        method: row.get(2)?,
        path: row.get(3)?,
        query: row.get(4)?,
        remote_addr,
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Captured),
        event_id: row.get(7)?,
        event_group: None,
        known_event: false,
        event_name,
        event_created_at: row.get(9)?,
        resource: resource_summary(row.get(10)?, row.get(11)?, row.get(12)?),
        signature: verdict,
        attempts: AttemptHeaders {
            made: row.get(14)?,
            left: row.get(15)?,
            first_attempted_at: row.get(16)?,
        },
        body_size: row.get::<_, i64>(17)?.max(0) as u64,
        parse_error: parse_error
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| json_error(18, e))?,
        event_deliveries: row.get(19)?,
        forward: forward_mark(row)?,
        source: Source::parse(&row.get::<_, String>(26)?),
        original_received_at: original_received_at_ms.map(crate::clock::rfc3339),
        original_received_at_ms,
        source_ip: source_ip.map(|ip| ip.to_string()),
        source_ip_listed: None,
    })
}

fn forward_mark(row: &Row) -> rusqlite::Result<Option<ForwardMark>> {
    let Some(redelivery_id) = row.get::<_, Option<i64>>(20)? else {
        return Ok(None);
    };
    let status: Option<u16> = row.get(21)?;
    let duration_ms: f64 = row.get(25)?;
    Ok(Some(ForwardMark {
        redelivery_id,
        status,
        failure: row
            .get::<_, Option<String>>(22)?
            .map(|kind| FailureKind::parse(&kind).unwrap_or(FailureKind::Connection)),
        delivered: status.is_some_and(|s| persona_would_accept(s, duration_ms)),
        retry: row.get(23)?,
        next_retry_at_ms: row.get(24)?,
        duration_ms,
    }))
}

fn json_error(column: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}
