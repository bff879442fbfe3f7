//! The listener's lifecycle: started on the saved port (or the one asked for), moved to another
//! port on request, the new port saved for the next launch, stopped once the requests in
//! flight are answered.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::listening::{self, Listening};
use super::{Session, SessionError, blocking};
use crate::capture::{self, Capture};
use crate::model::Saved;
use crate::sample::TestEventKey;

/// What the window shows about the listener.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ListenerStatus {
    Listening {
        /// The listener's URL, e.g. "http://127.0.0.1:4747".
        address: String,
        port: u16,
        data_dir: String,
    },
    Failed {
        port: u16,
        message: String,
    },
}

pub(super) struct Listener {
    status: ListenerStatus,
    serving: Option<Serving>,
}

/// A listener at work.
pub(super) struct Serving {
    address: SocketAddr,
    /// Dropping or firing it stops the listener.
    stop: oneshot::Sender<()>,
    /// Ends once the listener stopped and the requests in flight are answered.
    task: JoinHandle<()>,
}

impl Serving {
    /// Stops the listener; returns once the requests in flight are answered.
    pub(super) async fn finish(self) {
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            tracing::error!("the listener stopped unexpectedly: {error}");
        }
    }
}

impl Listener {
    pub(super) fn failed(port: u16, message: String) -> Listener {
        Listener {
            status: ListenerStatus::Failed { port, message },
            serving: None,
        }
    }

    pub(super) fn serving((status, serving): (ListenerStatus, Serving)) -> Listener {
        Listener {
            status,
            serving: Some(serving),
        }
    }

    /// Takes the listener at work, to be stopped; the status says it stopped.
    pub(super) fn stop(&mut self) -> Option<Serving> {
        let serving = self.serving.take()?;
        self.status = ListenerStatus::Failed {
            port: serving.address.port(),
            message: "stopped".into(),
        };
        Some(serving)
    }
}

/// Binds `host:port`; the error as the core words it (`Error::PortInUse` when it is taken).
pub(super) async fn bind(host: &str, port: u16) -> crate::Result<(TcpListener, SocketAddr)> {
    let listener = capture::bind(host, port).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

/// What the window is told when `port` could not be had.
pub(super) fn refusal(port: u16, error: crate::Error) -> String {
    match error {
        crate::Error::PortInUse { .. } => {
            format!("port {port} is in use — another program is listening there; pick another port")
        }
        other => other.to_string(),
    }
}

/// The listener's URL, as the window, `listening.json` and the samples use it.
fn url(address: SocketAddr) -> String {
    format!("http://{address}")
}

/// Serves `capture` on `listener` (bound at `address`) in a task of its own, and tells other
/// processes where (with the launch's test-event `key`) in `listening.json`.
pub(super) fn serve(
    capture: &Capture,
    listener: TcpListener,
    address: SocketAddr,
    data_dir: &Path,
    key: Option<&TestEventKey>,
) -> (ListenerStatus, Serving) {
    let (stop, stopped) = oneshot::channel::<()>();
    let router = capture.router();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(error) = capture::serve(listener, router, shutdown).await {
            tracing::error!("the listener stopped: {error}");
        }
    });
    listening::announce(
        data_dir,
        &Listening {
            address: url(address),
            test_event_key: key.map(|key| key.value().to_string()),
            pid: std::process::id(),
        },
    );
    (
        ListenerStatus::Listening {
            address: url(address),
            port: address.port(),
            data_dir: data_dir.display().to_string(),
        },
        Serving {
            address,
            stop,
            task,
        },
    )
}

impl Session {
    pub fn status(&self) -> ListenerStatus {
        self.lock().status.clone()
    }

    /// The address the listener is bound to; None when it is not listening.
    pub fn address(&self) -> Option<SocketAddr> {
        self.lock().serving.as_ref().map(|serving| serving.address)
    }

    /// What a local ngrok agent says of the listener's port (the port it asked for when it is
    /// not listening): the public URL to give Persona, or tunnels that lead elsewhere.
    pub async fn ngrok(&self) -> crate::ngrok::NgrokStatus {
        let port = match self.status() {
            ListenerStatus::Listening { port, .. } | ListenerStatus::Failed { port, .. } => port,
        };
        crate::ngrok::status(port).await
    }

    /// Moves the listener to `port` (0: any free port) and saves it. When the new port can't
    /// be had, the old listener (if any) keeps running and the error says why.
    pub async fn relisten(&self, port: u16) -> Result<ListenerStatus, SessionError> {
        let _changing = self.changing.lock().await;
        let store = self
            .store()
            .map_err(|e| SessionError::Listen(e.to_string()))?;
        let capture = self
            .capture
            .clone()
            .ok_or_else(|| SessionError::Listen("the store is not open".into()))?;
        let (bound, address) = bind(&self.host, port)
            .await
            .map_err(|error| SessionError::Listen(refusal(port, error)))?;
        let (status, serving) = serve(
            &capture,
            bound,
            address,
            &self.data_dir,
            self.test_event.as_ref(),
        );
        let previous = {
            let mut listener = self.lock();
            listener.status = status.clone();
            listener.serving.replace(serving)
        };
        if let Some(previous) = previous {
            // Deliveries in flight on the old port finish; new ones go to the new port.
            let _ = previous.stop.send(());
        }
        if let ListenerStatus::Listening { port, .. } = status {
            let saved = blocking(move || {
                let saved = Saved {
                    port,
                    ..store.settings()?
                };
                store.save_settings(&saved)
            })
            .await;
            if let Err(error) = saved {
                tracing::warn!(
                    "listening on port {port}, but it could not be saved for next time: {error}"
                );
            }
        }
        Ok(status)
    }

    /// Takes the listener at work out, to be stopped, and withdraws `listening.json`.
    pub(super) fn take_serving(&self) -> Option<Serving> {
        let serving = self.lock().stop()?;
        listening::withdraw(&self.data_dir, &url(serving.address));
        Some(serving)
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, super::Listener> {
        self.listener
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
