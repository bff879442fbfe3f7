//! What the window can ask for. Each command is a plain function over the [`Engine`], so it is
//! tested without a window; `ipc.rs` only wraps them for Tauri.

use persona_inspector::bulk::{self, UnverifiedCount};
use persona_inspector::catalog::{self, CatalogEntry};
use persona_inspector::model::{Filter, Order, Redelivery, Rule, Saved, Scope};
use persona_inspector::store::{EventCount, Purge, Store, Summary};
use persona_inspector::view::Detail;
use persona_inspector::{redeliver, share};
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, ListenerStatus};
use crate::forwarding::{BulkStarted, BulkStep};

/// Every `CommandError::kind`; the window's bindings export them (`ipc::builder`).
pub const COMMAND_ERROR_KINDS: [&str; 7] = [
    "not_found",
    "invalid",
    "store",
    "unavailable",
    "listen",
    "send",
    "internal",
];

/// The error a command returns to the window: a kind to branch on and a sentence to show.
#[derive(Debug, PartialEq, Serialize, specta::Type)]
pub struct CommandError {
    /// One of `COMMAND_ERROR_KINDS`.
    pub kind: &'static str,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> CommandError {
        // A new kind must be listed, or the window's type for it would not know it.
        debug_assert!(COMMAND_ERROR_KINDS.contains(&kind), "unlisted kind {kind}");
        CommandError {
            kind,
            message: message.into(),
        }
    }
}

impl From<persona_inspector::Error> for CommandError {
    fn from(error: persona_inspector::Error) -> CommandError {
        use persona_inspector::Error;
        let kind = match &error {
            Error::NotFound(_) => "not_found",
            Error::Invalid(_) => "invalid",
            _ => "store",
        };
        CommandError::new(kind, error.to_string())
    }
}

/// A configured webhook secret as the window sees it: never the value, only a preview.
#[derive(Clone, Debug, PartialEq, Serialize, specta::Type)]
pub struct SecretInfo {
    pub id: i64,
    pub label: String,
    /// e.g. "wbhsec_…9f2c": enough to tell two secrets apart.
    pub preview: String,
}

/// The app's settings, kept in the same SQLite database as the deliveries.
#[derive(Clone, Debug, PartialEq, Serialize, specta::Type)]
pub struct AppSettings {
    /// The port the listener is asked to use at launch.
    pub port: u16,
    pub secrets: Vec<SecretInfo>,
    /// Seconds after which a valid signature's timestamp is called stale.
    pub tolerance_seconds: u64,
    pub reply_status: u16,
    pub reply_delay_ms: u64,
    /// One desktop notification per arriving burst.
    pub notifications: bool,
    /// Notifications say only how many arrived (no event name or resource id).
    pub notification_counts_only: bool,
    /// Deliveries older than this many days are purged at launch and every hour; null keeps
    /// them forever.
    pub retention_days: Option<u32>,
}

/// How long deliveries are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    Forever,
    Days(u32),
}

/// A settings change; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, specta::Type)]
pub struct SettingsChange {
    #[specta(optional)]
    pub tolerance_seconds: Option<u64>,
    #[specta(optional)]
    pub reply_status: Option<u16>,
    #[specta(optional)]
    pub reply_delay_ms: Option<u64>,
    #[specta(optional)]
    pub notifications: Option<bool>,
    #[specta(optional)]
    pub notification_counts_only: Option<bool>,
    #[specta(optional)]
    pub retention: Option<Retention>,
}

/// After secrets change, every stored verdict is recomputed.
#[derive(Clone, Debug, PartialEq, Serialize, specta::Type)]
pub struct SecretsChanged {
    pub settings: AppSettings,
    /// How many stored verdicts changed.
    pub rechecked: u64,
}

/// Settings after a change, and how many verdicts a re-check changed (None: none ran).
pub struct SettingsChanged {
    pub settings: AppSettings,
    pub rechecked: Option<u64>,
}

fn store(engine: &Engine) -> Result<Store, CommandError> {
    engine
        .store()
        .map_err(|message| CommandError::new("unavailable", message))
}

/// Runs a store read off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        CommandError::new(
            "internal",
            format!("the query stopped unexpectedly: {error}"),
        )
    })?
}

pub async fn list_deliveries(
    engine: &Engine,
    filter: Filter,
) -> Result<Vec<Summary>, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.list(&filter)?)).await
}

pub async fn count_deliveries(engine: &Engine, filter: Filter) -> Result<u64, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.count_matching(&filter)?)).await
}

pub async fn get_delivery(engine: &Engine, id: i64) -> Result<Detail, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.get(id)?)).await
}

pub async fn event_counts(engine: &Engine) -> Result<Vec<EventCount>, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.event_counts()?)).await
}

pub fn event_catalog() -> Vec<CatalogEntry> {
    catalog::all().to_vec()
}

