//! The single owner of the write connection. Requests queue here; whatever has queued while the
//! previous commit ran goes into the next transaction together (group commit), so many
//! concurrent deliveries share one fsync.
//!
//! The full-text index is filled after the commit, whenever the queue is empty, in id order:
//! tokenizing a body costs more than storing it, and the sender should not wait for it.
//! Searches first ask the writer to catch up (`Work` runs in queue order), so they see every
//! delivery committed before them.

use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, params};
use tokio::sync::oneshot;

use crate::delivery::{NewDelivery, headers_to_json};
use crate::error::{Error, Result};

/// Where a delivery landed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    /// How many stored deliveries now carry this event id (1 for a first delivery).
    pub event_deliveries: u32,
}

pub type Work = Box<dyn FnOnce(&mut Connection) + Send>;

enum Job {
    Insert(Box<NewDelivery>, oneshot::Sender<Result<Stored>>),
    Run(Work),
}

/// Most inserts one transaction takes; bounds the latency of the first request in a burst.
const MAX_BATCH: usize = 256;

pub struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(conn: Connection) -> Result<Writer> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, queue))?;
        Ok(Writer {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    pub fn insert(&self, delivery: NewDelivery) -> oneshot::Receiver<Result<Stored>> {
        let (reply, answer) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            // A failed send drops `reply`, which the caller sees as StoreClosed.
            let _ = jobs.send(Job::Insert(Box::new(delivery), reply));
        }
        answer
    }

    /// Runs `work` on the write connection, in order with the inserts.
    pub fn run(&self, work: Work) -> bool {
        match &self.jobs {
            Some(jobs) => jobs.send(Job::Run(work)).is_ok(),
            None => false,
        }
    }
}

impl Drop for Writer {
    /// Lets queued work finish before the connection closes.
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let first = match queue.try_recv() {
            Ok(job) => job,
            Err(mpsc::TryRecvError::Empty) => {
                // Idle: index a slice of what is waiting, or sleep until the next job.
                if index_pending(&mut conn, INDEX_SLICE) > 0 {
                    continue;
                }
                match queue.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                }
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
        };
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Insert(delivery, reply) => batch.push((delivery, reply)),
                Job::Run(work) => {
                    commit_batch(&mut conn, &mut batch);
                    work(&mut conn);
                }
            }
            if batch.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        commit_batch(&mut conn, &mut batch);
    }
    index_pending(&mut conn, usize::MAX);
}

/// Deliveries indexed per idle turn: small enough that a new request waits little for it.
const INDEX_SLICE: usize = 64;

/// Adds up to `most` not-yet-indexed deliveries to the full-text index, oldest first; returns
/// how many. Indexing goes in id order, so "indexed" is everything up to the index's largest
/// rowid.
pub fn index_pending(conn: &mut Connection, most: usize) -> usize {
    let indexed = (|| {
        let tx = conn.transaction()?;
        let mut done = 0;
        {
            let after: i64 = tx
                .prepare_cached(// ORDER BY rowid DESC is served by FTS5 itself; max(rowid) would scan the table.
                "SELECT coalesce((SELECT rowid FROM deliveries_fts ORDER BY rowid DESC LIMIT 1), 0)")?
                .query_row([], |row| row.get(0))?;
            let mut pending = tx.prepare_cached(
                "SELECT id, event_name, event_id, resource_id, body FROM deliveries
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let mut add = tx.prepare_cached(
                "INSERT INTO deliveries_fts (rowid, event_name, event_id, resource_id, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut rows = pending.query(params![after, most.min(i64::MAX as usize) as i64])?;
            while let Some(row) = rows.next()? {
                let body = row.get_ref(4)?.as_blob().map_err(rusqlite::Error::from)?;
                add.execute(params![
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    String::from_utf8_lossy(body),
                ])?;
                done += 1;
            }
        }
        tx.commit()?;
        Ok::<_, Error>(done)
    })();
    indexed.unwrap_or_else(|error| {
        tracing::error!("could not update the search index (will retry): {error}");
        0
    })
}

type Pending = (Box<NewDelivery>, oneshot::Sender<Result<Stored>>);

fn commit_batch(conn: &mut Connection, batch: &mut Vec<Pending>) {
    if batch.is_empty() {
        return;
    }
    let together = (|| {
        let tx = conn.transaction()?;
        let mut stored = Vec::with_capacity(batch.len());
        for (delivery, _) in batch.iter() {
            stored.push(insert(&tx, delivery)?);
        }
        tx.commit()?;
        Ok::<_, Error>(stored)
    })();
    match together {
        Ok(stored) => {
            for ((_, reply), stored) in batch.drain(..).zip(stored) {
                let _ = reply.send(Ok(stored));
            }
        }
        // One bad row must not fail its neighbours: retry each alone, so only it gets the error.
        Err(error) => {
            tracing::warn!("group commit failed ({error}); retrying deliveries one by one");
            for (delivery, reply) in batch.drain(..) {
                let alone = (|| {
                    let tx = conn.transaction()?;
                    let stored = insert(&tx, &delivery)?;
                    tx.commit()?;
                    Ok(stored)
                })();
                if let Err(error) = &alone {
                    tracing::error!("could not store a delivery: {error}");
                }
                let _ = reply.send(alone);
            }
        }
    }
}

/// Inserts one delivery (indexed for search later); used by the writer and by bulk loads.
pub fn insert(tx: &Transaction, d: &NewDelivery) -> Result<Stored> {
    let parse_error = match &d.indexed.parse_error {
        Some(e) => Some(serde_json::to_string(e).map_err(|e| Error::Invalid(e.to_string()))?),
        None => None,
    };
    let signature =
        serde_json::to_string(&d.signature).map_err(|e| Error::Invalid(e.to_string()))?;
    let headers = headers_to_json(&d.headers).to_string();
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (received_at, method, path, query, remote_addr, headers, body,
             body_size, outcome, event_id, event_name, event_created_at, resource_type,
             resource_id, resource_status, parse_error, signature_status, signature,
             attempts_made, attempts_left, first_attempted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21)",
    )?;
    insert.execute(params![
        d.received_at_ms,
        d.method,
        d.path,
        d.query,
        d.remote_addr,
        headers,
        d.body,
        d.body_size as i64,
        d.outcome.as_str(),
        d.indexed.event_id,
        d.indexed.event_name,
        d.indexed.event_created_at,
        d.indexed.resource_type,
        d.indexed.resource_id,
        d.indexed.resource_status,
        parse_error,
        d.signature.status.as_str(),
        signature,
        d.attempts.made,
        d.attempts.left,
        d.attempts.first_attempted_at,
    ])?;
    let id = tx.last_insert_rowid();
    let event_deliveries = match &d.indexed.event_id {
        Some(event_id) => tx
            .prepare_cached("SELECT COUNT(*) FROM deliveries WHERE event_id = ?1")?
            .query_row([event_id], |row| row.get(0))?,
        None => 0,
    };
    Ok(Stored {
        id,
        event_deliveries,
    })
}
