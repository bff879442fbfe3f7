//! The window's side of the shell: Tauri commands wrapping `commands`, the events the shell
//! emits, and the builder both the app and the bindings test use, so the TypeScript in
//! `ui/src/generated/bindings.ts` is generated from exactly what the app registers.

use persona_inspector::bulk::UnverifiedCount;
use persona_inspector::catalog::CatalogEntry;
use persona_inspector::endpoint_check;
use persona_inspector::model::{
    CheckCase, CheckRun, CheckRunSummary, DEFAULT_TIMEOUT_MS, Filter, MAX_SPEEDUP, Order,
    PERSONA_RETRY_SCHEDULE_S, PERSONA_SUCCESS, PERSONA_TIMEOUT, PERSONA_WEBHOOK_IPS, Redelivery,
    Rule, Scope,
};
use persona_inspector::ngrok::NgrokStatus;
use persona_inspector::redeliver::{MAX_TIMEOUT_MS, Options};
use persona_inspector::store::{EventCount, Summary};
use persona_inspector::story::Timeline;
use persona_inspector::trigger::Sent;
use persona_inspector::view::DetailMeta;
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri_specta::{Event, collect_commands, collect_events};

use persona_inspector::session::{
    AppSettings, BulkStarted, BulkStep, ForwardResult, ListenerStatus, RedeliveryPreview,
    SampleRequest, SecretsChanged, Session, SettingsChange,
};

use crate::commands::{self, COMMAND_ERROR_KINDS, CommandError};
use crate::ready::PageTiming;

/// New deliveries, a burst at a time (see `arrivals`).
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeliveriesArrived(pub Vec<Summary>);

/// The listener moved to another port.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ListenerChanged(pub ListenerStatus);

/// Stored verdicts were recomputed (secrets or tolerance changed): reload what is shown.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeliveriesRechecked {
    pub changed: u64,
}

/// Forward results of the forward rule, a burst at a time: the list updates each capture's mark.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ForwardsDone(pub Vec<ForwardResult>);

/// A bulk re-delivery's progress (at most ten a second), and its summary when it ends.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct BulkProgressed(pub BulkStep);

/// One case of a running endpoint check, as it ends.
#[derive(Clone, Debug, Serialize, specta::Type, tauri_specta::Event)]
pub struct CheckProgressed(pub CheckCase);

/// Every command and event the window may use.
pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            list_deliveries,
            count_deliveries,
            get_delivery,
            delivery_body,
            timeline,
            event_counts,
            event_catalog,
            listener_status,
            get_settings,
            update_settings,
            add_secret,
            rename_secret,
            remove_secret,
            relisten,
            send_sample,
            window_ready,
            redeliver,
            preview_redelivery,
            redeliveries,
            recent_targets,
            export_curl,
            export_fixture,
            export_har,
            import_fixtures,
            ngrok_status,
            forward_rule,
            set_forward_rule,
            start_bulk,
            cancel_bulk,
            count_unverified,
            count_purgeable,
            purge,
            check_endpoint,
            endpoint_checks,
            endpoint_check,
        ])
        .events(collect_events![
            DeliveriesArrived,
            ListenerChanged,
            DeliveriesRechecked,
            ForwardsDone,
            BulkProgressed,
            CheckProgressed
        ])
        // Persona's facts and the limits the Rust side checks, so the window never copies them.
        .constant("PERSONA_RETRY_SCHEDULE_S", PERSONA_RETRY_SCHEDULE_S)
        .constant("PERSONA_SUCCESS", PERSONA_SUCCESS)
        .constant("PERSONA_TIMEOUT_S", PERSONA_TIMEOUT.as_secs())
        .constant("DEFAULT_TIMEOUT_MS", DEFAULT_TIMEOUT_MS)
        .constant("MAX_TIMEOUT_MS", MAX_TIMEOUT_MS)
        .constant("MAX_SPEEDUP", MAX_SPEEDUP)
        .constant("COMMAND_ERROR_KINDS", COMMAND_ERROR_KINDS)
        // The endpoint check's cases in the order they run (the window lists those still to
        // come) and the event they send unless told.
        .constant("CHECK_CASES", endpoint_check::case_names())
        .constant("CHECK_DEFAULT_EVENT", endpoint_check::DEFAULT_EVENT)
        // Persona's published webhook addresses: what "restore Persona's list" puts back.
        .constant("PERSONA_WEBHOOK_IPS", PERSONA_WEBHOOK_IPS)
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
        .disable_serde_phases()
        // Ids, sizes and millisecond times stay far below 2^53.
        .dangerously_cast_bigints_to_number()
}

