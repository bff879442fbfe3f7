//! Bodies kept in packs: the bodies of several consecutive rows concatenated in one zstd frame
//! (dictionary v2) in `body_packs`, which compresses them several times better than one frame
//! each (consecutive deliveries share their structure and check lists; BENCHMARKS.md, "Bodies
//! in packs"). A packed row has `body_encoding` 3 and, in `body`, where its body is: the pack's
//! id and the offset (`body_size` is its length, `body_hash` checks it).
//!
//! Captures still store each body alone (a 2xx means committed, nothing changes there); a
//! background packer, like `recompress.rs`, packs rows once enough of them exist, one short
//! writer transaction for up to four packs, and resumes from `packed_to` in `settings` after a restart.
//! `insert_many` packs as it inserts. Large bodies (a 5 MB delivery opens without decoding
//! neighbours), bodies stored as received and rows that do not read stay as they are.
//! Every reader gets bodies through [`body_from_row`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};

use super::body::{self, Encoded, HASH_BYTES};
use super::settings;
use super::writer::Prepared;
use crate::error::{Error, Result};

/// Bodies a pack holds, and the zstd level of its frame, measured on the bench's bodies
/// (BENCHMARKS.md, "Bodies in packs"): 16 keeps most of what 32 saves while opening one body
/// decodes 16 (~20 µs); level 5 saves 13% over level 3 for ~10 µs more a body, spent by the
/// packer, never by a capture.
pub const PACK_ROWS: usize = 16;
const PACK_LEVEL: i32 = 5;

/// Bodies larger than this stay alone: opening one must not decode others with it.
pub const LARGEST_PACKED: u64 = 64 * 1024;

/// The largest frame a pack may declare; a pack row saying more is refused unread.
const MAX_PACK_BYTES: u64 = PACK_ROWS as u64 * LARGEST_PACKED;

/// Fewer bodies than this are not packed by `insert_many` (a batch's tail): the background
/// packer takes them with the rows after them.
const MIN_PACK: usize = 4;

/// The dictionary code a new pack's frame is compressed with.
const PACK_ENCODING: i64 = body::ZSTD_DICT_V2;

/// The settings row that says up to which delivery the packer has looked.
const PACKED_TO: &str = "packed_to";

/// Rows the packer reads at a time looking for a pack's worth.
const SCAN_ROWS: i64 = 256;

/// Packs written in one writer transaction: the pages every pack touches (the settings row,
/// the free list, the packs table's last page, the rows' shared leaves) are written once for
/// several, and a capture waits for at most a few milliseconds behind them.
const PACKS_A_TRANSACTION: usize = 4;

/// How long the packer sleeps when fewer than a pack's worth of rows wait.
const IDLE: Duration = Duration::from_millis(500);

/// Where a packed body is: the pack's id, then the offset, little-endian.
const LOCATOR_BYTES: usize = 12;

