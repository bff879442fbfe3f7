//! `serve`: the headless listener. Each capture is printed as a line (or JSON) once stored;
//! with `--forward-to` it is also sent on (`forward_rule`). Ctrl-C or SIGTERM stops it after
//! the deliveries in flight are answered.

use std::io::Write;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use persona_inspector::capture::{self, Capture, Reply, Settings};
use persona_inspector::store::Store;
use persona_inspector::{Error, Result};
use time::UtcOffset;

use crate::{ServeArgs, forward_rule, terminal};

pub fn serve(store: Store, args: ServeArgs, offset: UtcOffset) -> Result<()> {
    let mut verification = args.verification.verification();
    if verification.secrets.is_empty() {
        // Without --secret, verify with the secrets saved in the desktop app.
        verification.secrets = store.secrets()?.into_iter().map(|s| s.secret).collect();
    }
    let settings = Settings {
        verification,
        max_body: args.max_body,
        body_timeout: capture::DEFAULT_BODY_TIMEOUT,
        reply: Reply {
            status: StatusCode::from_u16(args.status)
                .map_err(|_| Error::Invalid(format!("{} is not an HTTP status", args.status)))?,
            delay: Duration::from_millis(args.delay_ms),
            body: args.response_body.map(Bytes::from),
        },
        // Only the app sends test events.
        test_event: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = capture::bind(&args.host, args.port).await?;
        let address = listener.local_addr()?;
        let capture = Capture::new(store.clone(), settings.clone());
        let secrets = &settings.verification.secrets;
        let json = args.json;
        let forwarding =
            forward_rule::Forwarding::new(&store, args.forward, secrets, address, json, offset)?;
        let forwarding_note = forwarding.as_ref().map(forward_rule::Forwarding::describe);
        terminal::banner(
            &mut std::io::stderr(),
            address,
            store.path(),
            &settings,
            forwarding_note.as_deref(),
        )?;

        let stopping = forwarding.clone();
        let mut arrivals = capture.subscribe();
        let printer = tokio::spawn(async move {
            loop {
                let line = match arrivals.recv().await {
                    Ok(summary) => {
                        // A forwarded capture's line waits for the forward's result; the
                        // capture was answered already.
                        let summary = match &forwarding {
                            Some(forwarding) => match forwarding.offer(summary) {
                                Some(summary) => summary,
                                None => continue,
                            },
                            None => summary,
                        };
                        match json {
                            true => serde_json::to_string(&summary).unwrap_or_default(),
                            false => terminal::line(&summary, offset),
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n))
                        if forwarding.is_some() =>
                    {
                        format!(
                            "… {n} deliveries arrived too fast to print or forward (all stored; \
                             send them with `persona-inspector resend`)"
                        )
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        format!("… {n} deliveries arrived too fast to print (all stored)")
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                let mut out = std::io::stdout().lock();
                if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                    break;
                }
            }
        });
        let shutdown = async {
            stop_requested().await;
            eprintln!("stopping: finishing deliveries in flight…");
        };
        capture::serve(listener, capture.router(), shutdown).await?;
        drop(capture);
        printer.abort();
        if let Some(forwarding) = stopping {
            match tokio::task::spawn_blocking(move || forwarding.stop()).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => eprintln!("stopping: {n} forward retries called off"),
                Ok(Err(e)) => eprintln!("warning: could not call off the forward retries: {e}"),
                Err(e) => eprintln!("warning: could not call off the forward retries: {e}"),
            }
        }
        Ok(())
    })
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