/// The TypeScript for `builder()`, as committed in `ui/src/generated/bindings.ts`.
pub fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default().header(
        "// Generated from src-tauri/src/ipc.rs by tauri-specta: run `make bindings`, never edit.\n\
         // src-tauri/tests/bindings.rs fails when this file is stale.\n",
    )
}

fn rechecked(app: &tauri::AppHandle, changed: u64) {
    let event = DeliveriesRechecked { changed };
    if let Err(error) = event.emit(app) {
        tracing::warn!("could not tell the window that verdicts changed: {error}");
    }
}

#[tauri::command]
#[specta::specta]
async fn list_deliveries(
    session: State<'_, Session>,
    filter: Filter,
) -> Result<Vec<Summary>, CommandError> {
    commands::list_deliveries(&session, filter).await
}

/// How many deliveries match (`limit` and `offset` aside).
#[tauri::command]
#[specta::specta]
async fn count_deliveries(
    session: State<'_, Session>,
    filter: Filter,
) -> Result<u64, CommandError> {
    commands::count_deliveries(&session, filter).await
}

/// Delivery `id` as the detail view shows it, without its body: `delivery_body` has the bytes.
#[tauri::command]
#[specta::specta]
async fn get_delivery(session: State<'_, Session>, id: i64) -> Result<DetailMeta, CommandError> {
    commands::get_delivery(&session, id).await
}

/// The body of delivery `id`, exactly as it arrived, as an `ArrayBuffer` (empty when not kept).
#[tauri::command]
#[specta::specta]
async fn delivery_body(session: State<'_, Session>, id: i64) -> Result<RawBytes, CommandError> {
    commands::delivery_body(&session, id).await.map(RawBytes)
}

/// Bytes answered as they are: the window receives an `ArrayBuffer`, not JSON (a 5 MB body
/// would be 7 MB of base64, encoded, sent and decoded).
pub struct RawBytes(pub Vec<u8>);

impl tauri::ipc::IpcResponse for RawBytes {
    fn body(self) -> tauri::Result<tauri::ipc::InvokeResponseBody> {
        Ok(tauri::ipc::InvokeResponseBody::Raw(self.0))
    }
}

impl specta::Type for RawBytes {
    fn definition(_: &mut specta::Types) -> specta::datatype::DataType {
        specta::datatype::DataType::Reference(specta_typescript::define("ArrayBuffer"))
    }
}

/// Resource `resource_id`'s timeline: its deliveries in created-at order with arrival ranks
/// and flags, and the deliveries that only mention it.
#[tauri::command]
#[specta::specta]
async fn timeline(
    session: State<'_, Session>,
    resource_id: String,
) -> Result<Timeline, CommandError> {
    commands::timeline(&session, resource_id).await
}

#[tauri::command]
#[specta::specta]
async fn event_counts(session: State<'_, Session>) -> Result<Vec<EventCount>, CommandError> {
    commands::event_counts(&session).await
}

#[tauri::command]
#[specta::specta]
fn event_catalog() -> Vec<CatalogEntry> {
    commands::event_catalog()
}

#[tauri::command]
#[specta::specta]
fn listener_status(session: State<'_, Session>) -> ListenerStatus {
    commands::listener_status(&session)
}

#[tauri::command]
#[specta::specta]
async fn get_settings(session: State<'_, Session>) -> Result<AppSettings, CommandError> {
    commands::get_settings(&session).await
}

#[tauri::command]
#[specta::specta]
async fn update_settings(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    change: SettingsChange,
) -> Result<AppSettings, CommandError> {
    // Each delivery's source_ip_listed is read against the list: a new list changes them.
    let new_list = change.persona_source_ips.is_some();
    let changed = commands::update_settings(&session, change).await?;
    match (changed.rechecked, new_list) {
        (Some(n), _) => rechecked(&app, n),
        (None, true) => rechecked(&app, 0),
        (None, false) => {}
    }
    Ok(changed.settings)
}

