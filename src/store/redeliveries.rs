//! The re-delivery history: one row per attempt, kept with (and purged with) its delivery; and
//! the columns any recorded attempt is kept in (an endpoint check's too).

use rusqlite::{Connection, Row, ToSql, params_from_iter};

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
    insert_attempt(conn, "redeliveries", "delivery_id", delivery_id, a)
}

/// The columns an [`Attempt`] is kept in, here and in an endpoint check's `check_attempts`,
/// in the order [`insert_attempt`] writes them and [`read_attempt`] reads them.
pub(super) const ATTEMPT_COLUMNS: &str =
    "started_at, target, method, url, headers, body, body_size,
    signature_mode, secret_label, timeout_ms, duration_ms, status, response_headers,
    response_body, response_truncated, error_kind, error_message, origin, retry, next_retry_at,
    signing_note";

/// Writes `a` as a row of `table` (`redeliveries` or `check_attempts`) whose `owner` column
/// (the delivery or the check case) is `owner_id`; returns the row's id.
pub(super) fn insert_attempt(
    conn: &Connection,
    table: &str,
    owner: &str,
    owner_id: i64,
    a: &Attempt,
) -> Result<i64> {
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
    let values: [&dyn ToSql; 22] = [
        &owner_id,
        &a.started_at_ms,
        &a.target,
        &a.method,
        &a.url,
        &headers_to_json(&a.headers).to_string(),
        &a.edited_body,
        &(a.body_size as i64),
        &a.signing.mode(),
        &secret_label,
        &(a.timeout_ms as i64),
        &a.duration_ms,
        &status,
        &response_headers,
        &response_body,
        &truncated,
        &a.failure.as_ref().map(|f| f.kind.as_str()),
        &a.failure.as_ref().map(|f| f.message.as_str()),
        &a.origin.as_str(),
        &a.retry,
        &a.next_retry_at_ms,
        &a.signing_note,
    ];
    let placeholders: Vec<String> = (1..=values.len()).map(|n| format!("?{n}")).collect();
    conn.prepare_cached(&format!(
        "INSERT INTO {table} ({owner}, {ATTEMPT_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    ))?
    .execute(params_from_iter(values))?;
    Ok(conn.last_insert_rowid())
}

/// A delivery's attempts, newest first.
pub(super) fn list(conn: &Connection, delivery_id: i64) -> Result<Vec<Redelivery>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, delivery_id, {ATTEMPT_COLUMNS}
             FROM redeliveries WHERE delivery_id = ?1 ORDER BY id DESC"
    ))?;
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
    Ok(Redelivery {
        id: row.get(0)?,
        delivery_id: row.get(1)?,
        attempt: read_attempt(row, 2)?,
    })
}

/// The attempt in [`ATTEMPT_COLUMNS`] from column `first` on.
pub(super) fn read_attempt(row: &Row, first: usize) -> rusqlite::Result<Attempt> {
    let column = |n: usize| first + n;
    let started_at_ms: i64 = row.get(column(0))?;
    let mode: String = row.get(column(7))?;
    let label: Option<String> = row.get(column(8))?;
    let signing = match (mode.as_str(), label) {
        ("resign", Some(secret)) => Signing::Resign { secret },
        _ => Signing::Keep,
    };
    let duration_ms: f64 = row.get(column(10))?;
    let status: Option<u16> = row.get(column(11))?;
    let answer = match status {
        Some(status) => Some(Answer {
            status,
            reason: axum::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .map(str::to_string),
            headers: match row.get::<_, Option<String>>(column(12))? {
                Some(_) => json_rows(row, column(12))?,
                None => Vec::new(),
            },
            body: row
                .get::<_, Option<Vec<u8>>>(column(13))?
                .unwrap_or_default(),
            truncated: row.get(column(14))?,
            persona_success: persona_would_accept(status, duration_ms),
        }),
        None => None,
    };
    let failure = match row.get::<_, Option<String>>(column(15))? {
        Some(kind) => Some(Failure {
            kind: FailureKind::parse(&kind).unwrap_or(FailureKind::Connection),
            message: row
                .get::<_, Option<String>>(column(16))?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Attempt {
        origin: Origin::parse(&row.get::<_, String>(column(17))?),
        retry: row.get(column(18))?,
        next_retry_at_ms: row.get(column(19))?,
        started_at: crate::clock::rfc3339(started_at_ms),
        started_at_ms,
        target: row.get(column(1))?,
        method: row.get(column(2))?,
        url: row.get(column(3))?,
        headers: json_rows(row, column(4))?,
        edited_body: row.get(column(5))?,
        body_size: row.get::<_, i64>(column(6))?.max(0) as u64,
        signing,
        signing_note: row.get(column(20))?,
        timeout_ms: row.get::<_, i64>(column(9))?.max(0) as u64,
        duration_ms,
        answer,
        failure,
    })
}