pub fn listener_status(engine: &Engine) -> ListenerStatus {
    engine.status()
}

pub async fn get_settings(engine: &Engine) -> Result<AppSettings, CommandError> {
    let store = store(engine)?;
    blocking(move || app_settings(&store)).await
}

pub async fn update_settings(
    engine: &Engine,
    change: SettingsChange,
) -> Result<SettingsChanged, CommandError> {
    let store = store(engine)?;
    let current = {
        let store = store.clone();
        blocking(move || Ok(store.settings()?)).await?
    };
    let saved = Saved {
        tolerance_seconds: change
            .tolerance_seconds
            .unwrap_or(current.tolerance_seconds),
        reply_status: change.reply_status.unwrap_or(current.reply_status),
        reply_delay_ms: change.reply_delay_ms.unwrap_or(current.reply_delay_ms),
        notifications: change.notifications.unwrap_or(current.notifications),
        notification_counts_only: change
            .notification_counts_only
            .unwrap_or(current.notification_counts_only),
        retention_days: match change.retention {
            None => current.retention_days,
            Some(Retention::Forever) => None,
            Some(Retention::Days(days)) => Some(days),
        },
        ..current
    };
    let rechecked = engine.change_settings(saved).await?;
    let settings = blocking(move || app_settings(&store)).await?;
    Ok(SettingsChanged {
        settings,
        rechecked,
    })
}

pub async fn add_secret(
    engine: &Engine,
    label: String,
    value: String,
) -> Result<SecretsChanged, CommandError> {
    secrets_changed(engine, move |store| {
        store.add_secret(&label, &value).map(|_| ())
    })
    .await
}

pub async fn rename_secret(
    engine: &Engine,
    id: i64,
    label: String,
) -> Result<SecretsChanged, CommandError> {
    secrets_changed(engine, move |store| store.rename_secret(id, &label)).await
}

pub async fn remove_secret(engine: &Engine, id: i64) -> Result<SecretsChanged, CommandError> {
    secrets_changed(engine, move |store| store.remove_secret(id)).await
}

pub async fn relisten(engine: &Engine, port: u16) -> Result<ListenerStatus, CommandError> {
    engine
        .relisten(port)
        .await
        .map_err(|message| CommandError::new("listen", message))
}

async fn secrets_changed(
    engine: &Engine,
    change: impl FnOnce(&Store) -> persona_inspector::Result<()> + Send + 'static,
) -> Result<SecretsChanged, CommandError> {
    let store = store(engine)?;
    let rechecked = engine.change_secrets(change).await?;
    let settings = blocking(move || app_settings(&store)).await?;
    Ok(SecretsChanged {
        settings,
        rechecked,
    })
}

fn app_settings(store: &Store) -> Result<AppSettings, CommandError> {
    let saved = store.settings()?;
    let secrets = store
        .secrets()?
        .into_iter()
        .map(|s| SecretInfo {
            id: s.id,
            preview: s.secret.preview(),
            label: s.secret.label,
        })
        .collect();
    Ok(AppSettings {
        port: saved.port,
        secrets,
        tolerance_seconds: saved.tolerance_seconds,
        reply_status: saved.reply_status,
        reply_delay_ms: saved.reply_delay_ms,
        notifications: saved.notifications,
        notification_counts_only: saved.notification_counts_only,
        retention_days: saved.retention_days,
    })
}

/// What a purge removes: everything (None) or what is older than `older_than_days`.
fn purge_what(older_than_days: Option<u32>) -> Result<Purge, CommandError> {
    match older_than_days {
        None => Ok(Purge::All),
        Some(0) => Err(CommandError::new(
            "invalid",
            "purging deliveries older than 0 days would purge all; pick 1 day or more, or purge all",
        )),
        Some(days) => Ok(Purge::OlderThan(std::time::Duration::from_secs(
            u64::from(days) * 86_400,
        ))),
    }
}

/// How many deliveries `purge` would delete now: for the confirmation.
pub async fn count_purgeable(
    engine: &Engine,
    older_than_days: Option<u32>,
) -> Result<u64, CommandError> {
    let store = store(engine)?;
    let what = purge_what(older_than_days)?;
    blocking(move || Ok(store.count_purgeable(what)?)).await
}

/// Deletes every delivery (None) or those older than `older_than_days`, erasing them from
/// disk; returns how many went.
pub async fn purge(engine: &Engine, older_than_days: Option<u32>) -> Result<u64, CommandError> {
    let store = store(engine)?;
    let what = purge_what(older_than_days)?;
    blocking(move || Ok(store.purge(what)?)).await
}

/// Sends delivery `id` to `options.target` and records the attempt (see `forward`).
pub async fn redeliver(
    engine: &Engine,
    id: i64,
    options: redeliver::Options,
) -> Result<Redelivery, CommandError> {
    let store = store(engine)?;
    let forwarder = engine
        .forwarder()
        .map_err(|message| CommandError::new("unavailable", message))?;
    Ok(forwarder.redeliver(&store, id, &options).await?)
}

