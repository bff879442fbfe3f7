//! The webhook secrets the app and the CLI verify with, each with a label and the id the window
//! renames or removes it by.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::{Secret, parse_secret};

/// A configured webhook secret, with the id the window renames or removes it by.
#[derive(Clone, PartialEq, Eq)]
pub struct SavedSecret {
    pub id: i64,
    pub secret: Secret,
}

impl std::fmt::Debug for SavedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedSecret")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .finish()
    }
}

pub(super) fn secrets(conn: &Connection) -> Result<Vec<SavedSecret>> {
    let mut rows = conn.prepare_cached("SELECT id, label, value FROM secrets ORDER BY id")?;
    let rows = rows.query_map([], |row| {
        Ok(SavedSecret {
            id: row.get(0)?,
            secret: Secret {
                label: row.get(1)?,
                value: row.get(2)?,
            },
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

pub(super) fn add_secret(conn: &mut Connection, label: &str, value: &str) -> Result<SavedSecret> {
    let label = checked_label(label)?;
    let value = value.trim();
    // The same rules as --secret on the command line.
    let secret = parse_secret(&format!("{label}={value}")).map_err(Error::Invalid)?;
    let tx = conn.transaction()?;
    refuse_taken_label(&tx, &label, None)?;
    let duplicate: Option<String> = tx
        .query_row(
            "SELECT label FROM secrets WHERE value = ?1",
            [&secret.value],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = duplicate {
        return Err(Error::Invalid(format!(
            "this secret is already saved as \"{other}\""
        )));
    }
    tx.execute(
        "INSERT INTO secrets (label, value, added_at) VALUES (?1, ?2, ?3)",
        params![secret.label, secret.value, crate::clock::now_ms()],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(SavedSecret { id, secret })
}

pub(super) fn rename_secret(conn: &mut Connection, id: i64, label: &str) -> Result<()> {
    let label = checked_label(label)?;
    let tx = conn.transaction()?;
    refuse_taken_label(&tx, &label, Some(id))?;
    if tx.execute(
        "UPDATE secrets SET label = ?2 WHERE id = ?1",
        params![id, label],
    )? == 0
    {
        return Err(no_such_secret(id));
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn remove_secret(conn: &Connection, id: i64) -> Result<()> {
    if conn.execute("DELETE FROM secrets WHERE id = ?1", [id])? == 0 {
        return Err(no_such_secret(id));
    }
    Ok(())
}

fn checked_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() {
        return Err(Error::Invalid(
            "the secret needs a label, e.g. \"sandbox\" or \"current\"".into(),
        ));
    }
    if label.contains('=') || label.chars().count() > 64 || label.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "a label is up to 64 characters, without '=' or control characters".into(),
        ));
    }
    Ok(label.to_string())
}

fn refuse_taken_label(conn: &Connection, label: &str, except: Option<i64>) -> Result<()> {
    let taken: Option<i64> = conn
        .query_row("SELECT id FROM secrets WHERE label = ?1", [label], |r| {
            r.get(0)
        })
        .optional()?;
    match taken {
        Some(id) if Some(id) != except => Err(Error::Invalid(format!(
            "a secret is already labelled \"{label}\"; pick another label"
        ))),
        _ => Ok(()),
    }
}

fn no_such_secret(id: i64) -> Error {
    Error::Invalid(format!(
        "there is no secret {id} any more; reopen the settings"
    ))
}
