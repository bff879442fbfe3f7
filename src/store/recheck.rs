//! Re-verifying every stored delivery after the secrets changed. The verdicts are computed on
//! the caller's thread through a connection of its own, so neither the writer (which every
//! capture waits on) nor the shared reader (which the window waits on) is held while hashing;
//! the writer only gets the short updates.

use std::path::Path;

use rusqlite::{OpenFlags, params};

use crate::delivery::{Verification, headers_from_json};
use crate::error::{Error, Result};

/// Rows read per statement: each chunk is its own read transaction, so the WAL can still be
/// checkpointed while a long recheck runs.
const CHUNK: i64 = 256;

/// A changed verdict: the row, its new status and the verdict as JSON.
type Change = (i64, &'static str, String);

/// Recomputes every verdict; `apply` commits one chunk's changes. Returns how many changed.
pub(super) fn run(
    path: &Path,
    verification: &Verification,
    mut apply: impl FnMut(Vec<Change>) -> Result<()>,
) -> Result<u64> {
    let conn = super::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut rows = conn.prepare(
        // An import is judged at the time its fixture claims, as when it was imported.
        "SELECT id, headers, body, COALESCE(original_received_at, received_at), signature
         FROM deliveries WHERE id > ?1 AND outcome = 'captured' ORDER BY id LIMIT ?2",
    )?;
    let (mut after, mut changed) = (0, 0);
    loop {
        let mut changes = Vec::new();
        let mut last = None;
        let mut chunk = rows.query(params![after, CHUNK])?;
        while let Some(row) = chunk.next()? {
            let id: i64 = row.get(0)?;
            last = Some(id);
            let headers: String = row.get(1)?;
            let headers = serde_json::from_str(&headers)
                .map(|h| headers_from_json(&h))
                .unwrap_or_default();
            let body: Vec<u8> = row.get(2)?;
            let verdict = verification.verify(&headers, &body, row.get(3)?);
            let json =
                serde_json::to_string(&verdict).map_err(|e| Error::Invalid(e.to_string()))?;
            if json != row.get::<_, String>(4)? {
                changes.push((id, verdict.status.as_str(), json));
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
        let mut update = tx
            .prepare("UPDATE deliveries SET signature_status = ?2, signature = ?3 WHERE id = ?1")?;
        for (id, status, json) in changes {
            update.execute(params![id, status, json])?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::delivery::{Arrival, NewDelivery, Verification};
    use crate::signature::{self, Secret, Status};

    use crate::store::Store;

    fn secrets(value: &str) -> Verification {
        Verification {
            secrets: vec![Secret {
                label: "current".into(),
                value: value.into(),
            }],
            ..Verification::default()
        }
    }

    #[test]
    fn verdicts_are_computed_while_the_writer_is_busy_and_only_updates_wait_for_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        let stored_with = secrets("wbhsec_old");
        let rows = 40;
        let deliveries = (0..rows)
            .map(|n| {
                let body = format!("{{\"n\":{n}}}").into_bytes();
                let headers = vec![(
                    "persona-signature".to_string(),
                    signature::sign("wbhsec_new", 1_700_000_000, &body).into_bytes(),
                )];
                let arrival = Arrival {
                    received_at_ms: 1_700_000_000_000,
                    method: "POST".into(),
                    path: "/".into(),
                    query: None,
                    remote_addr: None,
                    headers,
                };
                NewDelivery::captured(arrival, body, &stored_with)
            })
            .collect();
        store.insert_many(deliveries).expect("insert");

        // Hold the writer. A recheck that finds nothing to change never needs it, so it must
        // finish meanwhile: it reads and hashes on its own connection and thread.
        let (release, held) = mpsc::channel::<()>();
        assert!(store.inner.writer.run(Box::new(move |_| {
            let _ = held.recv_timeout(Duration::from_secs(60));
        })));
        let (done, finished) = mpsc::channel();
        {
            let store = store.clone();
            let same = stored_with.clone();
            std::thread::spawn(move || {
                let _ = done.send(store.recheck(&same));
            });
        }
        let unchanged = finished.recv_timeout(Duration::from_secs(20));
        let rechecking = {
            let store = store.clone();
            std::thread::spawn(move || store.recheck(&secrets("wbhsec_new")))
        };
        release.send(()).expect("writer still waiting");
        assert_eq!(
            unchanged
                .expect("recheck waited for the busy writer: it must not hash there")
                .expect("recheck"),
            0,
            "nothing changes with the secrets the verdicts were made with"
        );
        let changed = rechecking.join().expect("recheck thread").expect("recheck");
        assert_eq!(changed, rows as u64, "every verdict turns valid");
        let listed = store.list(&Default::default()).expect("list");
        assert!(
            listed.len() == rows && listed.iter().all(|s| s.signature.status == Status::Valid),
            "the updates were committed"
        );
    }
}
