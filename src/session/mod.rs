//! The running application, free of any window: the store opened with the saved settings, a
//! listener that can move to another port, settings and secrets applied live, the saved forward
//! rule at work, bulk runs, the test event and the hourly retention pass. When the port is
//! taken or the store can't open, the session still starts and its status says why.
//!
//! The desktop app runs it. `serve` runs the same parts (capture, relay, redeliver) from its
//! flags instead: it must not adopt the app's saved rule, pending retries or retention.

mod error;
mod forward;
mod jobs;
mod listener;
mod purge;
mod redelivery;
mod settings;
mod share;
mod test_event;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::capture::Capture;
use crate::model;
use crate::redeliver::{Client, Report};
use crate::relay::Relay;
use crate::retention;
use crate::sample::TestEventKey;
use crate::store::Store;

pub use error::{KINDS, SessionError, blocking};
pub use forward::{ForwardResult, start_relay};
pub use jobs::{BulkJobs, BulkStarted, BulkStep};
pub use listener::ListenerStatus;
pub use redelivery::RedeliveryPreview;
pub use settings::{
    AppSettings, Retention, SecretInfo, SecretsChanged, SettingsChange, SettingsChanged,
    capture_settings,
};

use listener::Listener;

pub struct Session {
    data_dir: PathBuf,
    host: String,
    /// None only when the store itself could not be opened.
    capture: Option<Capture>,
    listener: Mutex<Listener>,
    /// Serializes settings changes: each reads, writes, applies and re-checks in turn.
    changing: tokio::sync::Mutex<()>,
    notifications: Arc<AtomicBool>,
    /// The counts-only setting, shared with the notifier like `notifications`.
    notification_counts_only: Arc<AtomicBool>,
    /// Re-delivers captures; one client, so connections to the user's app are reused.
    client: Result<Client, String>,
    /// The forward rule at work; None when the store or the HTTP client is unavailable.
    relay: Option<Relay>,
    /// The relay's results, until the caller takes them.
    forwarded: Mutex<Option<mpsc::UnboundedReceiver<Report>>>,
    bulk: BulkJobs,
    /// This launch's key for its own test events; None when the system gave no random bytes
    /// (test events are then ordinary captures).
    test_event: Option<TestEventKey>,
    /// How many deliveries each retention pass purged, until the caller takes them.
    purged: Mutex<Option<mpsc::UnboundedReceiver<u64>>>,
    /// The hourly retention pass; stopped with the session.
    retention: Option<tokio::task::JoinHandle<()>>,
}

impl Session {
    /// Opens the store in `data_dir` with its saved settings, purges what is past the saved
    /// retention (and does so every hour from then on) and listens on `host` at `port`
    /// (None: the saved port). Never fails: a failure is the session's status.
    pub async fn start(data_dir: &Path, host: &str, port: Option<u16>) -> Session {
        Session::start_with(data_dir, host, port, retention::EVERY).await
    }

