//! What the window can ask for. Each command is a plain function over the [`Engine`], so it is
//! tested without a window; `lib.rs` only wraps them for Tauri.

use persona_inspector::store::{Detail, Filter, Store, Summary};
use serde::Serialize;

use crate::engine::{Engine, ListenerStatus};

/// The error a command returns to the window: a kind to branch on and a sentence to show.
#[derive(Debug, PartialEq, Serialize)]
pub struct CommandError {
    pub kind: &'static str,
    pub message: String,
}

impl From<persona_inspector::Error> for CommandError {
    fn from(error: persona_inspector::Error) -> CommandError {
        use persona_inspector::Error;
        let kind = match &error {
            Error::NotFound(_) => "not_found",
            Error::Invalid(_) => "invalid",
            _ => "store",
        };
        CommandError {
            kind,
            message: error.to_string(),
        }
    }
}

fn store(engine: &Engine) -> Result<Store, CommandError> {
    match (engine.capture(), engine.status()) {
        (Some(capture), _) => Ok(capture.store().clone()),
        (None, ListenerStatus::Failed { message, .. }) => Err(CommandError {
            kind: "unavailable",
            message: message.clone(),
        }),
        (None, ListenerStatus::Listening { .. }) => Err(CommandError {
            kind: "unavailable",
            message: "the store is not open".into(),
        }),
    }
}

/// Runs a store read off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| CommandError {
            kind: "internal",
            message: format!("the query stopped unexpectedly: {error}"),
        })?
}

pub async fn list_deliveries(
    engine: &Engine,
    filter: Filter,
) -> Result<Vec<Summary>, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.list(&filter)?)).await
}

pub async fn get_delivery(engine: &Engine, id: i64) -> Result<Detail, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.get(id)?)).await
}

pub fn listener_status(engine: &Engine) -> ListenerStatus {
    engine.status().clone()
}
