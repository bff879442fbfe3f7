//! The single owner of the write connection. Requests queue here; whatever has queued while the
//! previous commit ran goes into the next transaction together (group commit), so many
//! concurrent deliveries share one fsync.
//! The search index is filled by its own thread (`search`).
//! Inserts are bounded: past `queue` of them waiting or being committed, an insert is refused
//! at once (the listener answers 503) rather than holding a body in memory. Other work is not
//! counted: each caller of `run` waits for its answer, so there are never more than callers.

use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, params};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::error::{Error, Result};
use crate::model::{NewDelivery, forwarded_for, headers_to_json};
use crate::store::body::{self, Encoded};
use crate::store::checkpoint::{WalFull, reset_if_full};
use crate::store::headers_verdict;

/// Where a delivery landed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    /// How many stored deliveries now carry this event id (1 for a first delivery).
    pub event_deliveries: u32,
}

pub type Work = Box<dyn FnOnce(&mut Connection) + Send>;

/// A delivery with its body, headers and verdict encoded for its row. Encoding (compressing)
/// is done by whoever stores the delivery, before it reaches the writer, so the one writer
/// thread only writes.
pub struct Prepared {
    /// Its `body` is empty: the body travels encoded.
    pub delivery: NewDelivery,
    pub body: Encoded,
    /// Its headers and verdict as their columns hold them (or why they could not be encoded).
    pub texts: Result<headers_verdict::Columns>,
}

impl Prepared {
    pub fn new(mut delivery: NewDelivery) -> Prepared {
        let received = std::mem::take(&mut delivery.body);
        let body = body::encode_for_row(received, delivery.body_size);
        let headers = headers_to_json(&delivery.arrival.headers).to_string();
        let texts = headers_verdict::encode(&delivery.signature, headers);
        Prepared {
            delivery,
            body,
            texts,
        }
    }
}

enum Job {
    Insert(Pending),
    Run(Work),
}

/// Most inserts one transaction takes; bounds the latency of the first request in a burst.
const MAX_BATCH: usize = 256;

/// Inserts waiting or being committed, by default: one full group commit.
pub const DEFAULT_QUEUE: usize = MAX_BATCH;

