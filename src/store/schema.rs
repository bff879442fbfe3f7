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
];

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    STEPS.len() as i64
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
}
