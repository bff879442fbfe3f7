//! Recorded endpoint checks: a run, its cases in order, and every request each case sent with
//! its answer (kept in the same columns as a re-delivery). Purged with the deliveries.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::redeliveries::{ATTEMPT_COLUMNS, insert_attempt, read_attempt};
use crate::error::Result;
use crate::model::{CaseVerdict, CheckCase, CheckRun, CheckRunSummary, EndpointCheck, Expectation};

/// Writes a whole run in one transaction; returns its id.
pub(super) fn insert(conn: &mut Connection, check: &EndpointCheck) -> Result<i64> {
    let tx = conn.transaction()?;
    tx.prepare_cached(
        "INSERT INTO check_runs (started_at, url, event_name, secret_label, limit_ms, passed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        check.started_at_ms,
        check.url,
        check.event,
        check.secret_label,
        check.limit_ms as i64,
        check.passed,
    ])?;
    let run_id = tx.last_insert_rowid();
    for (position, case) in check.cases.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO check_cases (run_id, position, name, sent, expectation, status, error,
                 ms, verdict, advice)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            run_id,
            position as i64,
            case.name,
            case.sent,
            case.expectation.as_str(),
            case.status,
            case.error,
            case.ms,
            case.verdict.as_str(),
            case.advice,
        ])?;
        let case_id = tx.last_insert_rowid();
        for attempt in &case.attempts {
            insert_attempt(&tx, "check_attempts", "case_id", case_id, attempt)?;
        }
    }
    tx.commit()?;
    Ok(run_id)
}

/// The most recent runs first, at most `limit`.
pub(super) fn list(conn: &Connection, limit: u32) -> Result<Vec<CheckRunSummary>> {
    let mut statement = conn.prepare_cached(
        "SELECT r.id, r.url, r.event_name, r.started_at, r.passed,
             (SELECT COUNT(*) FROM check_cases c WHERE c.run_id = r.id AND c.verdict = 'pass'),
             (SELECT COUNT(*) FROM check_cases c WHERE c.run_id = r.id AND c.verdict = 'warn'),
             (SELECT COUNT(*) FROM check_cases c WHERE c.run_id = r.id AND c.verdict = 'fail')
         FROM check_runs r ORDER BY r.id DESC LIMIT ?1",
    )?;
    let rows = statement.query_map([limit], |r| {
        let started_at_ms: i64 = r.get(3)?;
        Ok(CheckRunSummary {
            id: r.get(0)?,
            url: r.get(1)?,
            event: r.get(2)?,
            started_at: crate::clock::rfc3339(started_at_ms),
            started_at_ms,
            passed: r.get(4)?,
            passes: r.get(5)?,
            warnings: r.get(6)?,
            failures: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Run `id` with every case and attempt; None when there is no such run.
pub(super) fn get(conn: &Connection, id: i64) -> Result<Option<CheckRun>> {
    let run = conn
        .prepare_cached(
            "SELECT url, event_name, secret_label, started_at, limit_ms, passed
             FROM check_runs WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let started_at_ms: i64 = r.get(3)?;
            Ok(EndpointCheck {
                url: r.get(0)?,
                event: r.get(1)?,
                secret_label: r.get(2)?,
                started_at: crate::clock::rfc3339(started_at_ms),
                started_at_ms,
                limit_ms: r.get::<_, i64>(4)?.max(0) as u64,
                passed: r.get(5)?,
                cases: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut check) = run else {
        return Ok(None);
    };
    let mut cases = conn.prepare_cached(
        "SELECT id, name, sent, expectation, status, error, ms, verdict, advice
         FROM check_cases WHERE run_id = ?1 ORDER BY position",
    )?;
    let cases = cases
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, case_from_row(r)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut attempts = conn.prepare_cached(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM check_attempts WHERE case_id = ?1 ORDER BY id"
    ))?;
    for (case_id, mut case) in cases {
        case.attempts = attempts
            .query_map([case_id], |r| read_attempt(r, 0))?
            .collect::<std::result::Result<_, _>>()?;
        check.cases.push(case);
    }
    Ok(Some(CheckRun { id, check }))
}

fn case_from_row(r: &Row) -> rusqlite::Result<CheckCase> {
    // Written by this module; an unknown word (a newer build's) reads as the strictest.
    let expectation = Expectation::parse(&r.get::<_, String>(3)?).unwrap_or(Expectation::Reject);
    Ok(CheckCase {
        name: r.get(1)?,
        sent: r.get(2)?,
        expectation,
        expected: expectation.describe(),
        status: r.get(4)?,
        error: r.get(5)?,
        ms: r.get(6)?,
        verdict: CaseVerdict::parse(&r.get::<_, String>(7)?).unwrap_or(CaseVerdict::Fail),
        advice: r.get(8)?,
        attempts: Vec::new(),
    })
}

/// Deletes the runs started before `cutoff` (unix ms), their cases and attempts with them;
/// returns how many runs went.
pub(super) fn purge(conn: &Connection, cutoff: i64) -> Result<u64> {
    Ok(conn.execute("DELETE FROM check_runs WHERE started_at < ?1", [cutoff])? as u64)
}
