//! What a session is started with: the desktop app's saved settings and rule, or `serve`'s
//! flags for one run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::capture::Settings;
use crate::model::Rule;
use crate::redeliver::Report;
use crate::retention;
use crate::store::Summary;

/// Everything a session starts with. [`Launch::app`] is the desktop app's; `serve` fills in
/// its flags.
pub struct Launch {
    pub data_dir: PathBuf,
    pub host: String,
    /// None: the saved port.
    pub port: Option<u16>,
    pub listener: ListenerSettings,
    pub forward: Forward,
    /// How often deliveries past the saved age are purged, the first pass at launch; None:
    /// never.
    pub retention_every: Option<Duration>,
    /// Whether this launch marks its own test events, so the listener stores them as `test`.
    pub test_events: bool,
    /// Told each capture and each forward result as they happen, in order (`serve`'s
    /// printer). Without it, callers subscribe to the capture and take the forward results
    /// with [`super::Session::take_forwarded`].
    pub announce: Option<Announce>,
}

/// The listener's settings.
pub enum ListenerSettings {
    /// The saved settings and secrets, changed live with `update_settings` (the app).
    Saved,
    /// These, for this run only; with no secrets among them, the saved secrets (`serve`).
    /// Persona's source addresses are always the saved list.
    Given(Settings),
}

/// The forward rule a session runs.
pub enum Forward {
    /// The saved rule, changed with `change_forward_rule`. Retries waiting since the last run
    /// are resumed, and those waiting at stop are left for the next launch.
    Saved,
    /// This rule for this run only, checked at launch and never saved. Retries left waiting by
    /// an earlier run are left alone, and this run's are called off at stop, so the app does
    /// not resume them under its own rule.
    ThisRun(Rule),
    /// Nothing is forwarded.
    Off,
}

/// What [`Launch::announce`] is told.
#[allow(
    clippy::large_enum_variant,
    reason = "handed over by value once, never kept in bulk"
)]
pub enum Announcement {
    /// A capture, once stored; `forwarded`: the rule took it, and its first result follows.
    Captured { summary: Summary, forwarded: bool },
    /// This many captures arrived too fast to be told or forwarded (all stored).
    Missed(u64),
    /// A forward's result: a capture's first send or a retry.
    Forwarded(Report),
}

/// Called on the session's tasks; it should return promptly.
pub type Announce = Arc<dyn Fn(Announcement) + Send + Sync>;

impl Launch {
    /// The desktop app: saved settings, secrets and forward rule, the hourly retention pass
    /// and test events; `port` overrides the saved port.
    pub fn app(data_dir: &Path, host: &str, port: Option<u16>) -> Launch {
        Launch {
            data_dir: data_dir.to_path_buf(),
            host: host.to_string(),
            port,
            listener: ListenerSettings::Saved,
            forward: Forward::Saved,
            retention_every: Some(retention::EVERY),
            test_events: true,
            announce: None,
        }
    }
}

/// Why a session could not start as launched (only [`super::Session::try_launch`] says so).
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(crate::Error),
    /// The listener could not bind (`Error::PortInUse` when the port is taken).
    #[error(transparent)]
    Listen(crate::Error),
    /// The rule given for this run was refused, or nothing could be sent.
    #[error(transparent)]
    Forward(crate::Error),
}
