//! SQLite storage of deliveries: one writer thread owns the write connection (group commit);
//! reads go through a separate connection, which WAL lets run beside the writer.
//!
//! The store keeps the `model` and knows nothing above it: it never parses a body, checks a
//! signature or reads the event catalog. What needs those is defined by the module that has
//! them, on top of the store's own methods: `Store::list` and `Store::get` (screen data) in
//! `view`, `Store::recheck` (signature checks) in `delivery`, `Store::timeline` and
//! `Store::retry_chain` (deliveries read together) in `story`.

mod body;
mod checkpoint;
mod deliveries;
mod endpoint_checks;
mod files;
mod headers_verdict;
mod packs;
mod recheck;
mod recompress;
mod redeliveries;
mod schema;
mod search;
mod search_text;
mod secrets;
mod settings;
mod story;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::model::{
    Attempt, CheckRun, CheckRunSummary, EndpointCheck, Filter, Headers, NewDelivery, Order,
    Redelivery, Rule, Saved, Scope, Verdict,
};

pub(crate) use deliveries::Record;
pub(crate) use deliveries::resource_summary;
pub use deliveries::{EventCount, Raw, ResourceSummary, SigningCount, Summary};
pub use files::{DATABASE_FILE, LISTENING_FILE, default_data_dir, process_alive, write_private};
pub use redeliveries::PendingRetry;
pub use search::SEARCH_FILE;

/// How long a connection waits for another's lock before it answers "database is locked".
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
pub use secrets::SavedSecret;
pub use story::{CopyRow, ResourceRow};
pub use writer::Stored;

/// The settings row that marks deleted data not yet erased from every file (an erase failed
/// midway, or the process stopped): the next purge, in any process, finishes it.
const ERASE_PENDING: &str = "erase_pending";

/// The settings row that holds the forward rule.
const FORWARD_RULE: &str = "forward_rule";

/// The page size of a new database: SQLite's smallest (its default is 4096). Each delivery
/// dirties a page in each index keyed by something random (event id, resource, event name),
/// and every dirty page is written whole, twice (WAL, then database). The bench measured 2.08×
/// the body bytes written with 1 KiB pages and 1.67× with these, for the same size at rest.
const PAGE_SIZE: i64 = 512;

/// Bodies at least this big are compressed on a blocking thread rather than the async task
/// that stores them (about 0.1 ms of zstd at this size).
const ENCODE_ON_TASK: usize = 64 * 1024;

