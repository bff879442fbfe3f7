//! SQLite storage of deliveries: one writer thread owns the write connection (group commit);
//! reads go through a separate connection, which WAL lets run beside the writer.

mod checkpoint;
mod files;
mod query;
mod redeliveries;
mod schema;
mod search;
mod settings;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use crate::delivery::{NewDelivery, Verification, headers_from_json};
use crate::error::{Error, Result};
use crate::forward::{Attempt, Redelivery};

pub use files::{DATABASE_FILE, default_data_dir};
pub use query::{Detail, EventCount, Filter, Raw, ResourceSummary, Summary};
pub use redeliveries::PendingRetry;
pub use search::SEARCH_FILE;
pub use settings::{MAX_REPLY_DELAY_MS, Saved, SavedSecret};
pub use writer::Stored;

use crate::bulk::{Order, Scope};
use crate::relay::Rule;

/// The settings row that holds the forward rule.
const FORWARD_RULE: &str = "forward_rule";

/// What `purge` removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purge {
    All,
    /// Deliveries received more than this long ago.
    OlderThan(Duration),
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    reader: Mutex<Connection>,
    // Dropped after the reader, so queued writes finish before close.
    writer: writer::Writer,
    index: Arc<search::Index>,
    _checkpointer: checkpoint::Checkpointer,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, migrated to the latest schema.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Store::open_with_queue(data_dir, writer::DEFAULT_QUEUE)
    }

    /// [`Store::open`] with room for `queue` inserts waiting to be written; past that,
    /// [`Store::insert`] fails at once with `StoreBusy`.
    pub fn open_with_queue(data_dir: &Path, queue: usize) -> Result<Store> {
        let path = files::prepare(data_dir)?;
        let mut write = connect(&path, OpenFlags::default())?;
        schema::migrate(&mut write, &path)?;
        write.pragma_update(None, "wal_autocheckpoint", 0)?;
        let search_path = path.with_file_name(SEARCH_FILE);
        let index = Arc::new(search::Index::start(&path, &search_path)?);
        let read = connect(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        read.execute(
            "ATTACH DATABASE ?1 AS search",
            [search_path.to_string_lossy()],
        )?;
        let wal_full = checkpoint::WalFull::default();
        let checkpointer = checkpoint::Checkpointer::start(
            connect(&path, OpenFlags::default())?,
            wal_full.clone(),
        )?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                reader: Mutex::new(read),
                writer: writer::Writer::start(write, wal_full, queue)?,
                index,
                _checkpointer: checkpointer,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Stores a delivery; resolves once it is committed to disk. Fails at once with
    /// `StoreBusy` when the writer's queue is full.
    pub async fn insert(&self, delivery: NewDelivery) -> Result<Stored> {
        self.inner
            .writer
            .insert(delivery)?
            .await
            .map_err(|_| Error::StoreClosed)?
    }

    /// Stores many deliveries in one transaction (imports, benchmarks). Blocks.
    pub fn insert_many(&self, deliveries: Vec<NewDelivery>) -> Result<Vec<Stored>> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let stored = deliveries
                .iter()
                .map(|d| writer::insert(&tx, d))
                .collect::<Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Deletes deliveries, with their re-delivery history; returns how many. Blocks.
    pub fn purge(&self, what: Purge) -> Result<u64> {
        let cutoff = match what {
            Purge::All => i64::MAX,
            Purge::OlderThan(age) => crate::clock::now_ms() - age.as_millis() as i64,
        };
        self.write(move |conn| {
            // Zero what is deleted, so purged personal data doesn't linger in free pages. Only
            // here: left on, every write that frees a page would pay for it.
            conn.pragma_update(None, "secure_delete", "ON")?;
            let removed = (|| {
                let tx = conn.transaction()?;
                let removed =
                    tx.execute("DELETE FROM deliveries WHERE received_at < ?1", [cutoff])?;
                tx.commit()?;
                Ok::<_, Error>(removed as u64)
            })();
            conn.pragma_update(None, "secure_delete", "OFF")?;
            // Also clear the deleted rows out of the WAL file.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            removed
        })
        .and_then(|removed| {
            call(|work| self.inner.index.run(work), search::forget_deleted)?;
            Ok(removed)
        })
    }

    /// Recomputes every stored signature verdict with these secrets (after a secret was added,
    /// renamed or removed); returns how many verdicts changed. Blocks; works in chunks so
    /// captures arriving meanwhile are not held up for long.
    pub fn recheck(&self, verification: &Verification) -> Result<u64> {
        const CHUNK: i64 = 1000;
        let mut after = 0;
        let mut changed = 0;
        loop {
            let verification = verification.clone();
            let (last, n) = self.write(move |conn| {
                let tx = conn.transaction()?;
                let mut changed = 0;
                let mut last = None;
                {
                    let mut rows = tx.prepare(
                        "SELECT id, headers, body, received_at, signature FROM deliveries
                         WHERE id > ?1 AND outcome = 'captured' ORDER BY id LIMIT ?2",
                    )?;
                    let mut update = tx.prepare(
                        "UPDATE deliveries SET signature_status = ?2, signature = ?3 WHERE id = ?1",
                    )?;
                    let mut rows = rows.query(params![after, CHUNK])?;
                    while let Some(row) = rows.next()? {
                        let id: i64 = row.get(0)?;
                        last = Some(id);
                        let headers: String = row.get(1)?;
                        let headers = serde_json::from_str(&headers)
                            .map(|h| headers_from_json(&h))
                            .unwrap_or_default();
                        let body: Vec<u8> = row.get(2)?;
                        let verdict = verification.verify(&headers, &body, row.get(3)?);
                        let json = serde_json::to_string(&verdict)
                            .map_err(|e| Error::Invalid(e.to_string()))?;
                        if json != row.get::<_, String>(4)? {
                            update.execute(params![id, verdict.status.as_str(), json])?;
                            changed += 1;
                        }
                    }
                }
                tx.commit()?;
                Ok((last, changed))
            })?;
            changed += n;
            match last {
                Some(last) => after = last,
                None => return Ok(changed),
            }
        }
    }

    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        if filter.search.is_some() {
            // The index is filled after commits; catch it up so the search sees them all.
            call(|work| self.inner.index.run(work), search::catch_up)?;
        }
        query::list(&*self.reader()?, filter)
    }

    /// How many deliveries match `filter` (its limit and offset aside).
    pub fn count_matching(&self, filter: &Filter) -> Result<u64> {
        if filter.search.is_some() {
            call(|work| self.inner.index.run(work), search::catch_up)?;
        }
        query::count(&*self.reader()?, filter)
    }

    /// How many deliveries carry each event name, most first.
    pub fn event_counts(&self) -> Result<Vec<EventCount>> {
        query::event_counts(&*self.reader()?)
    }

    /// The saved settings, defaults filled in.
    pub fn settings(&self) -> Result<Saved> {
        settings::load(&*self.reader()?)
    }

    /// Saves every setting; refuses values the listener could not use. Blocks.
    pub fn save_settings(&self, saved: &Saved) -> Result<()> {
        let saved = saved.clone();
        self.write(move |conn| settings::save(conn, &saved))
    }

    /// The saved webhook secrets, oldest first.
    pub fn secrets(&self) -> Result<Vec<SavedSecret>> {
        settings::secrets(&*self.reader()?)
    }

    /// Saves a secret under a label no other secret has. Blocks.
    pub fn add_secret(&self, label: &str, value: &str) -> Result<SavedSecret> {
        let (label, value) = (label.to_string(), value.to_string());
        self.write(move |conn| settings::add_secret(conn, &label, &value))
    }

    /// Blocks.
    pub fn rename_secret(&self, id: i64, label: &str) -> Result<()> {
        let label = label.to_string();
        self.write(move |conn| settings::rename_secret(conn, id, &label))
    }

    /// Blocks.
    pub fn remove_secret(&self, id: i64) -> Result<()> {
        self.write(move |conn| settings::remove_secret(conn, id))
    }

    pub fn get(&self, id: i64) -> Result<Detail> {
        query::get(&*self.reader()?, id)?.ok_or(Error::NotFound(id))
    }

    /// The stored request of delivery `id` (method, path, query, headers, body), decoded for
    /// sending again; cheaper than [`Store::get`], which also parses the envelope.
    pub fn raw(&self, id: i64) -> Result<Raw> {
        query::raw(&*self.reader()?, id)?.ok_or(Error::NotFound(id))
    }

    /// Records a re-delivery attempt of delivery `delivery_id`; resolves once it is committed.
    /// Fails with `NotFound` when the delivery was purged meanwhile.
    pub async fn record_redelivery(
        &self,
        delivery_id: i64,
        attempt: Attempt,
    ) -> Result<Redelivery> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self.inner.writer.run(Box::new(move |conn| {
            let id = redeliveries::insert(conn, delivery_id, &attempt);
            let _ = reply.send(id.map(|id| Redelivery {
                id,
                delivery_id,
                attempt,
            }));
        }));
        if !sent {
            return Err(Error::StoreClosed);
        }
        answer.await.map_err(|_| Error::StoreClosed)?
    }

    /// The re-delivery attempts of delivery `delivery_id`, newest first.
    pub fn redeliveries(&self, delivery_id: i64) -> Result<Vec<Redelivery>> {
        redeliveries::list(&*self.reader()?, delivery_id)
    }

    /// Re-delivery targets used before, each once, the most recently used first.
    pub fn recent_targets(&self, limit: u32) -> Result<Vec<String>> {
        redeliveries::recent_targets(&*self.reader()?, limit)
    }

    /// Every forward attempt whose retry is due or waiting, the soonest first.
    pub fn pending_retries(&self) -> Result<Vec<PendingRetry>> {
        redeliveries::pending_retries(&*self.reader()?)
    }

    /// No retry will follow attempt `redelivery_id` (None: any attempt); how many were
    /// waiting. Blocks.
    pub fn drop_retries(&self, redelivery_id: Option<i64>) -> Result<u64> {
        self.write(move |conn| redeliveries::drop_retries(conn, redelivery_id))
    }

    /// The saved forward rule; the default (off, no target) when none was saved or the saved
    /// one does not read.
    pub fn forward_rule(&self) -> Result<Rule> {
        let text = settings::load_named(&*self.reader()?, FORWARD_RULE)?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// Saves the forward rule as it is (the caller checks it). Blocks.
    pub fn save_forward_rule(&self, rule: &Rule) -> Result<()> {
        let json = serde_json::to_string(rule).map_err(|e| Error::Invalid(e.to_string()))?;
        self.write(move |conn| settings::save_named(conn, FORWARD_RULE, &json))
    }

    /// What a bulk re-delivery of `scope` sends, in `order`: ids of deliveries that exist.
    pub fn bulk_ids(&self, scope: &Scope, order: Order) -> Result<Vec<i64>> {
        match scope {
            Scope::Filter { filter } => {
                if filter.search.is_some() {
                    call(|work| self.inner.index.run(work), search::catch_up)?;
                }
                query::ids_in_order(&*self.reader()?, Some(filter), &[], order)
            }
            Scope::Ids { ids } => query::ids_in_order(&*self.reader()?, None, ids, order),
        }
    }

    pub fn count(&self) -> Result<u64> {
        Ok(self
            .reader()?
            .query_row("SELECT COUNT(*) FROM deliveries", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    fn reader(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        // A panic while reading leaves the connection itself intact; keep using it.
        Ok(self
            .inner
            .reader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Runs `work` on the write connection, in order with the inserts, and waits for it: for
    /// work the store has no method for (tests, benchmarks). Blocks.
    pub fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        call(|job| self.inner.writer.run(job), work)
    }
}

/// Hands `work` to a thread that owns a connection (through `submit`) and waits for the
/// answer. Blocks the calling thread; safe anywhere, but async code should call it from
/// `spawn_blocking`.
fn call<T: Send + 'static>(
    submit: impl FnOnce(writer::Work) -> bool,
    work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
) -> Result<T> {
    let (reply, answer) = std::sync::mpsc::sync_channel(1);
    let sent = submit(Box::new(move |conn| {
        let _ = reply.send(work(conn));
    }));
    if !sent {
        return Err(Error::StoreClosed);
    }
    answer.recv().map_err(|_| Error::StoreClosed)?
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk before the sender hears 2xx, even across a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "journal_size_limit", checkpoint::WAL_KEPT_BYTES)?;
        // Re-delivery rows go with their delivery (ON DELETE CASCADE), whoever deletes it.
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    Ok(conn)
}
