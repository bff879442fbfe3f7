//! The rows a resource's timeline and an event's retry chain are read from: a few narrow
//! columns, each query bounded by a limit. Bodies stay in SQLite (compared there by their
//! hashes) except the one a caller asks for by id.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::AttemptHeaders;

/// One delivery whose `payload.data` is the resource, as a timeline needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRow {
    pub id: i64,
    pub received_at_ms: i64,
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    pub event_created_at: Option<String>,
    pub resource_type: Option<String>,
    pub resource_status: Option<String>,
}

/// The deliveries whose `payload.data` is `resource_id`, at most `limit`, in the order of the
/// events' created-at (text order is time order for Persona's fixed-width UTC times; those
/// without one last), then of arrival. The entries are chosen and ordered from the
/// `deliveries_resource` index alone; only those kept are read from the table, where these
/// columns sit after the body (each read walks that body's pages).
pub fn resource_rows(
    conn: &Connection,
    resource_id: &str,
    limit: u32,
) -> crate::Result<Vec<ResourceRow>> {
    let mut statement = conn.prepare_cached(
        "WITH kept AS (SELECT id, event_created_at AS created FROM deliveries
                           INDEXED BY deliveries_resource WHERE resource_id = ?1
                       ORDER BY created IS NULL, created, id LIMIT ?2)
         SELECT d.id, coalesce(d.original_received_at, d.received_at), d.event_id, d.event_name,
             d.event_created_at, d.resource_type, d.resource_status
         FROM kept JOIN deliveries d ON d.id = kept.id
         ORDER BY kept.created IS NULL, kept.created, kept.id",
    )?;
    let rows = statement.query_map(params![resource_id, limit], |r| {
        Ok(ResourceRow {
            id: r.get(0)?,
            received_at_ms: r.get(1)?,
            event_id: r.get(2)?,
            event_name: r.get(3)?,
            event_created_at: r.get(4)?,
            resource_type: r.get(5)?,
            resource_status: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many deliveries have `resource_id` as their `payload.data`.
pub fn count_resource_rows(conn: &Connection, resource_id: &str) -> crate::Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM deliveries WHERE resource_id = ?1")?
        .query_row([resource_id], |r| r.get(0))?;
    Ok(count.max(0) as u64)
}

/// Deliveries about another resource whose body holds `resource_id` as a word (the search
/// index's tokens), oldest first, at most `limit`: candidates for "mentioned in", which the
/// caller confirms by reading the envelope. The index must be caught up first.
pub fn mention_candidates(
    conn: &Connection,
    resource_id: &str,
    limit: u32,
) -> crate::Result<Vec<i64>> {
    // Any column: the delivery's own resource is left out below, and an event id is never
    // a resource's (column filters need positions the index does not keep).
    let Some(words) = super::search_text::match_expression(resource_id, false) else {
        return Ok(Vec::new());
    };
    let mut statement = conn.prepare_cached(
        "SELECT rowid FROM search.deliveries_fts WHERE deliveries_fts MATCH ?1
             AND rowid NOT IN (SELECT id FROM main.deliveries WHERE resource_id = ?2)
         ORDER BY rowid LIMIT ?3",
    )?;
    let rows = statement.query_map(params![words, resource_id, limit], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The body of delivery `id` alone, as received; None when it is gone.
pub fn body(conn: &Connection, id: i64) -> crate::Result<Option<Vec<u8>>> {
    conn.prepare_cached(
        "SELECT body, body_encoding, body_size, body_hash FROM deliveries WHERE id = ?1",
    )?
    .query_row([id], |r| {
        super::packs::body_from_row(conn, id, r, 0, &mut super::packs::LastPack::default())
    })
    .optional()?
    .transpose()
}

/// One stored copy of an event.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyRow {
    pub id: i64,
    pub received_at_ms: i64,
    pub attempts: AttemptHeaders,
    /// Byte for byte the body of the event's first stored copy.
    pub same_body: bool,
    /// Why this copy's body, or the first copy's, could not be read to compare them (it then
    /// counts as different).
    pub unreadable: Option<String>,
}

/// The stored copies of event `event_id` in the order they arrived (an import when its file
/// says), at most `limit`. Each body is compared with the first copy's inside SQLite by the
/// hashes of the bodies as received, and only when their sizes match: no body is copied out. A
/// row from before bodies were hashed, not yet compressed in the background, is compared by
/// its bytes when both are stored as received, else (rarely, and only until the background
/// work reaches it) decoded here. A body refused as too large was not kept: it is the same as
/// another refused one of its size only.
pub fn event_copies(conn: &Connection, event_id: &str, limit: u32) -> crate::Result<Vec<CopyRow>> {
    let mut statement = conn.prepare_cached(
        "WITH copies AS (SELECT id, coalesce(original_received_at, received_at) AS arrived,
                             attempts_made, attempts_left, first_attempted_at, outcome
                         FROM deliveries WHERE event_id = ?1
                         ORDER BY arrived, id LIMIT ?2),
              first AS (SELECT id, body_size, body_hash, body_encoding, outcome FROM deliveries
                        WHERE id = (SELECT id FROM copies ORDER BY arrived, id LIMIT 1))
         SELECT c.id, c.arrived, c.attempts_made, c.attempts_left, c.first_attempted_at,
             CASE WHEN c.outcome != first.outcome OR d.body_size != first.body_size THEN 0
                  WHEN d.body_hash IS NOT NULL AND first.body_hash IS NOT NULL
                      THEN d.body_hash = first.body_hash
                  WHEN d.body_encoding = 0 AND first.body_encoding = 0
                      THEN d.body = (SELECT body FROM deliveries WHERE id = first.id)
             END,
             first.id
         FROM copies c JOIN deliveries d ON d.id = c.id, first
         ORDER BY c.arrived, c.id",
    )?;
    let rows = statement.query_map(params![event_id, limit], |r| {
        let row = CopyRow {
            id: r.get(0)?,
            received_at_ms: r.get(1)?,
            attempts: AttemptHeaders {
                made: r.get(2)?,
                left: r.get(3)?,
                first_attempted_at: r.get(4)?,
            },
            same_body: r.get::<_, Option<bool>>(5)?.unwrap_or(false),
            unreadable: None,
        };
        Ok((
            row,
            r.get::<_, Option<bool>>(5)?.is_none(),
            r.get::<_, i64>(6)?,
        ))
    })?;
    let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
    let mut first_body = None;
    let mut copies = Vec::with_capacity(rows.len());
    for (mut row, undecided, first_id) in rows {
        if undecided {
            if first_body.is_none() {
                first_body = Some(readable(body(conn, first_id))?);
            }
            let compared = match first_body.as_ref() {
                Some(Ok(first)) => {
                    readable(body(conn, row.id))?.map(|b| first.is_some() && b == *first)
                }
                Some(Err(why)) => Err(why.clone()),
                None => Ok(false),
            };
            (row.same_body, row.unreadable) = match compared {
                Ok(same) => (same, None),
                Err(why) => (false, Some(why)),
            };
        }
        copies.push(row);
    }
    Ok(copies)
}

/// A body read to compare, or why its stored bytes do not decode (which fails only the
/// comparison); a body gone since (purged) compares as absent, an empty `Option`.
fn readable(
    read: crate::Result<Option<Vec<u8>>>,
) -> crate::Result<Result<Option<Vec<u8>>, String>> {
    match read {
        Ok(body) => Ok(Ok(body)),
        Err(error @ crate::Error::CorruptBody { .. }) => Ok(Err(error.to_string())),
        Err(error) => Err(error),
    }
}

/// How many stored deliveries carry event id `event_id`.
pub fn count_event_copies(conn: &Connection, event_id: &str) -> crate::Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM deliveries WHERE event_id = ?1")?
        .query_row([event_id], |r| r.get(0))?;
    Ok(count.max(0) as u64)
}
