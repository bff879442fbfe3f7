//! The capture engine as the app runs it: the store opened at launch with the saved settings,
//! a listener that can move to another port, and settings changes applied live.
//! When the port is taken or the store can't open, the app still starts and says why.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use persona_inspector::capture::{self, Capture, Reply, Settings, StatusCode};
use persona_inspector::model::{self, Order, Rule, Saved, Scope, Verification};
use persona_inspector::redeliver::{Client, Options, Report};
use persona_inspector::relay::Relay;
use persona_inspector::retention;
use persona_inspector::sample::TestEventKey;
use persona_inspector::store::{SavedSecret, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::forwarding::{self, BulkJobs, BulkStarted, BulkStep};

/// What the window shows about the listener.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, specta::Type)]
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

pub struct Engine {
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
    forwarder: Result<Client, String>,
    /// The forward rule at work; None when the store or the HTTP client is unavailable.
    relay: Option<Relay>,
    /// The relay's results, until the shell takes them to the window.
    forwarded: Mutex<Option<mpsc::UnboundedReceiver<Report>>>,
    bulk: BulkJobs,
    /// This launch's key for its own test events; None when the system gave no random bytes
    /// (test events are then ordinary captures).
    test_event: Option<TestEventKey>,
    /// How many deliveries each retention pass purged, until the shell takes them.
    purged: Mutex<Option<mpsc::UnboundedReceiver<u64>>>,
    /// The hourly retention pass; stopped with the engine.
    retention: Option<tokio::task::JoinHandle<()>>,
}

struct Listener {
    status: ListenerStatus,
    /// Dropping or firing it stops the listener.
    stop: Option<oneshot::Sender<()>>,
}

impl Engine {
    /// Opens the store in `data_dir` with its saved settings, purges what is past the saved
    /// retention (and does so every hour from then on) and listens on `host` at `port`
    /// (None: the saved port). Never fails: a failure is the engine's status.
    pub async fn start(data_dir: &Path, host: &str, port: Option<u16>) -> Engine {
        Engine::start_with(data_dir, host, port, retention::EVERY).await
    }

    /// `start`, applying the retention every `retention_every` instead of every hour (tests).
    pub async fn start_with(
        data_dir: &Path,
        host: &str,
        port: Option<u16>,
        retention_every: Duration,
    ) -> Engine {
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
                return Engine {
                    data_dir: data_dir.to_path_buf(),
                    host: host.to_string(),
                    capture: None,
                    listener: Mutex::new(Listener {
                        status: ListenerStatus::Failed {
                            port: port.unwrap_or(model::DEFAULT_PORT),
                            message: error.to_string(),
                        },
                        stop: None,
                    }),
                    changing: tokio::sync::Mutex::new(()),
                    notifications: Arc::new(AtomicBool::new(false)),
                    notification_counts_only: Arc::new(AtomicBool::new(false)),
                    forwarder: new_forwarder(),
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
        let forwarder = new_forwarder();
        let (relay, forwarded) = match &forwarder {
            Ok(forwarder) => match forwarding::start_relay(&capture, forwarder.clone()) {
                Ok((relay, reports)) => (Some(relay), Some(reports)),
                Err(error) => {
                    tracing::warn!("forwarding is unavailable: {error}");
                    (None, None)
                }
            },
            Err(_) => (None, None),
        };
        let engine = Engine {
            data_dir: data_dir.to_path_buf(),
            host: host.to_string(),
            capture: Some(capture),
            listener: Mutex::new(Listener {
                status: ListenerStatus::Failed {
                    port: saved.port,
                    message: "not started".into(),
                },
                stop: None,
            }),
            changing: tokio::sync::Mutex::new(()),
            notifications: Arc::new(AtomicBool::new(saved.notifications)),
            notification_counts_only: Arc::new(AtomicBool::new(saved.notification_counts_only)),
            forwarder,
            relay,
            forwarded: Mutex::new(forwarded),
            bulk: BulkJobs::default(),
            test_event,
            purged: Mutex::new(Some(purged)),
            retention: Some(retention),
        };
        let port = port.unwrap_or(saved.port);
        let started = engine.listen(port).await;
        let mut listener = engine.lock();
        match started {
            Ok((status, stop)) => {
                listener.status = status;
                listener.stop = Some(stop);
            }
            Err(message) => listener.status = ListenerStatus::Failed { port, message },
        }
        drop(listener);
        engine
    }

    pub fn capture(&self) -> Option<&Capture> {
        self.capture.as_ref()
    }

    pub fn status(&self) -> ListenerStatus {
        self.lock().status.clone()
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
        self.purged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// Moves the listener to `port` (0: any free port) and saves it. When the new port can't
    /// be had, the old listener (if any) keeps running and the error says why.
    pub async fn relisten(&self, port: u16) -> Result<ListenerStatus, String> {
        let _changing = self.changing.lock().await;
        let store = self.store()?;
        let (status, stop) = self.listen(port).await?;
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

    /// Saves `saved` and applies it to the listener; re-checks stored verdicts when the
    /// tolerance changed. Returns how many verdicts changed, if a re-check ran.
    pub async fn change_settings(
        &self,
        saved: Saved,
    ) -> Result<Option<u64>, persona_inspector::Error> {
        let _changing = self.changing.lock().await;
        let store = self.store().map_err(persona_inspector::Error::Invalid)?;
        let capture = self.capture.clone();
        let notifications = self.notifications.clone();
        let test_event = self.test_event.clone();
        let counts_only = self.notification_counts_only.clone();
        blocking(move || {
            let before = store.settings()?;
            store.save_settings(&saved)?;
            let secrets = store.secrets()?;
            let settings = capture_settings(&saved, &secrets, test_event);
            if let Some(capture) = capture {
                capture.set_settings(settings.clone());
            }
            notifications.store(saved.notifications, Ordering::Relaxed);
            counts_only.store(saved.notification_counts_only, Ordering::Relaxed);
            if before.tolerance_seconds != saved.tolerance_seconds {
                return Ok(Some(store.recheck(&settings.verification)?));
            }
            Ok(None)
        })
        .await
    }

    /// Runs `change` on the store's secrets, applies the result to the listener and re-checks
    /// every stored verdict; returns how many changed.
    pub async fn change_secrets(
        &self,
        change: impl FnOnce(&Store) -> persona_inspector::Result<()> + Send + 'static,
    ) -> Result<u64, persona_inspector::Error> {
        let _changing = self.changing.lock().await;
        let store = self.store().map_err(persona_inspector::Error::Invalid)?;
        let capture = self.capture.clone();
        let test_event = self.test_event.clone();
        blocking(move || {
            // Applied whatever the change's outcome: a removal whose erase could not finish
            // has still removed the secret, and the listener must stop trusting it.
            let changed = change(&store);
            let settings = capture_settings(&store.settings()?, &store.secrets()?, test_event);
            if let Some(capture) = capture {
                capture.set_settings(settings.clone());
            }
            let rechecked = store.recheck(&settings.verification)?;
            changed.map(|()| rechecked)
        })
        .await
    }

    /// The key the app's test event carries, so the listener stores it as `test`.
    pub fn test_event_key(&self) -> Option<&TestEventKey> {
        self.test_event.as_ref()
    }

    pub fn forwarder(&self) -> Result<Client, String> {
        self.forwarder.clone()
    }

    /// The forward rule in use (the saved one).
    pub fn forward_rule(&self) -> Result<Rule, String> {
        Ok(self.relay()?.rule())
    }

    /// Checks `rule`, saves it and uses it from now on; retries waiting under the old rule
    /// stop.
    pub async fn change_forward_rule(&self, rule: Rule) -> Result<Rule, persona_inspector::Error> {
        let _changing = self.changing.lock().await;
        let unavailable = persona_inspector::Error::Invalid;
        let relay = self.relay().map_err(unavailable)?;
        let store = self.store().map_err(unavailable)?;
        let forwarder = self.forwarder().map_err(unavailable)?;
        let listening = match self.status() {
            ListenerStatus::Listening { port, .. } => {
                Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            }
            ListenerStatus::Failed { .. } => None,
        };
        blocking(move || {
            rule.check(&forwarder, &store, listening)?;
            store.save_forward_rule(&rule)?;
            relay.set_rule(rule.clone())?;
            Ok(rule)
        })
        .await
    }

    /// The relay's results from now on; None after the first call.
    pub fn take_forwarded(&self) -> Option<mpsc::UnboundedReceiver<Report>> {
        self.forwarded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// Starts re-delivering `scope` in `order`; `report` hears its progress.
    pub async fn start_bulk(
        &self,
        scope: Scope,
        order: Order,
        options: Options,
        report: impl Fn(BulkStep) + Send + Sync + 'static,
    ) -> Result<BulkStarted, persona_inspector::Error> {
        let unavailable = persona_inspector::Error::Invalid;
        let store = self.store().map_err(unavailable)?;
        let forwarder = self.forwarder().map_err(unavailable)?;
        self.bulk
            .start(forwarder, store, scope, order, options, report)
            .await
    }

    /// Stops bulk run `job` before its next send; false when it is not running.
    pub fn cancel_bulk(&self, job: u32) -> bool {
        self.bulk.cancel(job)
    }

    fn relay(&self) -> Result<Relay, String> {
        match &self.relay {
            Some(relay) => Ok(relay.clone()),
            None => Err(match (&self.forwarder, self.store()) {
                (Err(message), _) => message.clone(),
                (_, Err(message)) => message,
                _ => "forwarding could not start (see the log)".into(),
            }),
        }
    }

    pub fn store(&self) -> Result<Store, String> {
        match &self.capture {
            Some(capture) => Ok(capture.store().clone()),
            None => Err(match self.status() {
                ListenerStatus::Failed { message, .. } => message,
                ListenerStatus::Listening { .. } => "the store is not open".into(),
            }),
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
                persona_inspector::Error::PortInUse { .. } => format!(
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Listener> {
        self.listener
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(retention) = self.retention.take() {
            retention.abort();
        }
    }
}

fn new_forwarder() -> Result<Client, String> {
    Client::new().map_err(|error| format!("re-delivery is unavailable: {error}"))
}

/// The listener's settings from what the user saved, and this launch's test-event key.
pub fn capture_settings(
    saved: &Saved,
    secrets: &[SavedSecret],
    test_event: Option<TestEventKey>,
) -> Settings {
    Settings {
        verification: Verification {
            secrets: secrets.iter().map(|s| s.secret.clone()).collect(),
            tolerance_seconds: saved.tolerance_seconds,
        },
        reply: Reply {
            // Saved values are validated (100–599) before they are stored.
            status: StatusCode::from_u16(saved.reply_status).unwrap_or(StatusCode::OK),
            delay: Duration::from_millis(saved.reply_delay_ms),
            body: None,
        },
        test_event,
        ..Settings::default()
    }
}

/// Runs store work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> persona_inspector::Result<T> + Send + 'static,
) -> persona_inspector::Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        persona_inspector::Error::Invalid(format!("the work stopped unexpectedly: {error}"))
    })?
}
