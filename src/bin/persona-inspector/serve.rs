//! `serve`: the headless listener, a session launched from the flags. Each capture is printed
//! as a line (or JSON) once stored; with `--forward-to` it is also sent on, under a rule for
//! this run only. The banner names the ngrok URL that leads to it, when an agent runs. Ctrl-C
//! or SIGTERM stops it after the deliveries in flight are answered.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use persona_inspector::capture::{self, Reply, Settings};
use persona_inspector::session::{
    Announcement, Forward, Launch, LaunchError, ListenerSettings, Session,
};
use persona_inspector::store::Summary;
use persona_inspector::{Error, Result};
use time::UtcOffset;

use crate::{ServeArgs, forward_rule, terminal};

pub fn serve(data_dir: &Path, args: ServeArgs, offset: UtcOffset) -> Result<()> {
    let settings = Settings {
        // Without --secret, the session verifies with the secrets saved in the desktop app.
        verification: args.verification.verification(),
        max_body: args.max_body,
        body_timeout: capture::DEFAULT_BODY_TIMEOUT,
        reply: Reply {
            status: StatusCode::from_u16(args.status)
                .map_err(|_| Error::Invalid(format!("{} is not an HTTP status", args.status)))?,
            delay: Duration::from_millis(args.delay_ms),
            body: args.response_body.map(Bytes::from),
        },
        test_event: None,
        // The session looks sources up in the saved list of Persona's addresses.
        persona_ips: Vec::new(),
    };
    let forward = match args.forward.rule() {
        Some(rule) => Forward::ThisRun(rule),
        None => Forward::Off,
    };
    let printer = Arc::new(Printer {
        json: args.json,
        offset,
        forwarding: matches!(forward, Forward::ThisRun(_)),
        waiting: Mutex::default(),
    });
    let launch = Launch {
        data_dir: data_dir.to_path_buf(),
        host: args.host,
        port: Some(args.port),
        listener: ListenerSettings::Given(settings),
        // The app's saved rule and its waiting retries are left alone.
        forward,
        // Only the app purges; `trigger` sends this run's samples as test events.
        retention_every: None,
        test_events: true,
        announce: Some(Arc::new(move |announcement| printer.print(announcement))),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let session = Session::try_launch(launch)
            .await
            .map_err(|error| match error {
                LaunchError::Forward(Error::Invalid(message)) => {
                    Error::Invalid(format!("--forward-to: {message}"))
                }
                LaunchError::Store(e) | LaunchError::Listen(e) | LaunchError::Forward(e) => e,
            })?;
        let (Some(capture), Some(address)) = (session.capture(), session.address()) else {
            return Err(Error::Invalid(format!(
                "not listening: {:?}",
                session.status()
            )));
        };
        let forwarding_note = session
            .forward_rule()
            .ok()
            .map(|rule| forward_rule::describe(&rule));
        terminal::banner(
            &mut std::io::stderr(),
            address,
            capture.store().path(),
            &capture.settings(),
            forwarding_note.as_deref(),
        )?;
        // The listener already serves; ngrok is asked meanwhile (for at most its short
        // timeout), with Ctrl-C already heard.
        let stop = stop_requested();
        tokio::pin!(stop);
        let stopped = tokio::select! {
            status = session.ngrok() => {
                if let Some(line) = terminal::ngrok_line(&status, address.port()) {
                    eprintln!("{line}");
                }
                false
            }
            () = &mut stop => true,
        };
        if !stopped {
            eprintln!("Press Ctrl-C to stop.");
            stop.await;
        }
        eprintln!("stopping: finishing deliveries in flight…");
        match session.stop().await {
            Ok(0) => {}
            Ok(n) => eprintln!("stopping: {n} forward retries called off"),
            Err(e) => eprintln!("warning: could not call off the forward retries: {e}"),
        }
        Ok(())
    })
}

/// Prints what the session announces: a line per capture; a forwarded capture's line waits
/// for its forward's result (the capture was answered already), and a retry prints its own.
struct Printer {
    json: bool,
    offset: UtcOffset,
    forwarding: bool,
    /// Captures whose line waits for their first forward.
    waiting: Mutex<HashMap<i64, Summary>>,
}

impl Printer {
    fn print(&self, announcement: Announcement) {
        let line = match announcement {
            Announcement::Captured {
                summary,
                forwarded: true,
            } => {
                self.waiting().insert(summary.id, summary);
                return;
            }
            Announcement::Captured { summary, .. } => match self.json {
                true => serde_json::to_string(&summary).unwrap_or_default(),
                false => terminal::line(&summary, self.offset),
            },
            Announcement::Forwarded(report) => {
                let first = self.waiting().remove(&report.delivery_id);
                forward_rule::forward_line(first.as_ref(), &report, self.json, self.offset)
            }
            Announcement::Missed(n) if self.forwarding => format!(
                "… {n} deliveries arrived too fast to print or forward (all stored; send them \
                 with `persona-inspector resend`)"
            ),
            Announcement::Missed(n) => {
                format!("… {n} deliveries arrived too fast to print (all stored)")
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Summary>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
