//! The schema, as an append-only list of migrations. Never edit a released step: add one.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use std::path::Path;

use crate::error::{Error, Result};

const STEPS: &[&str] = &[
    r#"
CREATE TABLE deliveries (
    id                 INTEGER PRIMARY KEY,
    received_at        INTEGER NOT NULL,  -- unix milliseconds
    method             TEXT NOT NULL,
    path               TEXT NOT NULL,
    query              TEXT,
    remote_addr        TEXT,
    headers            TEXT NOT NULL,     -- JSON [[name, value(, base64)]], arrival order
    body               BLOB NOT NULL,     -- exactly as received
    body_size          INTEGER NOT NULL,
    outcome            TEXT NOT NULL,     -- captured | too_large
    event_id           TEXT,
    event_name         TEXT,
    event_created_at   TEXT,
    resource_type      TEXT,
    resource_id        TEXT,
    resource_status    TEXT,
    parse_error        TEXT,              -- JSON {message, line, column}
    signature_status   TEXT NOT NULL,
    signature          TEXT NOT NULL,     -- JSON verdict
    attempts_made      INTEGER,
    attempts_left      INTEGER,
    first_attempted_at INTEGER
) STRICT;
CREATE INDEX deliveries_received_at ON deliveries(received_at);
CREATE INDEX deliveries_event_id ON deliveries(event_id);
CREATE INDEX deliveries_event_name ON deliveries(event_name, id);
CREATE INDEX deliveries_resource_id ON deliveries(resource_id, id);
CREATE INDEX deliveries_signature ON deliveries(signature_status, id);
"#,
    r#"
-- What the desktop app remembers between launches: one JSON value per setting name.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE secrets (
    id       INTEGER PRIMARY KEY,
    label    TEXT NOT NULL UNIQUE,
    value    TEXT NOT NULL,
    added_at INTEGER NOT NULL  -- unix milliseconds
) STRICT;
"#,
    r#"
-- Every re-delivery attempt (forward): what was sent where, and what came back or why nothing did.
CREATE TABLE redeliveries (
    id                 INTEGER PRIMARY KEY,
    delivery_id        INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    started_at         INTEGER NOT NULL,  -- unix milliseconds
    target             TEXT NOT NULL,     -- as typed: what recent targets offer
    method             TEXT NOT NULL,
    url                TEXT NOT NULL,     -- where it went (the target, plus the original path if kept)
    headers            TEXT NOT NULL,     -- JSON [[name, value(, base64)]], as sent
    body               BLOB,              -- the body sent when edited; NULL: the stored body
    body_size          INTEGER NOT NULL,
    signature_mode     TEXT NOT NULL,     -- keep | resign
    secret_label       TEXT,              -- the secret it was re-signed with
    timeout_ms         INTEGER NOT NULL,
    duration_ms        REAL NOT NULL,
    status             INTEGER,           -- NULL: no answer (error_kind says why)
    response_headers   TEXT,              -- JSON as headers
    response_body      BLOB,              -- at most 1 MiB
    response_truncated INTEGER NOT NULL DEFAULT 0,
    error_kind         TEXT,              -- not_listening | timeout | tls | dns | connection
    error_message      TEXT
) STRICT;
CREATE INDEX redeliveries_delivery ON redeliveries(delivery_id, id);
CREATE INDEX redeliveries_target ON redeliveries(target, started_at);
"#,
    r#"
-- Bulk re-delivery and the forward rule: what made each attempt, and the rule's retries.
ALTER TABLE redeliveries ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'; -- manual | bulk | forward
ALTER TABLE redeliveries ADD COLUMN retry INTEGER NOT NULL DEFAULT 0;      -- n-th retry of a forward
ALTER TABLE redeliveries ADD COLUMN next_retry_at INTEGER;                -- unix ms: another try is due
-- The list shows each capture's latest forward.
CREATE INDEX redeliveries_forward ON redeliveries(delivery_id, id) WHERE origin = 'forward';
CREATE INDEX redeliveries_pending ON redeliveries(next_retry_at) WHERE next_retry_at IS NOT NULL;
"#,
    r#"
-- The ids alone, a narrow b-tree: counting the whole list, or skipping to a page deep in it,
-- walks this instead of the table's leaves of multi-KB rows (query.rs names it).
CREATE INDEX deliveries_ids ON deliveries(id);
"#,
    r#"
-- Provenance: only what the listener received and Persona signed is re-signed without asking.
ALTER TABLE deliveries ADD COLUMN source TEXT NOT NULL DEFAULT 'captured'; -- captured | imported | test
ALTER TABLE deliveries ADD COLUMN original_received_at INTEGER;  -- unix ms an import's fixture claims
-- Why an attempt went out with its original signature although re-signing was asked for.
ALTER TABLE redeliveries ADD COLUMN signing_note TEXT;
"#,
    r#"
-- Endpoint checks: made-up deliveries sent to the user's handler, what it should have done and
-- what it did. A run has cases; a case has the requests it sent, kept as redeliveries are.
CREATE TABLE check_runs (
    id           INTEGER PRIMARY KEY,
    started_at   INTEGER NOT NULL,  -- unix milliseconds
    url          TEXT NOT NULL,
    event_name   TEXT NOT NULL,
    secret_label TEXT NOT NULL,
    limit_ms     INTEGER NOT NULL,  -- the answer time accepted deliveries were held to
    passed       INTEGER NOT NULL
) STRICT;
CREATE INDEX check_runs_started_at ON check_runs(started_at);
CREATE TABLE check_cases (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES check_runs(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,  -- order within the run
    name        TEXT NOT NULL,     -- signed | rotation | bare-hmac | …
    sent        TEXT NOT NULL,
    expectation TEXT NOT NULL,     -- accept | reject | should_reject
    status      INTEGER,           -- of the answer the verdict is about; NULL: none (error says why)
    error       TEXT,
    ms          REAL NOT NULL,
    verdict     TEXT NOT NULL,     -- pass | warn | fail
    advice      TEXT NOT NULL
) STRICT;
CREATE INDEX check_cases_run ON check_cases(run_id, position);
-- The same columns as redeliveries (one codec); body always holds the body sent.
CREATE TABLE check_attempts (
    id                 INTEGER PRIMARY KEY,
    case_id            INTEGER NOT NULL REFERENCES check_cases(id) ON DELETE CASCADE,
    started_at         INTEGER NOT NULL,
    target             TEXT NOT NULL,
    method             TEXT NOT NULL,
    url                TEXT NOT NULL,
    headers            TEXT NOT NULL,
    body               BLOB,
    body_size          INTEGER NOT NULL,
    signature_mode     TEXT NOT NULL,
    secret_label       TEXT,
    timeout_ms         INTEGER NOT NULL,
    duration_ms        REAL NOT NULL,
    status             INTEGER,
    response_headers   TEXT,
    response_body      BLOB,
    response_truncated INTEGER NOT NULL DEFAULT 0,
    error_kind         TEXT,
    error_message      TEXT,
    origin             TEXT NOT NULL,
    retry              INTEGER NOT NULL,
    next_retry_at      INTEGER,
    signing_note       TEXT
) STRICT;
CREATE INDEX check_attempts_case ON check_attempts(case_id, id);
"#,
    r#"
-- A resource's timeline, read from this index alone: in the table these columns come after
-- the body, and reading them there walks each body's overflow pages (store/story.rs). An
-- import arrived when its file says (original_received_at), not when it was imported.
CREATE INDEX deliveries_story ON deliveries(resource_id, event_created_at, id, received_at,
    original_received_at, event_id, event_name, resource_type, resource_status);
"#,
    r#"
-- What the listener answered a delivery with (a HAR export's response): the status it sent once
-- the delivery was stored, 413 for a body over the limit; NULL for an import, which nobody
-- answered, and for deliveries stored before this column.
ALTER TABLE deliveries ADD COLUMN reply_status INTEGER;
-- Every X-Forwarded-For line, joined by commas (NULL: none), so the list reads each delivery's
-- source without going through its headers' JSON. Not filled in for older rows (that would
-- rewrite every row, bodies and all): the list reads theirs from the headers.
ALTER TABLE deliveries ADD COLUMN forwarded_for TEXT;
"#,
    r#"
-- Bodies kept compressed (store/body.rs): how this row's body is stored (0: as received,
-- 1: zstd with dictionary v1) and the first 16 bytes of the SHA-256 of the body as received,
-- which retry chains compare. Rows from before keep their bodies as received and no hash
-- until the store compresses them in the background (store/recompress.rs); both kinds read.
ALTER TABLE deliveries ADD COLUMN body_encoding INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN body_hash BLOB;
INSERT INTO settings (name, value)
    SELECT 'old_bodies', json_object('done_to', 0, 'up_to', max(id)) FROM deliveries
    HAVING max(id) IS NOT NULL;
"#,
    r#"
-- Fewer pages written per delivery: deliveries_story starts with resource_id and holds id, so it
-- answers every lookup this index did. Each random-keyed index costs a page written per
-- delivery (to the WAL, then to the database), more than a compressed body.
DROP INDEX deliveries_resource_id;
"#,
    r#"
-- A resource's timeline is found by this narrower index: only the entries a timeline keeps
-- (at most its limit) are then read from the table. deliveries_story held every column a
-- timeline shows, ~170 bytes an entry, and a fifth of the database's bytes besides the rows.
DROP INDEX deliveries_story;
CREATE INDEX deliveries_resource ON deliveries(resource_id, event_created_at, id);
"#,
    r#"
-- Headers and verdict compressed (store/headers_verdict.rs): a new row's headers JSON and
-- verdict JSON together in one zstd frame, behind a format byte (1: dictionary v1); its headers
-- and signature columns then hold '[]' and '{}'. The verdict's age when it flagged the
-- signature stale at arrival is kept beside it (stale_age), for SQL that asks. Rows from
-- before keep their texts (headers_verdict NULL) and are not rewritten, which would write every
-- row again; both kinds read.
ALTER TABLE deliveries ADD COLUMN headers_verdict BLOB;
ALTER TABLE deliveries ADD COLUMN stale_age INTEGER;
"#,
    r#"
-- Bodies in packs (store/packs.rs): the bodies of several consecutive rows concatenated in one
-- zstd frame (encoding: the dictionary's code), declaring its size. A packed row has
-- body_encoding 3 and in body the pack's id and its offset; first_id and last_id bound the rows
-- a pack holds (a purge looks there), members says how many. Rows from before stay alone until
-- the background packer packs them; both kinds read.
CREATE TABLE body_packs (
    id       INTEGER PRIMARY KEY,
    encoding INTEGER NOT NULL,
    size     INTEGER NOT NULL,
    members  INTEGER NOT NULL,
    first_id INTEGER NOT NULL,
    last_id  INTEGER NOT NULL,
    frame    BLOB NOT NULL
) STRICT;
"#,
];

pub(super) fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    STEPS.len() as i64
}