/// Every re-delivery of `id`, newest first.
pub async fn redeliveries(engine: &Engine, id: i64) -> Result<Vec<Redelivery>, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.redeliveries(id)?)).await
}

/// Targets re-delivered to before, most recent first.
pub async fn recent_targets(engine: &Engine) -> Result<Vec<String>, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(store.recent_targets(10)?)).await
}

/// A curl command reproducing delivery `id` exactly; to `to`, or to this app's own listener
/// on the original path.
pub async fn export_curl(
    engine: &Engine,
    id: i64,
    to: Option<String>,
) -> Result<String, CommandError> {
    let store = store(engine)?;
    let target = match to {
        Some(url) => redeliver::Target::parse(&url, false)?,
        None => match engine.status() {
            ListenerStatus::Listening { port, .. } => redeliver::Target::local(port)?,
            ListenerStatus::Failed { port, .. } => redeliver::Target::local(port)?,
        },
    };
    blocking(move || Ok(share::curl(&store.get(id)?, &target)?)).await
}

/// Delivery `id` as a JSON fixture a teammate can import.
pub async fn export_fixture(engine: &Engine, id: i64) -> Result<String, CommandError> {
    let store = store(engine)?;
    blocking(move || {
        let fixture = share::fixture(&store.get(id)?);
        serde_json::to_string_pretty(&fixture).map_err(|e| {
            CommandError::new("internal", format!("the fixture could not be written: {e}"))
        })
    })
    .await
}

/// Imports fixtures (one, or a JSON array) pasted or read from a file; returns the new ids.
/// Held to the import limits (the file, and each body as the listener's own limit).
pub async fn import_fixtures(engine: &Engine, text: String) -> Result<Vec<i64>, CommandError> {
    let store = store(engine)?;
    let limits = share::Limits::default();
    blocking(move || {
        let deliveries = share::read_fixtures("the pasted fixture", text.as_bytes(), &limits)?;
        Ok(share::import(&store, deliveries)?
            .into_iter()
            .map(|stored| stored.id)
            .collect())
    })
    .await
}

/// What a re-delivery would send, before it is sent: for the edit view's live preview.
#[derive(Clone, Debug, PartialEq, Serialize, specta::Type)]
pub struct RedeliveryPreview {
    pub method: String,
    pub url: String,
    /// `[name, value]` as they would be sent, the recomputed `Persona-Signature` included.
    #[specta(type = Vec<Vec<String>>)]
    pub headers: serde_json::Value,
    pub body_size: u64,
}

/// Prepares (signs, filters, joins the URL) without sending; errors say what is wrong with the
/// options (bad URL, unknown secret label, invalid edited header).
pub async fn preview_redelivery(
    engine: &Engine,
    id: i64,
    options: redeliver::Options,
) -> Result<RedeliveryPreview, CommandError> {
    let store = store(engine)?;
    let forwarder = engine
        .forwarder()
        .map_err(|message| CommandError::new("unavailable", message))?;
    blocking(move || {
        let secrets = forwarder.secrets(&store)?;
        let raw = store.raw(id)?;
        let now = persona_inspector::clock::now_ms().div_euclid(1000);
        let outgoing = redeliver::prepare(raw, &options, &secrets, now)?;
        Ok(RedeliveryPreview {
            method: outgoing.method,
            url: outgoing.url,
            headers: persona_inspector::model::headers_to_json(&outgoing.headers),
            body_size: outgoing.body.len() as u64,
        })
    })
    .await
}

/// The forward rule in use.
pub fn forward_rule(engine: &Engine) -> Result<Rule, CommandError> {
    engine
        .forward_rule()
        .map_err(|message| CommandError::new("unavailable", message))
}

/// Checks, saves and applies a forward rule; returns it as saved.
pub async fn set_forward_rule(engine: &Engine, rule: Rule) -> Result<Rule, CommandError> {
    Ok(engine.change_forward_rule(rule).await?)
}

/// Starts a bulk re-delivery; `report` hears its progress until the summary.
pub async fn start_bulk(
    engine: &Engine,
    scope: Scope,
    order: Order,
    options: redeliver::Options,
    report: impl Fn(BulkStep) + Send + Sync + 'static,
) -> Result<BulkStarted, CommandError> {
    Ok(engine.start_bulk(scope, order, options, report).await?)
}

/// How many of `scope` would keep their original signature unless the user opts in.
pub async fn count_unverified(
    engine: &Engine,
    scope: Scope,
) -> Result<UnverifiedCount, CommandError> {
    let store = store(engine)?;
    blocking(move || Ok(bulk::count_unverified(&store, &scope)?)).await
}
