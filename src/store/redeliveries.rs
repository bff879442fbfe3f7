//! The re-delivery history: one row per attempt, kept with (and purged with) its delivery.

use rusqlite::{Connection, Row, params};

use crate::error::{Error, Result};
use crate::model::{
    Answer, Attempt, Failure, FailureKind, Headers, Origin, Redelivery, Signing, headers_from_json,
    headers_to_json, persona_would_accept,
};

pub(super) fn insert(conn: &Connection, delivery_id: i64, a: &Attempt) -> Result<i64> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = ?1)")?
        .query_row([delivery_id], |r| r.get(0))?;
    if !exists {
        // Purged while the request was in flight.
        return Err(Error::NotFound(delivery_id));
    }
    let secret_label = match &a.signing {
        Signing::Keep => None,
        Signing::Resign { secret } => Some(secret.as_str()),
    };
    let (status, response_headers, response_body, truncated) = match &a.answer {
        Some(answer) => (
            Some(answer.status),
            Some(headers_to_json(&answer.headers).to_string()),
            Some(answer.body.as_slice()),
            answer.truncated,
        ),
        None => (None, None, None, false),
    };
    conn.prepare_cached(
        "INSERT INTO redeliveries (delivery_id, started_at, target, method, url, headers, body,
             body_size, signature_mode, secret_label, timeout_ms, duration_ms, status,
             response_headers, response_body, response_truncated, error_kind, error_message,
             origin, retry, next_retry_at, signing_note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        delivery_id,
        a.started_at_ms,
        a.target,
        a.method,
        a.url,
        headers_to_json(&a.headers).to_string(),
        a.edited_body,
        a.body_size as i64,
        a.signing.mode(),
        secret_label,
        a.timeout_ms as i64,
        a.duration_ms,
        status,
        response_headers,
        response_body,
        truncated,
        a.failure.as_ref().map(|f| f.kind.as_str()),
        a.failure.as_ref().map(|f| f.message.as_str()),
        a.origin.as_str(),
        a.retry,
        a.next_retry_at_ms,
        a.signing_note,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A delivery's attempts, newest first.
pub(super) fn list(conn: &Connection, delivery_id: i64) -> Result<Vec<Redelivery>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, delivery_id, started_at, target, method, url, headers, body, body_size,
             signature_mode, secret_label, timeout_ms, duration_ms, status, response_headers,
             response_body, response_truncated, error_kind, error_message, origin, retry,
             next_retry_at, signing_note
         FROM redeliveries WHERE delivery_id = ?1 ORDER BY id DESC",
    )?;
    let rows = statement.query_map([delivery_id], from_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Targets used before, each once, the most recently used first.
pub(super) fn recent_targets(conn: &Connection, limit: u32) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT target FROM redeliveries GROUP BY target ORDER BY MAX(started_at) DESC, target
         LIMIT ?1",
    )?;
    let rows = statement.query_map([limit], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A forward retry that was due when the app or `serve` stopped, or is waiting now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingRetry {
    pub redelivery_id: i64,
    pub delivery_id: i64,
    /// The retry that is due: the failed attempt's `retry` + 1.
    pub retry: u32,
    pub due_at_ms: i64,
}

/// Every forward attempt still waiting for its retry, the soonest first.
pub(super) fn pending_retries(conn: &Connection) -> Result<Vec<PendingRetry>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, delivery_id, retry, next_retry_at FROM redeliveries
         WHERE next_retry_at IS NOT NULL ORDER BY next_retry_at, id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(PendingRetry {
            redelivery_id: r.get(0)?,
            delivery_id: r.get(1)?,
            retry: r.get::<_, u32>(2)?.saturating_add(1),
            due_at_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// No retry will follow these attempts (None: any attempt); how many were waiting.
pub(super) fn drop_retries(conn: &Connection, redelivery_id: Option<i64>) -> Result<u64> {
    let changed = conn
        .prepare_cached(
            "UPDATE redeliveries SET next_retry_at = NULL
             WHERE next_retry_at IS NOT NULL AND (?1 IS NULL OR id = ?1)",
        )?
        .execute([redelivery_id])?;
    Ok(changed as u64)
}

fn json_rows(row: &Row, column: usize) -> rusqlite::Result<Headers> {
    let text: String = row.get(column)?;
    // Written by this module; a row that doesn't read is shown without headers, not refused.
    Ok(serde_json::from_str(&text)
        .map(|rows| headers_from_json(&rows))
        .unwrap_or_default())
}

fn from_row(row: &Row) -> rusqlite::Result<Redelivery> {
    let started_at_ms: i64 = row.get(2)?;
    let mode: String = row.get(9)?;
    let label: Option<String> = row.get(10)?;
    let signing = match (mode.as_str(), label) {
        ("resign", Some(secret)) => Signing::Resign { secret },
        _ => Signing::Keep,
    };
    let duration_ms: f64 = row.get(12)?;
    let status: Option<u16> = row.get(13)?;
    let answer = match status {
        Some(status) => Some(Answer {
            status,
            reason: axum::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .map(str::to_string),
            headers: match row.get::<_, Option<String>>(14)? {
                Some(_) => json_rows(row, 14)?,
                None => Vec::new(),
            },
            body: row.get::<_, Option<Vec<u8>>>(15)?.unwrap_or_default(),
            truncated: row.get(16)?,
            persona_success: persona_would_accept(status, duration_ms),
        }),
        None => None,
    };
    let failure = match row.get::<_, Option<String>>(17)? {
        Some(kind) => Some(Failure {
            kind: FailureKind::parse(&kind).unwrap_or(FailureKind::Connection),
            message: row.get::<_, Option<String>>(18)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Redelivery {
        id: row.get(0)?,
        delivery_id: row.get(1)?,
        attempt: Attempt {
            origin: Origin::parse(&row.get::<_, String>(19)?),
            retry: row.get(20)?,
            next_retry_at_ms: row.get(21)?,
            started_at: crate::clock::rfc3339(started_at_ms),
            started_at_ms,
            target: row.get(3)?,
            method: row.get(4)?,
            url: row.get(5)?,
            headers: json_rows(row, 6)?,
            edited_body: row.get(7)?,
            body_size: row.get::<_, i64>(8)?.max(0) as u64,
            signing,
            signing_note: row.get(22)?,
            timeout_ms: row.get::<_, i64>(11)?.max(0) as u64,
            duration_ms,
            answer,
            failure,
        },
    })
}
