//! The listener's lifecycle: started on the saved port (or the one asked for), moved to another
//! port on request, the new port saved for the next launch.

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::{Session, SessionError, blocking};
use crate::capture;
use crate::model::Saved;

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
    /// Dropping or firing it stops the listener.
    stop: Option<oneshot::Sender<()>>,
}

impl Listener {
    pub(super) fn failed(port: u16, message: String) -> Listener {
        Listener {
            status: ListenerStatus::Failed { port, message },
            stop: None,
        }
    }
}

impl Session {
    pub fn status(&self) -> ListenerStatus {
        self.lock().status.clone()
    }

    /// Moves the listener to `port` (0: any free port) and saves it. When the new port can't
    /// be had, the old listener (if any) keeps running and the error says why.
    pub async fn relisten(&self, port: u16) -> Result<ListenerStatus, SessionError> {
        let _changing = self.changing.lock().await;
        let store = self
            .store()
            .map_err(|e| SessionError::Listen(e.to_string()))?;
        let (status, stop) = self.listen(port).await.map_err(SessionError::Listen)?;
        let previous = {
            let mut listener = self.lock();
            listener.status = status.clone();
            listener.stop.replace(stop)
        };
        if let Some(previous) = previous {
            // Deliveries in flight on the old port finish; new ones go to the new port.
            let _ = previous.send(());
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

    /// The first listen, at start: its failure is the status.
    pub(super) async fn listen_at_start(&self, port: u16) {
        let started = self.listen(port).await;
        let mut listener = self.lock();
        match started {
            Ok((status, stop)) => {
                listener.status = status;
                listener.stop = Some(stop);
            }
            Err(message) => listener.status = ListenerStatus::Failed { port, message },
        }
    }

    async fn listen(&self, port: u16) -> Result<(ListenerStatus, oneshot::Sender<()>), String> {
        let capture = self
            .capture
            .clone()
            .ok_or_else(|| "the store is not open".to_string())?;
        let listener = capture::bind(&self.host, port)
            .await
            .map_err(|error| match error {
                crate::Error::PortInUse { .. } => format!(
                    "port {port} is in use — another program is listening there; pick another port"
                ),
                other => other.to_string(),
            })?;
        let address = listener
            .local_addr()
            .map_err(|error| format!("the listener has no address: {error}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let router = capture.router();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = capture::serve(listener, router, shutdown).await {
                tracing::error!("the listener stopped: {error}");
            }
        });
        Ok((
            ListenerStatus::Listening {
                address: format!("http://{address}"),
                port: address.port(),
                data_dir: self.data_dir.display().to_string(),
            },
            stop,
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, super::Listener> {
        self.listener
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