/// What `purge` removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purge {
    All,
    /// Deliveries received more than this long ago.
    OlderThan(Duration),
    /// Deliveries received before this time (unix milliseconds).
    Before(i64),
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    /// Dropped first: it holds a handle on the writer, which waits for it to close. Started
    /// by long-lived sessions only (`start_compressing_old_bodies`): a one-shot command must
    /// not write.
    recompressor: Mutex<Option<recompress::Recompressor>>,
    /// Dropped early for the same reason; started by long-lived sessions (`start_packing`).
    packer: Mutex<Option<packs::Packer>>,
    path: PathBuf,
    reader: Mutex<Connection>,
    // Dropped after the reader, so queued writes finish before close.
    writer: writer::Writer,
    index: Arc<search::Index>,
    _checkpointer: checkpoint::Checkpointer,
    /// One purge or secret removal at a time (the app's and the retention's).
    purging: Mutex<()>,
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
        // An older inspector still running would read the bodies compressed from now on (by
        // the background work, and in every new row) as if they were the bodies themselves,
        // and a new row's headers and verdict as empty: shown, exported, and re-delivered
        // signed to the user's endpoint. One from before packs (schema 13) would show packed
        // bodies as damaged, and its purge would leave purged bodies in their packs on disk.
        if schema::misread_by_its_inspector(&write)?
            && let Some(pid) = files::other_session(data_dir)
        {
            return Err(Error::InUseByOlder {
                pid,
                data_dir: data_dir.to_path_buf(),
            });
        }
        schema::migrate(&mut write, &path)?;
        write.pragma_update(None, "wal_autocheckpoint", 0)?;
        // FAST: what is deleted or rewritten is zeroed on the pages written anyway, at no extra
        // I/O, so a removed or renamed secret leaves no copy in its page. A purge goes further.
        write.pragma_update(None, "secure_delete", "FAST")?;
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
        let writer = writer::Writer::start(write, wal_full, queue)?;
        Ok(Store {
            inner: Arc::new(Inner {
                recompressor: Mutex::new(None),
                packer: Mutex::new(None),
                path,
                reader: Mutex::new(read),
                writer,
                index,
                _checkpointer: checkpointer,
                purging: Mutex::new(()),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Stores a delivery; resolves once it is committed to disk. Fails at once with
    /// `StoreBusy` when the writer's queue is full.
    pub async fn insert(&self, delivery: NewDelivery) -> Result<Stored> {
        let place = self.inner.writer.reserve()?;
        // Compressed here, on the caller's task, so the writer thread only writes; a big body
        // off the async workers, which it would hold for milliseconds.
        let prepared = match delivery.body.len() {
            n if n < ENCODE_ON_TASK => writer::Prepared::new(delivery),
            _ => tokio::task::spawn_blocking(move || writer::Prepared::new(delivery))
                .await
                .map_err(|e| Error::Invalid(format!("compressing a body failed: {e}")))?,
        };
        self.inner
            .writer
            .insert_at(place, prepared)
            .await
            .map_err(|_| Error::StoreClosed)?
    }

    /// Stores many deliveries in one transaction (imports, benchmarks), their bodies packed
    /// together where that pays (`packs.rs`), compressed before the writer. Blocks.
    pub fn insert_many(&self, deliveries: Vec<NewDelivery>) -> Result<Vec<Stored>> {
        let batch = packs::Batch::new(deliveries);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let stored = batch.insert(&tx)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Deletes deliveries, with their re-delivery history, and the endpoint checks run in the
    /// same span, and erases them from disk: the database is rebuilt (VACUUM) so no page keeps
    /// a copy, the search index forgets them the same way, and both WAL files are emptied.
    /// Returns how many deliveries went. Blocks for as long as the rebuild takes, which holds
    /// up captures meanwhile (they queue; none is lost).
    pub fn purge(&self, what: Purge) -> Result<u64> {
        let _one_at_a_time = self.one_erase_at_a_time();
        let cutoff = cutoff(what);
        let (removed, checks, pending) = self.write(move |conn| {
            let tx = conn.transaction()?;
            let deleted_to: Option<i64> = tx.query_row(
                "SELECT max(id) FROM deliveries WHERE received_at < ?1",
                [cutoff],
                |r| r.get(0),
            )?;
            let removed =
                tx.execute("DELETE FROM deliveries WHERE received_at < ?1", [cutoff])? as u64;
            // No purged body may stay in a pack that outlives it.
            if let Some(deleted_to) = deleted_to {
                packs::after_purge(&tx, deleted_to)?;
            }
            let checks = endpoint_checks::purge(&tx, cutoff)?;
            if removed > 0 || checks > 0 {
                settings::save_named(&tx, ERASE_PENDING, "true")?;
            }
            // A purge that removed nothing still finishes an erase that failed before, in this
            // process or another.
            let pending = settings::load_named(&tx, ERASE_PENDING)?.is_some();
            tx.commit()?;
            Ok((removed, checks, pending))
        })?;
        if pending {
            let done = match checks {
                0 => format!("deleted {removed} deliveries"),
                _ => format!("deleted {removed} deliveries and {checks} endpoint checks"),
            };
            self.erase(&done)?;
        }
        Ok(removed)
    }

    /// How many deliveries `purge(what)` would delete now.
    pub fn count_purgeable(&self, what: Purge) -> Result<u64> {
        Ok(self.reader()?.query_row(
            "SELECT COUNT(*) FROM deliveries WHERE received_at < ?1",
            [cutoff(what)],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Recomputes every stored verdict with `verify` (headers, body, unix ms it is judged at);
    /// returns how many verdicts changed. Blocks the calling thread, which does the hashing;
    /// captures arriving meanwhile wait only for short updates.
    pub fn recheck_with(&self, verify: impl Fn(&Headers, &[u8], i64) -> Verdict) -> Result<u64> {
        recheck::run(&self.inner.path, verify, |changes| {
            self.write(move |conn| recheck::apply(conn, &changes))
        })
    }

    /// Starts compressing, in the background, the bodies of rows stored before bodies were
    /// compressed (nothing when none is left, or when it already runs); it stops when the store
    /// closes and resumes at the next start. For long-lived sessions (the app, `serve`).
    pub fn start_compressing_old_bodies(&self) -> Result<()> {
        let mut running = self
            .inner
            .recompressor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if running.is_none() {
            let handle = self.inner.writer.handle();
            *running = recompress::Recompressor::start(&self.inner.path, move |chunk| {
                call(
                    |work| handle.run(work),
                    move |conn| recompress::apply(conn, &chunk),
                )
            })?;
        }
        Ok(())
    }

    /// Compresses the bodies of rows stored before bodies were compressed, as the background
    /// work does (either may do a row; neither does it twice); returns how
    /// many this call compressed. Blocks until none is left.
    pub fn compress_old_bodies(&self) -> Result<u64> {
        let conn = connect(&self.inner.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let never = std::sync::atomic::AtomicBool::new(false);
        recompress::run(&conn, &never, |chunk| {
            self.write(move |conn| recompress::apply(conn, &chunk))
        })
    }

    /// Starts packing bodies together in the background (`packs.rs`): rows stored alone are
    /// packed once a pack's worth of them exist; it stops when the store closes and resumes
    /// at the next start. For long-lived sessions (the app, `serve`).
    pub fn start_packing(&self) -> Result<()> {
        let mut running = self
            .inner
            .packer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if running.is_none() {
            let handle = self.inner.writer.handle();
            *running = Some(packs::Packer::start(&self.inner.path, move |pack| {
                call(
                    |work| handle.run(work),
                    move |conn| packs::apply(conn, &pack),
                )
            })?);
        }
        Ok(())
    }

    /// Packs every full pack's worth of rows waiting, as the background packer does (either
    /// may pack a row; neither does it twice); returns how many rows this call packed. Blocks.
    pub fn pack_bodies(&self) -> Result<u64> {
        let conn = connect(&self.inner.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let never = std::sync::atomic::AtomicBool::new(false);
        packs::catch_up(&conn, &never, |pack| {
            self.write(move |conn| packs::apply(conn, &pack))
        })
    }

    /// Whether a pack's worth of rows waits for the packer (a bench waits for it to catch up).
    pub fn packing_pending(&self) -> Result<bool> {
        packs::pending(&*self.reader()?)
    }

    /// The summaries `filter` picks, newest first, without what the catalog says of their event
    /// (see `view`, whose `Store::list` adds it).
    pub(crate) fn list_stored(&self, filter: &Filter) -> Result<Vec<Summary>> {
        if filter.search.is_some() {
            // The index is filled after commits; catch it up so the search sees them all.
            call(|work| self.inner.index.run(work), search::catch_up)?;
        }
        deliveries::list(&*self.reader()?, filter)
    }

    /// How many deliveries match `filter` (its limit and offset aside).
    pub fn count_matching(&self, filter: &Filter) -> Result<u64> {
        if filter.search.is_some() {
            call(|work| self.inner.index.run(work), search::catch_up)?;
        }
        deliveries::count(&*self.reader()?, filter)
    }

    /// How many deliveries carry each event name, most first.
    pub fn event_counts(&self) -> Result<Vec<EventCount>> {
        deliveries::event_counts(&*self.reader()?)
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
        secrets::secrets(&*self.reader()?)
    }

    /// Saves a secret under a label no other secret has. Blocks.
    pub fn add_secret(&self, label: &str, value: &str) -> Result<SavedSecret> {
        let (label, value) = (label.to_string(), value.to_string());
        self.write(move |conn| secrets::add_secret(conn, &label, &value))
    }

    /// Blocks.
    pub fn rename_secret(&self, id: i64, label: &str) -> Result<()> {
        let label = label.to_string();
        self.write(move |conn| secrets::rename_secret(conn, id, &label))
    }

    /// Removes a secret and erases its value from disk as a purge does (a database written
    /// before deletes were zeroed may hold old copies of the row). Blocks for the rebuild. When
    /// the erase cannot finish, the secret is still gone from the database (the error says so)
    /// and the next purge finishes the erase.
    pub fn remove_secret(&self, id: i64) -> Result<()> {
        let _one_at_a_time = self.one_erase_at_a_time();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            secrets::remove_secret(&tx, id)?;
            settings::save_named(&tx, ERASE_PENDING, "true")?;
            tx.commit()?;
            Ok(())
        })?;
        self.erase("the secret was removed")
    }

    /// Erases deleted data from every file (see `erase`, and the search index's own), then
    /// clears the mark that says an erase is due. Blocks.
    fn erase(&self, done: &str) -> Result<()> {
        let what = done.to_string();
        self.write(move |conn| erase(conn, &what))?;
        let what = done.to_string();
        call(
            |work| self.inner.index.run(work),
            move |conn| search::forget_deleted(conn, &what),
        )?;
        self.write(|conn| {
            conn.execute("DELETE FROM settings WHERE name = ?1", [ERASE_PENDING])?;
            Ok(())
        })
    }

    /// Purges and secret removals one at a time, so one's erase never races another's.
    fn one_erase_at_a_time(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner
            .purging
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Delivery `id` as stored (see `view`, whose `Store::get` makes the detail of it).
    pub(crate) fn record(&self, id: i64) -> Result<Record> {
        deliveries::get(&*self.reader()?, id)?.ok_or(Error::NotFound(id))
    }

    /// The stored request of delivery `id` (method, path, query, headers, body), decoded for
    /// sending again; cheaper than [`Store::get`], which also parses the envelope.
    pub fn raw(&self, id: i64) -> Result<Raw> {
        deliveries::raw(&*self.reader()?, id)?.ok_or(Error::NotFound(id))
    }

    /// Records a re-delivery attempt of delivery `delivery_id`; resolves once it is committed.
    /// Fails with `NotFound` when the delivery was purged meanwhile.
    pub async fn record_redelivery(
        &self,
        delivery_id: i64,
        attempt: Attempt,
    ) -> Result<Redelivery> {
        self.commit(move |conn| {
            let id = redeliveries::insert(conn, delivery_id, &attempt)?;
            Ok(Redelivery {
                id,
                delivery_id,
                attempt,
            })
        })
        .await
    }

    /// The deliveries whose `payload.data` is `resource_id`, at most `limit`, in the events'
    /// created-at order; and how many there are in all.
    pub fn resource_rows(&self, resource_id: &str, limit: u32) -> Result<(Vec<ResourceRow>, u64)> {
        let conn = self.reader()?;
        Ok((
            story::resource_rows(&conn, resource_id, limit)?,
            story::count_resource_rows(&conn, resource_id)?,
        ))
    }

    /// Up to `limit` deliveries about other resources whose body holds `resource_id` as a
    /// word, oldest first: what may mention it (the caller reads each to be sure).
    pub fn mention_candidates(&self, resource_id: &str, limit: u32) -> Result<Vec<i64>> {
        call(|work| self.inner.index.run(work), search::catch_up)?;
        story::mention_candidates(&*self.reader()?, resource_id, limit)
    }

    /// The body of delivery `id` alone, exactly as received.
    pub fn body(&self, id: i64) -> Result<Vec<u8>> {
        story::body(&*self.reader()?, id)?.ok_or(Error::NotFound(id))
    }

    /// The stored copies of event `event_id` as they arrived, at most `limit`, each compared
    /// with the first; and how many there are in all.
    pub fn event_copies(&self, event_id: &str, limit: u32) -> Result<(Vec<CopyRow>, u64)> {
        let conn = self.reader()?;
        Ok((
            story::event_copies(&conn, event_id, limit)?,
            story::count_event_copies(&conn, event_id)?,
        ))
    }

    /// The re-delivery attempts of delivery `delivery_id`, newest first.
    pub fn redeliveries(&self, delivery_id: i64) -> Result<Vec<Redelivery>> {
        redeliveries::list(&*self.reader()?, delivery_id)
    }

    /// Records a whole endpoint check; resolves once it is committed.
    pub async fn record_check(&self, check: EndpointCheck) -> Result<CheckRun> {
        self.commit(move |conn| {
            let id = endpoint_checks::insert(conn, &check)?;
            Ok(CheckRun { id, check })
        })
        .await
    }

    /// The recorded endpoint checks, the most recent first, at most `limit`.
    pub fn check_runs(&self, limit: u32) -> Result<Vec<CheckRunSummary>> {
        endpoint_checks::list(&*self.reader()?, limit)
    }

    /// Endpoint check `id` with every request it sent and the answers.
    pub fn check_run(&self, id: i64) -> Result<CheckRun> {
        endpoint_checks::get(&*self.reader()?, id)?.ok_or(Error::NoCheckRun(id))
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
                deliveries::ids_in_order(&*self.reader()?, Some(filter), &[], order)
            }
            Scope::Ids { ids } => deliveries::ids_in_order(&*self.reader()?, None, ids, order),
        }
    }

    /// How many of `ids` there are of each provenance, verdict and staleness.
    pub fn signing_counts(&self, ids: &[i64]) -> Result<Vec<SigningCount>> {
        deliveries::signing_counts(&*self.reader()?, ids)
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

    /// Runs `work` on the write connection, in order with the inserts; resolves once it is
    /// done, without blocking the async worker that awaits it.
    async fn commit<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self.inner.writer.run(Box::new(move |conn| {
            let _ = reply.send(work(conn));
        }));
        if !sent {
            return Err(Error::StoreClosed);
        }
        answer.await.map_err(|_| Error::StoreClosed)?
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

/// Deliveries received before this (unix ms) are what `what` purges.
fn cutoff(what: Purge) -> i64 {
    match what {
        Purge::All => i64::MAX,
        Purge::Before(unix_ms) => unix_ms,
        Purge::OlderThan(age) => crate::clock::now_ms()
            .saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX)),
    }
}

/// Rewrites the database after a delete so no byte of the deleted rows stays on disk. Zeroing
/// alone (`secure_delete`) misses copies SQLite left earlier: cells moved when pages split keep
/// their old bytes in the gaps of the pages they left, and pages freed before were not zeroed.
/// VACUUM writes every page afresh (zero-filled, as `secure_delete` makes new pages), then the
/// WAL holding the old and new images is emptied.
fn erase(conn: &mut Connection, done: &str) -> Result<()> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let vacuumed = conn.execute_batch("VACUUM");
    conn.pragma_update(None, "secure_delete", "FAST")?;
    vacuumed?;
    checkpoint::truncate_wal(conn, done)
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
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        // For a new file only (an existing one keeps its own): each delivery dirties a page
        // in every index keyed by a random id, written to the WAL and then the database, so
        // the page size multiplies the bytes written per delivery. Checked by the bench.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk before the sender hears 2xx, even across a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "journal_size_limit", checkpoint::WAL_KEPT_BYTES)?;
        // Re-delivery rows go with their delivery (ON DELETE CASCADE), whoever deletes it.
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arrival, Verification};

    fn delivery(body: Vec<u8>) -> NewDelivery {
        let arrival = Arrival {
            received_at_ms: 0,
            method: "POST".into(),
            path: "/".into(),
            query: None,
            remote_addr: None,
            headers: Vec::new(),
        };
        NewDelivery::captured(arrival, body, &Verification::default())
    }

    /// A sender the store must refuse costs no compression: its place is asked for first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_a_body_before_compressing_it() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open_with_queue(dir.path(), 1).expect("store");
        let (release, released) = std::sync::mpsc::channel::<()>();
        assert!(store.inner.writer.run(Box::new(move |_| {
            let _ = released.recv();
        })));
        let first = store
            .inner
            .writer
            .insert(writer::Prepared::new(delivery(b"{}".to_vec())))
            .expect("the one place");
        // A length no other test's body has.
        let length = ENCODE_ON_TASK * 3 + 17;
        let refused = store
            .insert(delivery(b"a".repeat(length)))
            .await
            .expect_err("the queue is full");
        assert!(matches!(refused, Error::StoreBusy { .. }), "{refused}");
        let encoded = body::tests::ENCODED_LENGTHS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        assert!(
            !encoded.contains(&length),
            "the refused body was compressed"
        );
        drop(release);
        first.await.expect("answered").expect("stored");
    }

    /// A row compressed with dictionary v1 (code 1), as rows were before v2, reads as the
    /// bytes that arrived through every reader: raw (re-delivery, export), the body (HAR, the
    /// window), the detail (show) and the verdict recheck.
    #[test]
    fn a_row_written_with_dictionary_v1_reads_everywhere() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(dir.path()).expect("store");
        let body = body::tests::sample("verification.passed", 11);
        let stored = store
            .insert_many(vec![delivery(body.clone())])
            .expect("stored");
        let id = stored[0].id;
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("open");
        let v1 = body::tests::v1_row(&body);
        let changed = conn
            .execute(
                "UPDATE deliveries SET body = ?1, body_encoding = ?2 WHERE id = ?3",
                rusqlite::params![v1, body::ZSTD_DICT_V1, id],
            )
            .expect("rewritten as a v1 row");
        assert_eq!(changed, 1);
        let encoding: i64 = conn
            .query_row(
                "SELECT body_encoding FROM deliveries WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("read");
        assert_eq!(encoding, body::ZSTD_DICT_V1);
        assert!(store.raw(id).expect("raw").body == body);
        assert!(store.body(id).expect("body") == body);
        let detail = store.get(id).expect("detail");
        use base64::Engine as _;
        let shown = base64::engine::general_purpose::STANDARD
            .decode(detail.body_base64)
            .expect("base64");
        assert!(shown == body);
        store
            .recheck(&Verification::default())
            .expect("the recheck reads it");
    }
}
