//! What the window can ask for. Each command is a plain function over the [`Session`], so it is
//! tested without a window; `ipc.rs` only wraps them for Tauri. The work is the session's: a
//! command names it and turns its error into `{kind, message}`.

use persona_inspector::bulk::{self, UnverifiedCount};
use persona_inspector::catalog::{self, CatalogEntry};
use persona_inspector::model::{
    CheckCase, CheckRun, CheckRunSummary, Filter, Order, Redelivery, Rule, Scope,
};
use persona_inspector::ngrok::NgrokStatus;
use persona_inspector::redeliver;
use persona_inspector::session::{
    self, AppSettings, BulkStarted, BulkStep, ListenerStatus, RedeliveryPreview, SampleRequest,
    SecretsChanged, Session, SessionError, SettingsChange, SettingsChanged,
};
use persona_inspector::store::{EventCount, Summary};
use persona_inspector::story::Timeline;
use persona_inspector::trigger::Sent;
use persona_inspector::view::DetailMeta;
use serde::Serialize;

/// Every `CommandError::kind`; the window's bindings export them (`ipc::builder`).
pub const COMMAND_ERROR_KINDS: [&str; 7] = session::KINDS;

/// The error a command returns to the window: a kind to branch on and a sentence to show.
#[derive(Debug, PartialEq, Serialize, specta::Type)]
pub struct CommandError {
    /// One of `COMMAND_ERROR_KINDS`.
    pub kind: &'static str,
    pub message: String,
}