/// `value` is the secret as copied from Persona's dashboard (`wbhsec_…`).
#[tauri::command]
#[specta::specta]
async fn add_secret(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    label: String,
    value: String,
) -> Result<SecretsChanged, CommandError> {
    let changed = commands::add_secret(&session, label, value).await?;
    rechecked(&app, changed.rechecked);
    Ok(changed)
}

#[tauri::command]
#[specta::specta]
async fn rename_secret(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    id: i64,
    label: String,
) -> Result<SecretsChanged, CommandError> {
    let changed = commands::rename_secret(&session, id, label).await?;
    rechecked(&app, changed.rechecked);
    Ok(changed)
}

#[tauri::command]
#[specta::specta]
async fn remove_secret(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    id: i64,
) -> Result<SecretsChanged, CommandError> {
    let changed = commands::remove_secret(&session, id).await?;
    rechecked(&app, changed.rechecked);
    Ok(changed)
}

/// Stops the listener and listens on `port` instead (0: any free port); saved when it works.
#[tauri::command]
#[specta::specta]
async fn relisten(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    port: u16,
) -> Result<ListenerStatus, CommandError> {
    let status = commands::relisten(&session, port).await?;
    if let Err(error) = ListenerChanged(status.clone()).emit(&app) {
        tracing::warn!("could not tell the window the listener moved: {error}");
    }
    Ok(status)
}

/// Sends a signed sample of a catalog event to the app's own listener or to a URL.
#[tauri::command]
#[specta::specta]
async fn send_sample(
    session: State<'_, Session>,
    request: SampleRequest,
) -> Result<Sent, CommandError> {
    commands::send_sample(&session, request).await
}

/// The window calls this once its first list is on screen: the time since launch is logged
/// (and read by `make bench-app`), with the page's marks of where it went.
#[tauri::command]
#[specta::specta]
fn window_ready(page: PageTiming) {
    crate::ready::interactive(&page);
    crate::trim::after_start();
}

/// Sends delivery `id` to `options.target` (keeping or re-signing its signature) and records
/// the attempt; a target that does not answer is a recorded attempt, not an error.
#[tauri::command]
#[specta::specta]
async fn redeliver(
    session: State<'_, Session>,
    id: i64,
    options: Options,
) -> Result<Redelivery, CommandError> {
    commands::redeliver(&session, id, options).await
}

/// Every re-delivery of delivery `id`, newest first.
#[tauri::command]
#[specta::specta]
async fn redeliveries(
    session: State<'_, Session>,
    id: i64,
) -> Result<Vec<Redelivery>, CommandError> {
    commands::redeliveries(&session, id).await
}

/// Targets re-delivered to before, most recent first.
#[tauri::command]
#[specta::specta]
async fn recent_targets(session: State<'_, Session>) -> Result<Vec<String>, CommandError> {
    commands::recent_targets(&session).await
}

/// A curl command that reproduces delivery `id` exactly, to `to` or to this app's listener.
#[tauri::command]
#[specta::specta]
async fn export_curl(
    session: State<'_, Session>,
    id: i64,
    to: Option<String>,
) -> Result<String, CommandError> {
    commands::export_curl(&session, id, to).await
}

/// Delivery `id` as a JSON fixture (metadata, headers, base64 body).
#[tauri::command]
#[specta::specta]
async fn export_fixture(session: State<'_, Session>, id: i64) -> Result<String, CommandError> {
    commands::export_fixture(&session, id).await
}

/// The deliveries of `scope` (a selection or a filter) as a HAR 1.2 file, oldest first, for the
/// window to save; at most 64 MiB.
#[tauri::command]
#[specta::specta]
async fn export_har(session: State<'_, Session>, scope: Scope) -> Result<String, CommandError> {
    commands::export_har(&session, scope).await
}

/// What a local ngrok agent says of the listener's port: the public URL to paste into Persona
/// (`tunnel`), tunnels that lead elsewhere (`other_ports`), or `no_agent`. Answers within
/// half a second; the window polls it.
#[tauri::command]
#[specta::specta]
async fn ngrok_status(session: State<'_, Session>) -> Result<NgrokStatus, CommandError> {
    Ok(commands::ngrok_status(&session).await)
}

