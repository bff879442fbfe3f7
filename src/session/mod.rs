//! The running application, free of any window: the store opened with the saved settings, a
//! listener that can move to another port, settings and secrets applied live, the saved forward
//! rule at work, bulk runs, sample events, endpoint checks and the hourly retention pass. When
//! the port is taken or the store can't open, the session still starts and its status says why.
//!
//! What it starts with is a [`Launch`]: the desktop app's is the saved everything; `serve`'s is
//! its flags, a forward rule for that run only and no retention.

mod endpoint_check;
mod error;
mod forward_rule;
mod jobs;
mod launch;
mod listener;
pub mod listening;
mod purge;
mod redelivery;
mod sample;
mod settings;
mod share;

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
pub use forward_rule::ForwardResult;
pub use jobs::{BulkJobs, BulkStarted, BulkStep};
pub use launch::{Announce, Announcement, Forward, Launch, LaunchError, ListenerSettings};
pub use listener::ListenerStatus;
pub use redelivery::RedeliveryPreview;
pub use sample::SampleRequest;
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
    /// The forward rule at work; None when forwarding is off for this launch or the store or
    /// the HTTP client is unavailable.
    relay: Option<Relay>,
    /// Whether the relay runs a rule given for this run (never saved; its retries called off
    /// at stop) rather than the saved one.
    this_run: bool,
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
    /// The desktop app's session ([`Launch::app`]): `port` overrides the saved port. Never
    /// fails: a failure is the session's status.
    pub async fn start(data_dir: &Path, host: &str, port: Option<u16>) -> Session {
        Session::launch(Launch::app(data_dir, host, port)).await
    }

    /// `start`, applying the retention every `retention_every` instead of every hour (tests).
    pub async fn start_with(
        data_dir: &Path,
        host: &str,
        port: Option<u16>,
        retention_every: Duration,
    ) -> Session {
        Session::launch(Launch {
            retention_every: Some(retention_every),
            ..Launch::app(data_dir, host, port)
        })
        .await
    }

    /// Starts what `launch` describes. Never fails: when the store can't open or the port
    /// can't be had, the status says why; a forward rule that can't start is logged.
    pub async fn launch(launch: Launch) -> Session {
        let test_event = test_event_key(&launch);
        let (data_dir, host, port) = (launch.data_dir.clone(), launch.host.clone(), launch.port);
        match Session::begin(launch, test_event.clone(), false).await {
            Ok(session) => session,
            // Leniently started, only the store fails.
            Err(error) => Session::unopened(data_dir, host, port, error.to_string(), test_event),
        }
    }

    /// Starts what `launch` describes, or says why it can't: the store, the listener or the
    /// forward rule (`serve`, which stops on any of them).
    pub async fn try_launch(launch: Launch) -> Result<Session, LaunchError> {
        let test_event = test_event_key(&launch);
        Session::begin(launch, test_event, true).await
    }

    /// Opens the store, binds the listener, starts the relay and the retention, then listens.
    /// `strict`: a failed bind or relay is the error; otherwise the status or a log line.
    async fn begin(
        launch: Launch,
        test_event: Option<TestEventKey>,
        strict: bool,
    ) -> Result<Session, LaunchError> {
        let Launch {
            data_dir,
            host,
            port,
            listener,
            forward,
            retention_every,
            test_events: _,
            announce,
        } = launch;
        let (store, saved, secrets) = Store::open(&data_dir)
            .and_then(|store| {
                // A session runs for long: it compresses what older versions stored.
                store.start_compressing_old_bodies()?;
                store.start_packing()?;
                let saved = store.settings()?;
                let secrets = store.secrets()?;
                Ok((store, saved, secrets))
            })
            .map_err(LaunchError::Store)?;
        let given = matches!(listener, ListenerSettings::Given(_));
        let settings = match listener {
            ListenerSettings::Saved => capture_settings(&saved, &secrets, test_event.clone()),
            ListenerSettings::Given(mut settings) => {
                if settings.verification.secrets.is_empty() {
                    settings.verification.secrets =
                        secrets.iter().map(|s| s.secret.clone()).collect();
                }
                settings.test_event = test_event.clone();
                settings.persona_ips = saved.persona_ips();
                settings
            }
        };
        let client = Client::new().map(|client| match given {
            // Given secrets are not saved: the client looks labels up in them first.
            true => client.with_secrets(settings.verification.secrets.clone()),
            false => client,
        });
        let capture = Capture::new(store.clone(), settings);
        let port = port.unwrap_or(saved.port);
        let bound = match listener::bind(&host, port).await {
            Err(error) if strict => return Err(LaunchError::Listen(error)),
            bound => bound,
        };

        let this_run = matches!(forward, Forward::ThisRun(_));
        let (report, forwarded) = mpsc::unbounded_channel();
        let on_forwarded: Box<dyn Fn(Report) + Send + Sync> = match announce.clone() {
            Some(announce) => Box::new(move |done| announce(Announcement::Forwarded(done))),
            None => Box::new(move |done| {
                let _ = report.send(done);
            }),
        };
        let listening = bound.as_ref().ok().map(|(_, address)| *address);
        let relay = match &client {
            Ok(client) => {
                forward_rule::relay_for(&forward, &store, client, listening, on_forwarded)
            }
            Err(error) if !matches!(forward, Forward::Off) => {
                Err(crate::Error::Invalid(error.to_string()))
            }
            Err(_) => Ok(None),
        };
        let relay = match relay {
            Ok(relay) => relay,
            Err(error) if strict => return Err(LaunchError::Forward(error)),
            Err(error) => {
                tracing::warn!("forwarding is unavailable: {error}");
                None
            }
        };
        let forwarded = (relay.is_some() && announce.is_none()).then_some(forwarded);
        forward_rule::feed(&capture, relay.clone(), announce);

        let (purged, retention) = match retention_every {
            Some(every) => {
                let (purged_tx, purged) = mpsc::unbounded_channel();
                let retention = retention::every(store, every, move |n| {
                    let _ = purged_tx.send(n);
                });
                (Some(purged), Some(retention))
            }
            None => (None, None),
        };
        let listener = match bound {
            Ok((bound, address)) => Listener::serving(listener::serve(
                &capture,
                bound,
                address,
                &data_dir,
                test_event.as_ref(),
            )),
            Err(error) => Listener::failed(port, listener::refusal(port, error)),
        };
        Ok(Session {
            data_dir,
            host,
            capture: Some(capture),
            listener: Mutex::new(listener),
            changing: tokio::sync::Mutex::new(()),
            notifications: Arc::new(AtomicBool::new(saved.notifications)),
            notification_counts_only: Arc::new(AtomicBool::new(saved.notification_counts_only)),
            client: client.map_err(|error| format!("re-delivery is unavailable: {error}")),
            relay,
            this_run,
            forwarded: Mutex::new(forwarded),
            bulk: BulkJobs::default(),
            test_event,
            purged: Mutex::new(purged),
            retention,
        })
    }

    /// A session whose store could not be opened: its status says why.
    fn unopened(
        data_dir: PathBuf,
        host: String,
        port: Option<u16>,
        message: String,
        test_event: Option<TestEventKey>,
    ) -> Session {
        Session {
            data_dir,
            host,
            capture: None,
            listener: Mutex::new(Listener::failed(
                port.unwrap_or(model::DEFAULT_PORT),
                message,
            )),
            changing: tokio::sync::Mutex::new(()),
            notifications: Arc::new(AtomicBool::new(false)),
            notification_counts_only: Arc::new(AtomicBool::new(false)),
            client: new_client(),
            relay: None,
            this_run: false,
            forwarded: Mutex::new(None),
            bulk: BulkJobs::default(),
            test_event,
            purged: Mutex::new(None),
            retention: None,
        }
    }

    /// Stops listening and returns once the requests in flight are answered; then calls off
    /// the retries a rule given for this run is waiting to send (the saved rule's stay for
    /// the next launch to resume). Returns how many were called off.
    pub async fn stop(&self) -> Result<u64, SessionError> {
        if let Some(serving) = self.take_serving() {
            serving.finish().await;
        }
        match (&self.relay, self.this_run) {
            (Some(relay), true) => {
                let relay = relay.clone();
                blocking(move || relay.stop()).await
            }
            _ => Ok(0),
        }
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
        // A session dropped without `stop` (the app at exit) takes its address back too.
        drop(self.take_serving());
        if let Some(retention) = self.retention.take() {
            retention.abort();
        }
    }
}

fn test_event_key(launch: &Launch) -> Option<TestEventKey> {
    if !launch.test_events {
        return None;
    }
    TestEventKey::generate()
        .inspect_err(|error| tracing::warn!("test events will not be marked: {error}"))
        .ok()
}

fn new_client() -> Result<Client, String> {
    Client::new().map_err(|error| format!("re-delivery is unavailable: {error}"))
}

fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}
