//! The desktop shell of Persona Webhook Inspector: starts the capture engine at launch and
//! gives the window thin commands over it and batched arrival events.

pub mod arrivals;
pub mod commands;
pub mod engine;

use std::process::ExitCode;

use persona_inspector::capture::{self, Settings};
use persona_inspector::store::{Detail, Filter, Summary};
use tauri::{Emitter, Manager};

use crate::commands::CommandError;
use crate::engine::{Engine, ListenerStatus};

#[tauri::command]
async fn list_deliveries(
    engine: tauri::State<'_, Engine>,
    filter: Filter,
) -> Result<Vec<Summary>, CommandError> {
    commands::list_deliveries(&engine, filter).await
}

#[tauri::command]
async fn get_delivery(engine: tauri::State<'_, Engine>, id: i64) -> Result<Detail, CommandError> {
    commands::get_delivery(&engine, id).await
}

#[tauri::command]
fn listener_status(engine: tauri::State<'_, Engine>) -> ListenerStatus {
    commands::listener_status(&engine)
}

/// Launches the app; returns when its window closes.
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PERSONA_INSPECTOR_LOG")
                .unwrap_or_else(|_| "persona_inspector=warn,persona_inspector_app=info".into()),
        )
        .init();
    let data_dir = match std::env::var_os("PERSONA_INSPECTOR_DATA_DIR") {
        Some(dir) => dir.into(),
        None => match persona_inspector::store::default_data_dir() {
            Ok(dir) => dir,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    let port = std::env::var("PERSONA_INSPECTOR_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(capture::DEFAULT_PORT);

    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            list_deliveries,
            get_delivery,
            listener_status
        ])
        .setup(move |app| {
            let engine = tauri::async_runtime::block_on(Engine::start(
                &data_dir,
                "127.0.0.1",
                port,
                Settings::default(),
            ));
            if let Some(capture) = engine.capture() {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(arrivals::forward(capture.subscribe(), move |batch| {
                    if let Err(error) = handle.emit("deliveries-arrived", batch) {
                        tracing::warn!("could not send new deliveries to the window: {error}");
                    }
                }));
            }
            app.manage(engine);
            Ok(())
        })
        .run(tauri::generate_context!());
    match app {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the window could not start: {error}");
            ExitCode::FAILURE
        }
    }
}
