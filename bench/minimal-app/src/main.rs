//! The baseline of `make bench-app`'s launch figure: an empty Tauri window, built with the same
//! Tauri and release profile as the app, whose page calls `ready` after its first frame, and
//! which logs the line the bench waits for exactly as the app does (src-tauri/src/ipc.rs).

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

static LAUNCHED: OnceLock<Instant> = OnceLock::new();

#[tauri::command]
fn ready() {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    LOGGED.call_once(|| {
        let elapsed = LAUNCHED.get_or_init(Instant::now).elapsed();
        tracing::info!(
            "window interactive {:.0} ms after launch",
            elapsed.as_secs_f64() * 1000.0
        );
    });
}

fn main() -> ExitCode {
    LAUNCHED.get_or_init(Instant::now);
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MINIMAL_APP_LOG")
                .unwrap_or_else(|_| "minimal_tauri_app=info".into()),
        )
        .init();
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!());
    match app {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the window could not start: {error}");
            ExitCode::FAILURE
        }
    }
}