impl From<SessionError> for CommandError {
    fn from(error: SessionError) -> CommandError {
        CommandError {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

type Answer<T> = Result<T, CommandError>;

pub async fn list_deliveries(session: &Session, filter: Filter) -> Answer<Vec<Summary>> {
    Ok(session.read(move |store| store.list(&filter)).await?)
}

pub async fn count_deliveries(session: &Session, filter: Filter) -> Answer<u64> {
    Ok(session
        .read(move |store| store.count_matching(&filter))
        .await?)
}

/// Delivery `id` without its body (see `delivery_body`).
pub async fn get_delivery(session: &Session, id: i64) -> Answer<DetailMeta> {
    Ok(session.read(move |store| store.get_meta(id)).await?)
}

/// The body of delivery `id`, exactly as it arrived (empty when it was not kept).
pub async fn delivery_body(session: &Session, id: i64) -> Answer<Vec<u8>> {
    Ok(session.read(move |store| Ok(store.raw(id)?.body)).await?)
}

/// Every delivery about resource `resource_id`, in the order Persona created the events, with
/// the flags a handler should know, and the deliveries that only mention it.
pub async fn timeline(session: &Session, resource_id: String) -> Answer<Timeline> {
    Ok(session
        .read(move |store| store.timeline(&resource_id))
        .await?)
}

pub async fn event_counts(session: &Session) -> Answer<Vec<EventCount>> {
    Ok(session.read(|store| store.event_counts()).await?)
}

pub fn event_catalog() -> Vec<CatalogEntry> {
    catalog::all().to_vec()
}

pub fn listener_status(session: &Session) -> ListenerStatus {
    session.status()
}

pub async fn get_settings(session: &Session) -> Answer<AppSettings> {
    Ok(session.settings().await?)
}

pub async fn update_settings(session: &Session, change: SettingsChange) -> Answer<SettingsChanged> {
    Ok(session.update_settings(change).await?)
}

pub async fn add_secret(session: &Session, label: String, value: String) -> Answer<SecretsChanged> {
    Ok(session.add_secret(label, value).await?)
}

pub async fn rename_secret(session: &Session, id: i64, label: String) -> Answer<SecretsChanged> {
    Ok(session.rename_secret(id, label).await?)
}

pub async fn remove_secret(session: &Session, id: i64) -> Answer<SecretsChanged> {
    Ok(session.remove_secret(id).await?)
}

pub async fn relisten(session: &Session, port: u16) -> Answer<ListenerStatus> {
    Ok(session.relisten(port).await?)
}

pub async fn send_sample(session: &Session, request: SampleRequest) -> Answer<Sent> {
    Ok(session.send_sample(request).await?)
}

/// Runs Persona's cases against the user's handler at `url`, signed with the saved secret
/// `secret`; `progress` is told each case as it ends. The run is recorded.
pub async fn check_endpoint(
    session: &Session,
    url: String,
    secret: String,
    event: Option<String>,
    progress: impl FnMut(&CheckCase),
) -> Answer<CheckRun> {
    Ok(session
        .check_endpoint(&url, &secret, event.as_deref(), progress)
        .await?)
}

pub async fn endpoint_checks(session: &Session, limit: u32) -> Answer<Vec<CheckRunSummary>> {
    Ok(session.endpoint_checks(limit).await?)
}

pub async fn endpoint_check(session: &Session, id: i64) -> Answer<CheckRun> {
    Ok(session.endpoint_check(id).await?)
}

/// How many deliveries `purge` would delete now: for the confirmation.
pub async fn count_purgeable(session: &Session, older_than_days: Option<u32>) -> Answer<u64> {
    Ok(session.count_purgeable(older_than_days).await?)
}

/// Deletes every delivery (None) or those older than `older_than_days`, erasing them from
/// disk; returns how many went.
pub async fn purge(session: &Session, older_than_days: Option<u32>) -> Answer<u64> {
    Ok(session.purge(older_than_days).await?)
}

/// Sends delivery `id` to `options.target` and records the attempt.
pub async fn redeliver(
    session: &Session,
    id: i64,
    options: redeliver::Options,
) -> Answer<Redelivery> {
    Ok(session.redeliver(id, options).await?)
}

/// Every re-delivery of `id`, newest first.
pub async fn redeliveries(session: &Session, id: i64) -> Answer<Vec<Redelivery>> {
    Ok(session.read(move |store| store.redeliveries(id)).await?)
}

/// Targets re-delivered to before, most recent first.
pub async fn recent_targets(session: &Session) -> Answer<Vec<String>> {
    Ok(session.read(|store| store.recent_targets(10)).await?)
}

/// A curl command reproducing delivery `id` exactly; to `to`, or to this app's own listener
/// on the original path.
pub async fn export_curl(session: &Session, id: i64, to: Option<String>) -> Answer<String> {
    Ok(session.export_curl(id, to).await?)
}

/// Delivery `id` as a JSON fixture a teammate can import.
pub async fn export_fixture(session: &Session, id: i64) -> Answer<String> {
    Ok(session.export_fixture(id).await?)
}

/// The deliveries of `scope` as a HAR 1.2 file (the window saves it).
pub async fn export_har(session: &Session, scope: Scope) -> Answer<String> {
    Ok(session.export_har(scope).await?)
}

/// Imports fixtures (one, or a JSON array) or a HAR file, pasted or read from a file; returns
/// the new ids.
pub async fn import_fixtures(session: &Session, text: String) -> Answer<Vec<i64>> {
    Ok(session.import_fixtures(text).await?)
}

/// What a local ngrok agent says of the listener's port; `no_agent` when none runs.
pub async fn ngrok_status(session: &Session) -> NgrokStatus {
    session.ngrok().await
}

/// What a re-delivery would send, without sending it: for the edit view's live preview.
pub async fn preview_redelivery(
    session: &Session,
    id: i64,
    options: redeliver::Options,
) -> Answer<RedeliveryPreview> {
    Ok(session.preview_redelivery(id, options).await?)
}

/// The forward rule in use.
pub fn forward_rule(session: &Session) -> Answer<Rule> {
    Ok(session.forward_rule()?)
}

/// Checks, saves and applies a forward rule; returns it as saved.
pub async fn set_forward_rule(session: &Session, rule: Rule) -> Answer<Rule> {
    Ok(session.change_forward_rule(rule).await?)
}

/// Starts a bulk re-delivery; `report` hears its progress until the summary.
pub async fn start_bulk(
    session: &Session,
    scope: Scope,
    order: Order,
    options: redeliver::Options,
    report: impl Fn(BulkStep) + Send + Sync + 'static,
) -> Answer<BulkStarted> {
    Ok(session.start_bulk(scope, order, options, report).await?)
}

/// Stops bulk run `job` before its next send; false when it had already ended.
pub fn cancel_bulk(session: &Session, job: u32) -> bool {
    session.cancel_bulk(job)
}

/// How many of `scope` would keep their original signature unless the user opts in.
pub async fn count_unverified(session: &Session, scope: Scope) -> Answer<UnverifiedCount> {
    Ok(session
        .read(move |store| bulk::count_unverified(store, &scope))
        .await?)
}