    /// `start`, applying the retention every `retention_every` instead of every hour (tests).
    pub async fn start_with(
        data_dir: &Path,
        host: &str,
        port: Option<u16>,
        retention_every: Duration,
    ) -> Session {
        let opened = Store::open(data_dir).and_then(|store| {
            let saved = store.settings()?;
            let secrets = store.secrets()?;
            Ok((store, saved, secrets))
        });
        let test_event = TestEventKey::generate()
            .inspect_err(|error| tracing::warn!("test events will not be marked: {error}"))
            .ok();
        let (store, saved, secrets) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                return Session {
                    data_dir: data_dir.to_path_buf(),
                    host: host.to_string(),
                    capture: None,
                    listener: Mutex::new(Listener::failed(
                        port.unwrap_or(model::DEFAULT_PORT),
                        error.to_string(),
                    )),
                    changing: tokio::sync::Mutex::new(()),
                    notifications: Arc::new(AtomicBool::new(false)),
                    notification_counts_only: Arc::new(AtomicBool::new(false)),
                    client: new_client(),
                    relay: None,
                    forwarded: Mutex::new(None),
                    bulk: BulkJobs::default(),
                    test_event,
                    purged: Mutex::new(None),
                    retention: None,
                };
            }
        };
        let (purged_tx, purged) = mpsc::unbounded_channel();
        let retention = retention::every(store.clone(), retention_every, move |n| {
            let _ = purged_tx.send(n);
        });
        let capture = Capture::new(
            store,
            capture_settings(&saved, &secrets, test_event.clone()),
        );
        let client = new_client();
        let (relay, forwarded) = match &client {
            Ok(client) => match start_relay(&capture, client.clone()) {
                Ok((relay, reports)) => (Some(relay), Some(reports)),
                Err(error) => {
                    tracing::warn!("forwarding is unavailable: {error}");
                    (None, None)
                }
            },
            Err(_) => (None, None),
        };
        let session = Session {
            data_dir: data_dir.to_path_buf(),
            host: host.to_string(),
            capture: Some(capture),
            listener: Mutex::new(Listener::failed(saved.port, "not started".into())),
            changing: tokio::sync::Mutex::new(()),
            notifications: Arc::new(AtomicBool::new(saved.notifications)),
            notification_counts_only: Arc::new(AtomicBool::new(saved.notification_counts_only)),
            client,
            relay,
            forwarded: Mutex::new(forwarded),
            bulk: BulkJobs::default(),
            test_event,
            purged: Mutex::new(Some(purged)),
            retention: Some(retention),
        };
        session.listen_at_start(port.unwrap_or(saved.port)).await;
        session
    }

    pub fn capture(&self) -> Option<&Capture> {
        self.capture.as_ref()
    }

    /// The notifications setting, shared with the notifier so a change applies at once.
    pub fn notifications(&self) -> Arc<AtomicBool> {
        self.notifications.clone()
    }

    /// The counts-only setting, shared with the notifier.
    pub fn notification_counts_only(&self) -> Arc<AtomicBool> {
        self.notification_counts_only.clone()
    }

    /// How many deliveries each retention pass purged (the one at launch first, 0 included);
    /// None after the first call.
    pub fn take_purged(&self) -> Option<mpsc::UnboundedReceiver<u64>> {
        take(&self.purged)
    }

    /// The relay's results from now on; None after the first call.
    pub fn take_forwarded(&self) -> Option<mpsc::UnboundedReceiver<Report>> {
        take(&self.forwarded)
    }

    /// The key the app's test event carries, so the listener stores it as `test`.
    pub fn test_event_key(&self) -> Option<&TestEventKey> {
        self.test_event.as_ref()
    }

    pub fn client(&self) -> Result<Client, SessionError> {
        self.client.clone().map_err(SessionError::Unavailable)
    }

    /// The store; unavailable (saying why) when it could not be opened.
    pub fn store(&self) -> Result<Store, SessionError> {
        match &self.capture {
            Some(capture) => Ok(capture.store().clone()),
            None => Err(SessionError::Unavailable(match self.status() {
                ListenerStatus::Failed { message, .. } => message,
                ListenerStatus::Listening { .. } => "the store is not open".into(),
            })),
        }
    }

    /// Runs `query` on the store off the async workers.
    pub async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Store) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, SessionError> {
        let store = self.store()?;
        blocking(move || query(&store)).await
    }

    fn relay(&self) -> Result<Relay, SessionError> {
        match &self.relay {
            Some(relay) => Ok(relay.clone()),
            None => Err(match (&self.client, self.store()) {
                (Err(message), _) => SessionError::Unavailable(message.clone()),
                (_, Err(error)) => error,
                _ => SessionError::Unavailable("forwarding could not start (see the log)".into()),
            }),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(retention) = self.retention.take() {
            retention.abort();
        }
    }
}

fn new_client() -> Result<Client, String> {
    Client::new().map_err(|error| format!("re-delivery is unavailable: {error}"))
}

fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}
