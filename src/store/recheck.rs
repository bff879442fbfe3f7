//! Re-verifying every stored delivery after the secrets changed. The verdicts are computed on
//! the caller's thread through a connection of its own, so neither the writer (which every
//! capture waits on) nor the shared reader (which the window waits on) is held while hashing;
//! the writer only gets the short updates. A changed verdict is written as a new row's is
//! (`headers_verdict`): a row from before compressed headers and verdicts is converted then,
//! since it is written anyway.

use std::path::Path;

use rusqlite::{OpenFlags, params};

use super::headers_verdict::{self, Columns};
use crate::error::Result;
use crate::model::{Headers, Verdict, forwarded_for, headers_from_json};

/// Rows read per statement: each chunk is its own read transaction, so the WAL can still be
/// checkpointed while a long recheck runs.
const CHUNK: i64 = 256;

/// A changed verdict: the row, its new status, its headers and verdict as their columns hold
/// them, and its X-Forwarded-For lines (a row from before schema 9 has none in their column).
type Change = (i64, &'static str, Columns, Option<String>);

/// Recomputes every verdict; `apply` commits one chunk's changes. Returns how many changed.
pub(super) fn run(
    path: &Path,
    verify: impl Fn(&Headers, &[u8], i64) -> Verdict,
    mut apply: impl FnMut(Vec<Change>) -> Result<()>,
) -> Result<u64> {
    let conn = super::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = conn.prepare(
        // An import is judged at the time its fixture claims, as when it was imported.
        "SELECT id, COALESCE(original_received_at, received_at), body, body_encoding, body_size,
             body_hash, headers_verdict, signature, headers
         FROM deliveries WHERE id > ?1 AND outcome = 'captured' ORDER BY id LIMIT ?2",
    )?;
    let (mut after, mut changed) = (0, 0);
    loop {
        // Rows are read in id order: a pack is decoded once for all its rows. Kept for one
        // chunk (one read of the database): a purge between chunks may delete a pack, and
        // its id may be given to another.
        let mut last_pack = super::packs::LastPack::default();
        let mut changes = Vec::new();
        let mut last = None;
        let mut chunk = rows.query(params![after, CHUNK])?;
        while let Some(row) = chunk.next()? {
            let id: i64 = row.get(0)?;
            last = Some(id);
            let texts = match headers_verdict::from_row(id, row, 6)? {
                Ok(texts) => texts,
                // Its verdict stays as it was; reading the delivery says what is wrong.
                Err(error) => {
                    tracing::warn!("recheck skipped a delivery: {error}");
                    continue;
                }
            };
            let headers: Headers = serde_json::from_str(&texts.headers)
                .map(|h| headers_from_json(&h))
                .unwrap_or_default();
            let body = match super::packs::body_from_row(&conn, id, row, 2, &mut last_pack)? {
                Ok(body) => body,
                // Its verdict stays as it was; reading the delivery says what is wrong.
                Err(error) => {
                    tracing::warn!("recheck skipped a delivery: {error}");
                    continue;
                }
            };
            let verdict = verify(&headers, &body, row.get(1)?);
            let json = serde_json::to_string(&verdict)
                .map_err(|e| crate::Error::Invalid(e.to_string()))?;
            if json != texts.verdict {
                let columns = headers_verdict::encode(&verdict, texts.headers)?;
                let status = verdict.status.as_str();
                changes.push((id, status, columns, forwarded_for(&headers)));
            }
        }
        drop(chunk);
        changed += changes.len() as u64;
        if !changes.is_empty() {
            apply(changes)?;
        }
        match last {
            Some(last) => after = last,
            None => return Ok(changed),
        }
    }
}

/// One chunk's updates, in one transaction on the writer. A row purged meanwhile is skipped.
pub(super) fn apply(conn: &mut rusqlite::Connection, changes: &[Change]) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut update = tx.prepare(
            "UPDATE deliveries SET signature_status = ?2, signature = ?3, headers = ?4,
                 headers_verdict = ?5, stale_age = ?6, forwarded_for = ?7
             WHERE id = ?1",
        )?;
        for (id, status, columns, forwarded_for) in changes {
            update.execute(params![
                id,
                status,
                columns.signature,
                columns.headers,
                columns.headers_verdict,
                columns.stale_age,
                forwarded_for,
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