fn locator(pack: i64, offset: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(LOCATOR_BYTES);
    out.extend_from_slice(&pack.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out
}

fn parse_locator(stored: &[u8]) -> Option<(i64, u32)> {
    let stored: &[u8; LOCATOR_BYTES] = stored.try_into().ok()?;
    let (pack, offset) = stored.split_at(8);
    Some((
        i64::from_le_bytes(pack.try_into().ok()?),
        u32::from_le_bytes(offset.try_into().ok()?),
    ))
}

/// The last pack a reader decoded: the search indexer reads bodies in id order, and without
/// it would decode each pack once per body in it. Keep one for one read of the database (a
/// statement or a transaction): after a purge a pack's id may be given to another pack.
#[derive(Default)]
pub struct LastPack(Option<(i64, Vec<u8>)>);

/// The body of row `id` exactly as received, from the four columns from `at` on: `body`,
/// `body_encoding`, `body_size` and `body_hash`, as every query that reads a body selects
/// them. A packed row's pack is read on `conn` (or taken from `last`), its frame's declared
/// size checked before anything is allocated, and the body sliced out must match the row's
/// hash: a damaged or missing pack is `CorruptBody` for this row, never another's bytes. The
/// outer error is SQLite's.
pub fn body_from_row(
    conn: &Connection,
    id: i64,
    row: &rusqlite::Row<'_>,
    at: usize,
    last: &mut LastPack,
) -> rusqlite::Result<Result<Vec<u8>>> {
    let encoding: i64 = row.get(at + 1)?;
    if encoding != body::PACKED {
        return body::from_row(id, row, at);
    }
    let stored: Vec<u8> = row.get(at)?;
    let size = row.get::<_, i64>(at + 2)?.max(0) as u64;
    let hash: Option<Vec<u8>> = row.get(at + 3)?;
    let corrupt = |why: String| Ok(Err(Error::CorruptBody { id, why }));
    let Some((pack, offset)) = parse_locator(&stored) else {
        return corrupt(format!(
            "it is marked as packed but holds {} bytes, not where its pack is",
            stored.len()
        ));
    };
    let Some(hash) = hash.filter(|h| h.len() == HASH_BYTES) else {
        return corrupt("it is packed but has no hash to check its body with".to_string());
    };
    if last.0.as_ref().is_none_or(|(held, _)| *held != pack) {
        last.0 = None;
        match open_pack(conn, pack)? {
            Ok(bytes) => last.0 = Some((pack, bytes)),
            Err(why) => return corrupt(why),
        }
    }
    let Some((_, bytes)) = &last.0 else {
        return corrupt(format!("its pack {pack} could not be kept"));
    };
    let start = offset as usize;
    let Some(slice) = usize::try_from(size)
        .ok()
        .and_then(|size| start.checked_add(size))
        .and_then(|end| bytes.get(start..end))
    else {
        return corrupt(format!(
            "its {size} bytes at offset {offset} are past the end of its pack {pack} ({} bytes)",
            bytes.len()
        ));
    };
    if body::hash(slice)[..] != hash[..] {
        return corrupt(format!(
            "its bytes in pack {pack} do not match its hash (the pack is damaged)"
        ));
    }
    Ok(Ok(slice.to_vec()))
}

/// Pack `pack` decoded, or why it cannot be.
fn open_pack(
    conn: &Connection,
    pack: i64,
) -> rusqlite::Result<std::result::Result<Vec<u8>, String>> {
    let found: Option<(i64, i64, Vec<u8>)> = conn
        .prepare_cached("SELECT encoding, size, frame FROM body_packs WHERE id = ?1")?
        .query_row([pack], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((encoding, size, frame)) = found else {
        return Ok(Err(format!("its pack {pack} is gone")));
    };
    #[cfg(test)]
    tests::PACKS_DECODED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push((conn.path().unwrap_or_default().to_string(), pack));
    let size = match u64::try_from(size) {
        Ok(size) if size <= MAX_PACK_BYTES => size,
        _ => {
            return Ok(Err(format!(
                "its pack {pack} records {size} bytes, over the {MAX_PACK_BYTES} a pack can hold"
            )));
        }
    };
    Ok(body::decompress_pack(encoding, &frame, size)
        .map_err(|why| format!("its pack {pack}: {why}")))
}

/// Whether a body encoded as `encoded`, `size` bytes, goes into a pack: compressed alone
/// (so neither tiny, incompressible nor refused as too large) and not large.
fn packable(encoded: &Encoded, size: u64) -> bool {
    matches!(encoded.encoding, body::ZSTD_DICT_V1 | body::ZSTD_DICT_V2) && size <= LARGEST_PACKED
}

/// One pack ready to be written: its members' bodies joined and compressed.
struct Frame {
    frame: Vec<u8>,
    size: u64,
    /// Each member's offset in the joined bodies.
    offsets: Vec<u32>,
}

/// `bodies` joined in one compressed frame; None when zstd fails (they then stay alone).
fn frame<'a>(bodies: impl Iterator<Item = &'a [u8]>) -> Option<Frame> {
    let mut joined = Vec::new();
    let mut offsets = Vec::new();
    for body in bodies {
        offsets.push(u32::try_from(joined.len()).ok()?);
        joined.extend_from_slice(body);
    }
    let frame = body::compress_pack(&joined, PACK_LEVEL)?;
    Some(Frame {
        frame,
        size: joined.len() as u64,
        offsets,
    })
}

/// Writes a pack row; its members are set by the caller, then [`bound`] records them.
fn insert_pack(tx: &Transaction, frame: &Frame) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO body_packs (encoding, size, members, first_id, last_id, frame)
         VALUES (?1, ?2, ?3, 0, 0, ?4)",
    )?
    .execute(params![
        PACK_ENCODING,
        frame.size as i64,
        frame.offsets.len() as i64,
        frame.frame
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Records the first and last row a pack holds: a purge looks for its rows between them.
fn bound(tx: &Transaction, pack: i64, first: i64, last: i64) -> Result<()> {
    tx.prepare_cached("UPDATE body_packs SET first_id = ?2, last_id = ?3 WHERE id = ?1")?
        .execute(params![pack, first, last])?;
    Ok(())
}

/// Deliveries for `insert_many`, their packable bodies packed 16 at a time in the order they
/// come. Compressing is done here, by the caller, before the writer.
pub struct Batch {
    rows: Vec<Prepared>,
    /// Each pack's frame and the indexes in `rows` of its members.
    packs: Vec<(Frame, Vec<usize>)>,
}

impl Batch {
    pub fn new(deliveries: Vec<crate::model::NewDelivery>) -> Batch {
        let mut rows = Vec::with_capacity(deliveries.len());
        let mut raw: Vec<Option<Vec<u8>>> = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            let size = delivery.body_size;
            let body =
                (delivery.body.len() as u64 <= LARGEST_PACKED).then(|| delivery.body.clone());
            let prepared = Prepared::new(delivery);
            raw.push(body.filter(|_| packable(&prepared.body, size)));
            rows.push(prepared);
        }
        let candidates: Vec<usize> = (0..rows.len()).filter(|&i| raw[i].is_some()).collect();
        let packs = candidates
            .chunks(PACK_ROWS)
            .filter(|members| members.len() >= MIN_PACK)
            .filter_map(|members| {
                let bodies = members.iter().filter_map(|&i| raw[i].as_deref());
                Some((frame(bodies)?, members.to_vec()))
            })
            .collect();
        Batch { rows, packs }
    }

    /// Inserts the packs, then the rows (packed ones pointing into their pack).
    pub fn insert(mut self, tx: &Transaction) -> Result<Vec<super::Stored>> {
        let mut pack_ids = Vec::with_capacity(self.packs.len());
        for (frame, members) in &self.packs {
            let pack = insert_pack(tx, frame)?;
            for (&i, &offset) in members.iter().zip(&frame.offsets) {
                let encoded = &mut self.rows[i].body;
                encoded.encoding = body::PACKED;
                encoded.bytes = locator(pack, offset);
            }
            pack_ids.push(pack);
        }
        let stored = self
            .rows
            .iter()
            .map(|row| super::writer::insert(tx, row))
            .collect::<Result<Vec<_>>>()?;
        for ((_, members), pack) in self.packs.iter().zip(pack_ids) {
            if let (Some(&first), Some(&last)) = (members.first(), members.last()) {
                bound(tx, pack, stored[first].id, stored[last].id)?;
            }
        }
        // Stored right after everything the packer has read: it need not read these rows
        // again (a 100k-row import would otherwise be walked once more at the next start).
        // What follows the last pack (fewer than a pack's worth) is left for it.
        let last_packed = self
            .packs
            .last()
            .and_then(|(_, m)| m.last())
            .map(|&i| stored[i].id);
        if let (Some(first), Some(last_packed)) = (stored.first(), last_packed)
            && packed_to(tx)? >= first.id - 1
        {
            settings::save_named(tx, PACKED_TO, &last_packed.to_string())?;
        }
        Ok(stored)
    }
}

/// What the background packer hands the writer: a pack of rows read after `packed_to`, or
/// none (the rows it read hold nothing to pack), and how far it read.
pub(super) struct Pack {
    /// The `packed_to` it read after: the write refuses a pack read from elsewhere (a purge
    /// moved `packed_to` back meanwhile, and ids after it may be new rows it never read).
    after: i64,
    frame: Option<Frame>,
    /// Each member's id, the encoding and hash it had when read (the write checks it still
    /// has them).
    members: Vec<(i64, i64, [u8; HASH_BYTES])>,
    reached: i64,
}

/// Packs rows in the background until the store closes; see the module's documentation.
pub struct Packer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Packer {
    /// Starts the packer; `commit` runs a pack's transaction ([`apply`]) on the writer.
    pub fn start(
        path: &Path,
        commit: impl Fn(Vec<Pack>) -> Result<u64> + Send + 'static,
    ) -> Result<Packer> {
        let conn = super::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("store-packer".into())
            .spawn(move || {
                let mut rounds = Rounds::default();
                while !stopping.load(Ordering::Relaxed) {
                    match rounds.run(&conn, &stopping, &commit) {
                        Ok(_) => {}
                        Err(Error::StoreClosed) => return,
                        // Bodies stay readable as they are; the next round tries again.
                        Err(error) => tracing::warn!("packing bodies: {error}"),
                    }
                    // Sleeps in steps, so a closing store does not wait for it.
                    for _ in 0..10 {
                        if stopping.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(IDLE / 10);
                    }
                }
            })?;
        Ok(Packer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Packer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What decides whether the packer may find something new to pack: how far it has looked, the
/// newest row, and whether the recompression is still pending. Each is read in O(1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Watermark {
    packed_to: i64,
    newest: i64,
    recompressing: bool,
}

fn watermark(conn: &Connection) -> Result<Watermark> {
    Ok(Watermark {
        packed_to: packed_to(conn)?,
        newest: conn.query_row("SELECT coalesce(max(id), 0) FROM deliveries", [], |r| {
            r.get(0)
        })?,
        recompressing: super::recompress::pending(conn)?,
    })
}

/// The background packer's rounds. A round that packed nothing (fewer than a pack's worth of
/// rows wait) is not run again until its [`Watermark`] moves: an idle store costs three
/// small reads a round, not re-reading and decoding the rows that wait.
#[derive(Default)]
pub(super) struct Rounds {
    idle: Option<Watermark>,
}

impl Rounds {
    /// One round of [`catch_up`]; None when skipped because nothing changed since a round
    /// that packed nothing.
    pub(super) fn run(
        &mut self,
        conn: &Connection,
        stop: &AtomicBool,
        commit: impl Fn(Vec<Pack>) -> Result<u64>,
    ) -> Result<Option<u64>> {
        // Read before the round: a row stored during it moves the next one's.
        let now = watermark(conn)?;
        if self.idle == Some(now) {
            return Ok(None);
        }
        self.idle = None;
        let packed = catch_up(conn, stop, commit)?;
        self.idle = (packed == 0).then_some(now);
        Ok(Some(packed))
    }
}

/// How far the packer has looked (0: nowhere yet).
fn packed_to(conn: &Connection) -> Result<i64> {
    Ok(settings::load_named(conn, PACKED_TO)?
        .and_then(|text| text.parse().ok())
        .unwrap_or(0))
}

/// Packs every full pack's worth of rows waiting, up to [`PACKS_A_TRANSACTION`] a `commit`;
/// returns how many rows were packed. Rows after the last full pack wait for more. Stops early
/// when `stop` is raised.
pub(super) fn catch_up(
    conn: &Connection,
    stop: &AtomicBool,
    commit: impl Fn(Vec<Pack>) -> Result<u64>,
) -> Result<u64> {
    // Rows from before bodies were compressed have no hash until the recompression reaches
    // them: the packer would skip them for good. It waits for that work to finish.
    if super::recompress::pending(conn)? {
        return Ok(0);
    }
    let mut packed = 0;
    while !stop.load(Ordering::Relaxed) {
        // Read again each round: a transaction that found a row changed wrote nothing.
        let mut after = packed_to(conn)?;
        let mut packs = Vec::new();
        while packs.len() < PACKS_A_TRANSACTION {
            let Some(pack) = next_pack(conn, after)? else {
                break;
            };
            after = pack.reached;
            packs.push(pack);
        }
        if packs.is_empty() {
            break;
        }
        packed += commit(packs)?;
    }
    Ok(packed)
}

/// The next pack's worth of rows after row `after`, compressed; None when fewer wait.
fn next_pack(conn: &Connection, after: i64) -> Result<Option<Pack>> {
    let mut rows = conn.prepare_cached(
        "SELECT id, body, body_encoding, body_size, body_hash FROM deliveries
         WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut rows = rows.query(params![after, SCAN_ROWS])?;
    let (mut read, mut reached) = (0, after);
    let mut members = Vec::new();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    while let Some(row) = rows.next()? {
        read += 1;
        let id: i64 = row.get(0)?;
        reached = id;
        let encoding: i64 = row.get(2)?;
        let size = row.get::<_, i64>(3)?.max(0) as u64;
        let hash: Option<Vec<u8>> = row.get(4)?;
        let hash: Option<[u8; HASH_BYTES]> = hash.and_then(|h| h.try_into().ok());
        let (Some(hash), true) = (
            hash,
            matches!(encoding, body::ZSTD_DICT_V1 | body::ZSTD_DICT_V2) && size <= LARGEST_PACKED,
        ) else {
            continue;
        };
        // A row that does not read, or not to its hash, stays as it is (reading it says why).
        let Ok(body) = body::from_row(id, row, 1)? else {
            continue;
        };
        if body::hash(&body) != hash {
            continue;
        }
        members.push((id, encoding, hash));
        bodies.push(body);
        if members.len() == PACK_ROWS {
            break;
        }
    }
    if members.len() < PACK_ROWS && read < SCAN_ROWS {
        // The end of the table: wait for a full pack.
        return Ok(None);
    }
    if members.len() < MIN_PACK {
        // A long stretch of rows that stay alone: only move past it.
        return Ok(Some(Pack {
            after,
            frame: None,
            members: Vec::new(),
            reached,
        }));
    }
    let frame = frame(bodies.iter().map(Vec::as_slice));
    if frame.is_none() {
        members.clear();
    }
    Ok(Some(Pack {
        after,
        frame,
        members,
        reached,
    }))
}

/// The writer's side: one transaction writes the packs and points their rows into them, and
/// moves `packed_to` on; returns how many rows it packed. When a member changed since it was
/// read (purged, or packed by another process), or the packs were not read on from where
/// `packed_to` now is (a purge moved it back), nothing is written and the next round reads
/// again.
pub(super) fn apply(conn: &mut Connection, packs: &[Pack]) -> Result<u64> {
    let tx = conn.transaction()?;
    let mut from = packed_to(&tx)?;
    for pack in packs {
        if pack.after != from {
            return Ok(0);
        }
        from = pack.reached;
    }
    for pack in packs {
        if !apply_one(&tx, pack)? {
            // Dropping the transaction rolls every pack of it back.
            return Ok(0);
        }
    }
    if let Some(last) = packs.last() {
        settings::save_named(&tx, PACKED_TO, &last.reached.to_string())?;
    }
    tx.commit()?;
    Ok(packs.iter().map(|p| p.members.len() as u64).sum())
}

/// Writes one pack and points its rows into it; false when one of them changed.
fn apply_one(tx: &Transaction, pack: &Pack) -> Result<bool> {
    let Some(frame) = &pack.frame else {
        return Ok(true);
    };
    let id = insert_pack(tx, frame)?;
    let mut update = tx.prepare_cached(
        "UPDATE deliveries SET body = ?2, body_encoding = ?3
         WHERE id = ?1 AND body_encoding = ?4 AND body_hash = ?5",
    )?;
    for ((member, encoding, hash), &offset) in pack.members.iter().zip(&frame.offsets) {
        let changed = update.execute(params![
            member,
            locator(id, offset),
            body::PACKED,
            encoding,
            &hash[..]
        ])?;
        if changed != 1 {
            return Ok(false);
        }
    }
    if let (Some(first), Some(last)) = (pack.members.first(), pack.members.last()) {
        bound(tx, id, first.0, last.0)?;
    }
    Ok(true)
}

/// Whether full packs' worth of rows wait for the packer (the bench waits for it).
pub(super) fn pending(conn: &Connection) -> Result<bool> {
    Ok(!super::recompress::pending(conn)? && next_pack(conn, packed_to(conn)?)?.is_some())
}

/// After a purge deleted rows up to id `deleted_to`, in its transaction: a pack none of whose
/// rows is left goes, and a pack some of whose rows went is taken apart (its other rows get
/// their bodies back alone, compressed as a capture's would be) and goes too, so no purged
/// body stays in a pack; the erase that follows rewrites the file. `packed_to` is moved back
/// when the newest rows went (ids may then be given again). Returns how many packs went.
pub(super) fn after_purge(tx: &Transaction, deleted_to: i64) -> Result<u64> {
    let packs: Vec<(i64, i64, i64, i64)> = tx
        .prepare_cached(
            "SELECT id, members, first_id, last_id FROM body_packs WHERE first_id <= ?1",
        )?
        .query_map([deleted_to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut gone = 0;
    for (pack, members, first, last) in packs {
        let left = members_left(tx, pack, first, last)?;
        if left.len() as i64 == members {
            continue;
        }
        unpack(tx, pack, &left)?;
        tx.prepare_cached("DELETE FROM body_packs WHERE id = ?1")?
            .execute([pack])?;
        gone += 1;
    }
    let newest: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM deliveries", [], |r| {
        r.get(0)
    })?;
    if packed_to(tx)? > newest {
        settings::save_named(tx, PACKED_TO, &newest.to_string())?;
    }
    Ok(gone)
}

/// The ids of the rows still in pack `pack`.
fn members_left(tx: &Transaction, pack: i64, first: i64, last: i64) -> Result<Vec<i64>> {
    let mut rows = tx.prepare_cached(
        "SELECT id, body FROM deliveries WHERE id BETWEEN ?1 AND ?2 AND body_encoding = ?3",
    )?;
    let mut rows = rows.query(params![first, last, body::PACKED])?;
    let mut left = Vec::new();
    while let Some(row) = rows.next()? {
        let stored: Vec<u8> = row.get(1)?;
        if parse_locator(&stored).is_some_and(|(held, _)| held == pack) {
            left.push(row.get(0)?);
        }
    }
    Ok(left)
}

/// Gives each of `ids` (rows of pack `pack`) its body back alone. A row whose body does not
/// read from the pack keeps pointing at it, and reads as a pack that is gone.
fn unpack(tx: &Transaction, pack: i64, ids: &[i64]) -> Result<()> {
    let mut last = LastPack::default();
    for &id in ids {
        let body = tx
            .prepare_cached(
                "SELECT body, body_encoding, body_size, body_hash FROM deliveries WHERE id = ?1",
            )?
            .query_row([id], |row| body_from_row(tx, id, row, 0, &mut last))?;
        let body = match body {
            Ok(body) => body,
            Err(error) => {
                tracing::warn!("a purge took pack {pack} apart: {error}");
                continue;
            }
        };
        let alone = body::encode(body);
        tx.prepare_cached("UPDATE deliveries SET body = ?2, body_encoding = ?3 WHERE id = ?1")?
            .execute(params![id, alone.bytes, alone.encoding])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
