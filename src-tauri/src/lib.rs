//! The desktop shell of Persona Webhook Inspector: starts the core's session at launch and
//! gives the window thin commands over it, batched arrival events and notifications.

pub mod arrivals;
pub mod commands;
pub mod ipc;
pub mod notify;
pub mod ready;
pub mod trim;
pub mod webview;

use std::process::ExitCode;

use tauri::Manager;
use tauri_specta::Event;

use persona_inspector::session::Session;

/// Launches the app; returns when its window closes.
pub fn run() -> ExitCode {
    ready::launched();
    webview::before_start();
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
    // Overrides the saved port for this launch (tests, a second instance).
    let port = match std::env::var("PERSONA_INSPECTOR_PORT") {
        Ok(port) => match port.parse() {
            Ok(port) => Some(port),
            Err(_) => {
                eprintln!("error: PERSONA_INSPECTOR_PORT={port} is not a port number (0–65535)");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => None,
    };

    // The store and the listener start while GTK and WebKit do (they take a few hundred ms):
    // the setup below, which runs once the window exists, only waits for what is left.
    let starting =
        tauri::async_runtime::spawn(
            async move { Session::start(&data_dir, "127.0.0.1", port).await },
        );

    let ipc = ipc::builder();
    let app = tauri::Builder::default()
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window);
            }
            ipc.mount_events(app);
            let session = tauri::async_runtime::block_on(starting)
                .map_err(|error| format!("the session could not start: {error}"))?;
            if let Some(capture) = session.capture() {
                let handle = app.handle().clone();
                let notifier = notify::Notifier::new(
                    session.notifications(),
                    session.notification_counts_only(),
                );
                // The list at once, notifications per burst (see `arrivals`).
                tauri::async_runtime::spawn(arrivals::streamed(
                    capture.subscribe(),
                    move |batch| {
                        if let Err(error) = ipc::DeliveriesArrived(batch).emit(&handle) {
                            tracing::warn!("could not send new deliveries to the window: {error}");
                        }
                    },
                ));
                tauri::async_runtime::spawn(arrivals::batched(capture.subscribe(), move |batch| {
                    notifier.notify(&batch);
                }));
            }
            if let Some(reports) = session.take_forwarded() {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(arrivals::batched_results(reports, move |batch| {
                    if let Err(error) = ipc::ForwardsDone(batch).emit(&handle) {
                        tracing::warn!("could not send forward results to the window: {error}");
                    }
                }));
            }
            if let Some(mut purged) = session.take_purged() {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    // The retention purged deliveries the window may be showing: reload.
                    while let Some(n) = purged.recv().await {
                        if n == 0 {
                            continue;
                        }
                        let event = ipc::DeliveriesRechecked { changed: 0 };
                        if let Err(error) = event.emit(&handle) {
                            tracing::warn!(
                                "could not tell the window deliveries were purged: {error}"
                            );
                        }
                    }
                });
            }
            app.manage(session);
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