/// Imports pasted fixtures (one, or a JSON array) or a HAR file; returns the new delivery ids.
#[tauri::command]
#[specta::specta]
async fn import_fixtures(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    text: String,
) -> Result<Vec<i64>, CommandError> {
    let ids = commands::import_fixtures(&session, text).await?;
    // Imports are not announced like captures: have the window reload.
    rechecked(&app, 0);
    Ok(ids)
}

/// What `redeliver` would send with these options (signature recomputed), without sending.
#[tauri::command]
#[specta::specta]
async fn preview_redelivery(
    session: State<'_, Session>,
    id: i64,
    options: Options,
) -> Result<RedeliveryPreview, CommandError> {
    commands::preview_redelivery(&session, id, options).await
}

/// The forward rule in use.
#[tauri::command]
#[specta::specta]
fn forward_rule(session: State<'_, Session>) -> Result<Rule, CommandError> {
    commands::forward_rule(&session)
}

/// Checks, saves and applies the forward rule (retries waiting under the old one stop).
#[tauri::command]
#[specta::specta]
async fn set_forward_rule(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    rule: Rule,
) -> Result<Rule, CommandError> {
    let rule = commands::set_forward_rule(&session, rule).await?;
    // Waiting retries were called off: the list's forward marks change.
    rechecked(&app, 0);
    Ok(rule)
}

/// Starts re-delivering a selection or everything a filter matches, in `order`; progress comes
/// as `BulkProgressed` events.
#[tauri::command]
#[specta::specta]
async fn start_bulk(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    scope: Scope,
    order: Order,
    options: Options,
) -> Result<BulkStarted, CommandError> {
    // Async: the run is spawned on the runtime (a sync command runs on no runtime at all).
    commands::start_bulk(&session, scope, order, options, move |step| {
        if let Err(error) = BulkProgressed(step).emit(&app) {
            tracing::warn!("could not send bulk progress to the window: {error}");
        }
    })
    .await
}

/// Runs Persona's cases against the user's handler, telling the window each case as it ends
/// (`CheckProgressed`); the recorded run.
#[tauri::command]
#[specta::specta]
async fn check_endpoint(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    url: String,
    secret: String,
    event: Option<String>,
) -> Result<CheckRun, CommandError> {
    commands::check_endpoint(&session, url, secret, event, move |case| {
        if let Err(error) = CheckProgressed(case.clone()).emit(&app) {
            tracing::warn!("could not send the check's progress to the window: {error}");
        }
    })
    .await
}

/// The recorded endpoint checks, newest first.
#[tauri::command]
#[specta::specta]
async fn endpoint_checks(
    session: State<'_, Session>,
    limit: u32,
) -> Result<Vec<CheckRunSummary>, CommandError> {
    commands::endpoint_checks(&session, limit).await
}

/// One recorded endpoint check with every request and answer.
#[tauri::command]
#[specta::specta]
async fn endpoint_check(session: State<'_, Session>, id: i64) -> Result<CheckRun, CommandError> {
    commands::endpoint_check(&session, id).await
}

/// Stops bulk run `job` before its next send; false when it had already ended.
#[tauri::command]
#[specta::specta]
fn cancel_bulk(session: State<'_, Session>, job: u32) -> bool {
    commands::cancel_bulk(&session, job)
}

/// How many of a bulk scope Persona did not sign (or were imported, or arrived stale): re-signing
/// them needs the user's opt-in, which the dialog asks for before the run starts.
#[tauri::command]
#[specta::specta]
async fn count_unverified(
    session: State<'_, Session>,
    scope: Scope,
) -> Result<UnverifiedCount, CommandError> {
    commands::count_unverified(&session, scope).await
}

/// How many deliveries `purge` with the same argument would delete now (null: all).
#[tauri::command]
#[specta::specta]
async fn count_purgeable(
    session: State<'_, Session>,
    older_than_days: Option<u32>,
) -> Result<u64, CommandError> {
    commands::count_purgeable(&session, older_than_days).await
}

/// Deletes every delivery (null) or those older than `older_than_days`, erased from disk;
/// returns how many went.
#[tauri::command]
#[specta::specta]
async fn purge(
    app: tauri::AppHandle,
    session: State<'_, Session>,
    older_than_days: Option<u32>,
) -> Result<u64, CommandError> {
    let removed = commands::purge(&session, older_than_days).await?;
    // The window reloads what it shows.
    rechecked(&app, 0);
    Ok(removed)
}
