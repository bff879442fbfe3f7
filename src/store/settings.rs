//! What the app remembers between launches, in the deliveries' own database so the app and the
//! CLI share it: the listener's port and reply, the stale tolerance, notifications, how long
//! deliveries are kept (the webhook secrets are in `secrets`).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::Saved;

pub(super) fn load(conn: &Connection) -> Result<Saved> {
    let mut saved = serde_json::to_value(Saved::default()).map_err(invalid)?;
    let mut rows = conn.prepare_cached("SELECT name, value FROM settings")?;
    let mut rows = rows.query([])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let value: String = row.get(1)?;
        // A value this build can't read (hand-edited, or from another version) keeps its default.
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&value) else {
            continue;
        };
        let mut candidate = saved.clone();
        if let Some(slot) = candidate.get_mut(&name) {
            *slot = value;
            if serde_json::from_value::<Saved>(candidate.clone()).is_ok() {
                saved = candidate;
            }
        }
    }
    serde_json::from_value(saved).map_err(invalid)
}

pub(super) fn save(conn: &mut Connection, saved: &Saved) -> Result<()> {
    saved.validate().map_err(Error::Invalid)?;
    let fields = serde_json::to_value(saved).map_err(invalid)?;
    let tx = conn.transaction()?;
    if let serde_json::Value::Object(fields) = fields {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO settings (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )?;
        for (name, value) in fields {
            upsert.execute(params![name, value.to_string()])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A setting kept apart from [`Saved`] (the forward rule), as the JSON text it was saved as.
pub(super) fn load_named(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

pub(super) fn save_named(conn: &Connection, name: &str, json: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, json])?;
    Ok(())
}

fn invalid(e: serde_json::Error) -> Error {
    Error::Invalid(e.to_string())
}
