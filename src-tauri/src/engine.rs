//! The capture engine as the app runs it: opened at launch, listening on the chosen port.
//! When the port is taken or the store can't open, the app still starts and says why.

use std::path::Path;

use persona_inspector::capture::{self, Capture, Settings};
use persona_inspector::store::Store;
use serde::Serialize;
use tokio::sync::oneshot;

/// What the window shows about the listener.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ListenerStatus {
    Listening {
        address: String,
        port: u16,
        data_dir: String,
    },
    Failed {
        port: u16,
        message: String,
    },
}

pub struct Engine {
    /// None only when the store itself could not be opened.
    capture: Option<Capture>,
    status: ListenerStatus,
    /// Dropping it stops the listener.
    _stop: Option<oneshot::Sender<()>>,
}

impl Engine {
    /// Opens the store in `data_dir` and listens on `host:port`. Never fails: a failure is
    /// the engine's status.
    pub async fn start(data_dir: &Path, host: &str, port: u16, settings: Settings) -> Engine {
        let store = match Store::open(data_dir) {
            Ok(store) => store,
            Err(error) => {
                return Engine {
                    capture: None,
                    status: ListenerStatus::Failed {
                        port,
                        message: error.to_string(),
                    },
                    _stop: None,
                };
            }
        };
        let capture = Capture::new(store, settings);
        let listener = match capture::bind(host, port).await {
            Ok(listener) => listener,
            Err(persona_inspector::Error::PortInUse { .. }) => {
                return Engine {
                    capture: Some(capture),
                    status: ListenerStatus::Failed {
                        port,
                        message: format!(
                            "port {port} is in use — another program is listening there; pick another port"
                        ),
                    },
                    _stop: None,
                };
            }
            Err(error) => {
                return Engine {
                    capture: Some(capture),
                    status: ListenerStatus::Failed {
                        port,
                        message: error.to_string(),
                    },
                    _stop: None,
                };
            }
        };
        let address = match listener.local_addr() {
            Ok(address) => address,
            Err(error) => {
                return Engine {
                    capture: Some(capture),
                    status: ListenerStatus::Failed {
                        port,
                        message: format!("the listener has no address: {error}"),
                    },
                    _stop: None,
                };
            }
        };
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
        Engine {
            status: ListenerStatus::Listening {
                address: format!("http://{address}"),
                port: address.port(),
                data_dir: data_dir.display().to_string(),
            },
            capture: Some(capture),
            _stop: Some(stop),
        }
    }

    pub fn capture(&self) -> Option<&Capture> {
        self.capture.as_ref()
    }

    pub fn status(&self) -> &ListenerStatus {
        &self.status
    }
}