/// The last schema whose inspector cannot read what this one writes: up to 9 it reads every
/// stored body as the body itself (bodies are compressed from migration 10), up to 12 it reads
/// a new row's headers and verdict as `[]` and `{}` (compressed from migration 13), and at 13
/// it reads a packed row as a damaged body (packs are from migration 14; their encoding is
/// unknown to it) and its purge would leave the purged rows' bodies in their packs on disk.
const LAST_MISREAD: i64 = 13;

/// Whether the database is one an inspector that would misread this one's rows writes (a new,
/// empty file is not: no older inspector has it open).
pub fn misread_by_its_inspector(conn: &Connection) -> Result<bool> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok((1..=LAST_MISREAD).contains(&found))
}

/// Brings the database to the latest schema in one transaction; refuses a newer database.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > latest_version() {
        return Err(Error::DatabaseTooNew {
            path: path.to_path_buf(),
            found,
            known: latest_version(),
        });
    }
    migrations()
        .to_latest(conn)
        .map_err(|e| Error::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    fn schema_with_listener(version: usize, pid: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp");
        let mut conn = Connection::open(dir.path().join(crate::store::DATABASE_FILE)).expect("db");
        migrations()
            .to_version(&mut conn, version)
            .expect("older schema");
        let listening = serde_json::json!({"address": "http://127.0.0.1:1", "pid": pid});
        std::fs::write(
            dir.path().join(crate::store::LISTENING_FILE),
            listening.to_string(),
        )
        .expect("listening.json");
        dir
    }

    fn version(dir: &tempfile::TempDir) -> i64 {
        Connection::open(dir.path().join(crate::store::DATABASE_FILE))
            .expect("db")
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version")
    }

    #[cfg(target_os = "linux")]
    /// An older inspector listening on the directory (here: this test's parent process, alive
    /// and not this one) would read compressed rows as bodies (schema 9), or a new row's
    /// headers and verdict as empty (schema 11): the database stays as it is.
    #[test]
    fn a_database_an_older_inspector_runs_on_is_not_converted_under_it() {
        for version in [9, 11] {
            refused_under_an_older_inspector(version);
        }
    }

    #[cfg(target_os = "linux")]
    fn refused_under_an_older_inspector(older: usize) {
        let running = std::os::unix::process::parent_id();
        let dir = schema_with_listener(older, running);
        let refused = crate::store::Store::open(dir.path())
            .err()
            .expect("refused");
        assert!(
            matches!(refused, Error::InUseByOlder { pid, .. } if pid == running),
            "{refused}"
        );
        assert!(
            refused
                .to_string()
                .contains(&format!("quit the running inspector (pid {running})")),
            "{refused}"
        );
        assert_eq!(version(&dir), older as i64, "not migrated");

        // This process's own file, or a dead process's, is no other inspector.
        for pid in [std::process::id(), u32::MAX] {
            let dir = schema_with_listener(older, pid);
            drop(crate::store::Store::open(dir.path()).expect("opens"));
            assert_eq!(version(&dir), latest_version());
        }
    }
}