pub struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    /// One permit per insert that may wait; each travels with its insert until answered.
    queue: Arc<Semaphore>,
    capacity: usize,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(conn: Connection, wal_full: WalFull, queue: usize) -> Result<Writer> {
        let (jobs, waiting) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, waiting, wal_full))?;
        Ok(Writer {
            jobs: Some(jobs),
            queue: Arc::new(Semaphore::new(queue)),
            capacity: queue,
            thread: Some(thread),
        })
    }

    /// Queues `delivery`, or refuses it with `StoreBusy` when the queue is full.
    #[cfg(test)]
    pub fn insert(&self, delivery: Prepared) -> Result<oneshot::Receiver<Result<Stored>>> {
        Ok(self.insert_at(self.reserve()?, delivery))
    }

    /// A place in the queue for one insert, or `StoreBusy` at once when none is free: taken
    /// before the body is compressed, so a full queue costs a refused sender no compression.
    pub fn reserve(&self) -> Result<Place> {
        match self.queue.clone().try_acquire_owned() {
            Ok(place) => Ok(Place(place)),
            Err(_) => Err(Error::StoreBusy {
                waiting: self.capacity,
            }),
        }
    }

    /// Queues `delivery` in the place reserved for it.
    pub fn insert_at(
        &self,
        Place(place): Place,
        delivery: Prepared,
    ) -> oneshot::Receiver<Result<Stored>> {
        let (reply, answer) = oneshot::channel();
        if let Some(jobs) = &self.jobs {
            // A failed send drops `reply`, which the caller sees as StoreClosed.
            let _ = jobs.send(Job::Insert((Box::new(delivery), reply, place)));
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

    /// For another thread to run work on the writer. Drop it before the writer: while it
    /// lives the writer's queue stays open, and the writer would wait for it to close.
    pub fn handle(&self) -> Handle {
        Handle(self.jobs.clone())
    }
}

/// One insert's place in the writer's queue ([`Writer::reserve`]); freed when dropped unused.
pub struct Place(OwnedSemaphorePermit);

pub struct Handle(Option<mpsc::Sender<Job>>);

impl Handle {
    pub fn run(&self, work: Work) -> bool {
        match &self.0 {
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

fn run(mut conn: Connection, queue: mpsc::Receiver<Job>, wal_full: WalFull) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Insert(pending) => batch.push(pending),
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
        reset_if_full(&conn, &wal_full);
    }
}

/// An insert, its answer, and its place in the queue (freed once answered).
type Pending = (
    Box<Prepared>,
    oneshot::Sender<Result<Stored>>,
    OwnedSemaphorePermit,
);

/// Bodies at least this big are committed after the rest of their batch: writing one takes
/// far longer than a typical delivery, which should not wait for it.
const BIG_BODY: usize = 1024 * 1024;

fn commit_batch(conn: &mut Connection, batch: &mut Vec<Pending>) {
    let is_big = |pending: &Pending| pending.0.body.bytes.len() >= BIG_BODY;
    if batch.iter().any(is_big) && !batch.iter().all(is_big) {
        let (mut big, mut small): (Vec<_>, Vec<_>) = batch.drain(..).partition(is_big);
        commit_together(conn, &mut small);
        commit_together(conn, &mut big);
    } else {
        commit_together(conn, batch);
    }
}

/// One transaction for the whole batch; emptied as each insert is answered.
fn commit_together(conn: &mut Connection, batch: &mut Vec<Pending>) {
    if batch.is_empty() {
        return;
    }
    let together = (|| {
        let tx = conn.transaction()?;
        let mut stored = Vec::with_capacity(batch.len());
        for (delivery, _, _) in batch.iter() {
            stored.push(insert(&tx, delivery)?);
        }
        tx.commit()?;
        Ok::<_, Error>(stored)
    })();
    match together {
        Ok(stored) => {
            for ((_, reply, _), stored) in batch.drain(..).zip(stored) {
                let _ = reply.send(Ok(stored));
            }
        }
        // One bad row must not fail its neighbours: retry each alone, so only it gets the error.
        Err(error) => {
            tracing::warn!("group commit failed ({error}); retrying deliveries one by one");
            for (delivery, reply, _) in batch.drain(..) {
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

/// Inserts one delivery (the search index picks it up later); used by the writer and by bulk
/// loads.
pub fn insert(tx: &Transaction, prepared: &Prepared) -> Result<Stored> {
    let Prepared {
        delivery: d,
        body,
        texts,
    } = prepared;
    let parse_error = match &d.parse_error {
        Some(e) => Some(serde_json::to_string(e).map_err(|e| Error::Invalid(e.to_string()))?),
        None => None,
    };
    let texts = texts
        .as_ref()
        .map_err(|e| Error::Invalid(format!("the verdict could not be stored: {e}")))?;
    let a = &d.arrival;
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (received_at, method, path, query, remote_addr, headers, body,
             body_size, outcome, event_id, event_name, event_created_at, resource_type,
             resource_id, resource_status, parse_error, signature_status, signature,
             attempts_made, attempts_left, first_attempted_at, source, original_received_at,
             reply_status, forwarded_for, body_encoding, body_hash, headers_verdict, stale_age)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?;
    insert.execute(params![
        a.received_at_ms,
        a.method,
        a.path,
        a.query,
        a.remote_addr,
        texts.headers,
        body.bytes,
        d.body_size as i64,
        d.outcome.as_str(),
        d.event.event_id,
        d.event.event_name,
        d.event.created_at,
        d.event.resource_type,
        d.event.resource_id,
        d.event.resource_status,
        parse_error,
        d.signature.status.as_str(),
        texts.signature,
        d.attempts.made,
        d.attempts.left,
        d.attempts.first_attempted_at,
        d.source.as_str(),
        d.original_received_at_ms,
        d.reply_status,
        forwarded_for(&a.headers),
        body.encoding,
        body.hash,
        texts.headers_verdict,
        texts.stale_age,
    ])?;
    let id = tx.last_insert_rowid();
    let event_deliveries = match &d.event.event_id {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arrival, Verification};

    /// Random bytes: they stay this big once encoded.
    fn delivery(body_size: usize) -> Prepared {
        let body = body::tests::random_bytes(body_size, 0x2545_F491_4F6C_DD1D);
        let arrival = Arrival {
            received_at_ms: 0,
            method: "POST".into(),
            path: "/".into(),
            query: None,
            remote_addr: None,
            headers: Vec::new(),
        };
        Prepared::new(NewDelivery::captured(
            arrival,
            body,
            &Verification::default(),
        ))
    }

    #[test]
    fn a_small_delivery_queued_behind_a_big_one_is_committed_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("inspector.db");
        let mut conn = Connection::open(&path).expect("open");
        crate::store::schema::migrate(&mut conn, &path).expect("migrate");
        let writer = Writer::start(conn, WalFull::default(), DEFAULT_QUEUE).expect("writer");
        // Hold the writer so both inserts land in one batch, the big one first.
        let (release, released) = mpsc::channel::<()>();
        assert!(writer.run(Box::new(move |_| {
            let _ = released.recv();
        })));
        let big = writer.insert(delivery(BIG_BODY)).expect("queued");
        let small = writer.insert(delivery(100)).expect("queued");
        drop(release);
        let big = big.blocking_recv().expect("answered").expect("stored");
        let small = small.blocking_recv().expect("answered").expect("stored");
        assert!(
            small.id < big.id,
            "the small delivery was committed first (ids follow commits): small {} big {}",
            small.id,
            big.id
        );
    }
}
