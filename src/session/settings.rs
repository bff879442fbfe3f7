//! Settings and secrets: the saved ones as the window sees them, a change merged into what is
//! saved, applied to the listener at once, and stored verdicts re-checked when what judges
//! them changed.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Session, SessionError, blocking};
use crate::capture::{Reply, Settings, StatusCode};
use crate::model::{Saved, Verification, parse_ip_list};
use crate::sample::TestEventKey;
use crate::store::{SavedSecret, Store};

/// A configured webhook secret as the window sees it: never the value, only a preview.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretInfo {
    pub id: i64,
    pub label: String,
    /// e.g. "wbhsec_…9f2c": enough to tell two secrets apart.
    pub preview: String,
}

/// The app's settings, kept in the same SQLite database as the deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppSettings {
    /// The port the listener is asked to use at launch.
    pub port: u16,
    pub secrets: Vec<SecretInfo>,
    /// Seconds after which a valid signature's timestamp is called stale.
    pub tolerance_seconds: u64,
    pub reply_status: u16,
    pub reply_delay_ms: u64,
    /// One desktop notification per arriving burst.
    pub notifications: bool,
    /// Notifications say only how many arrived (no event name or resource id).
    pub notification_counts_only: bool,
    /// Deliveries older than this many days are purged at launch and every hour; null keeps
    /// them forever.
    pub retention_days: Option<u32>,
    /// Persona's webhook source addresses: each delivery's `source_ip_listed` says whether its
    /// source is among them (`PERSONA_WEBHOOK_IPS` is Persona's published list).
    pub persona_source_ips: Vec<String>,
}

/// How long deliveries are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    Forever,
    Days(u32),
}

/// A settings change; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingsChange {
    #[cfg_attr(feature = "specta", specta(optional))]
    pub tolerance_seconds: Option<u64>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub reply_status: Option<u16>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub reply_delay_ms: Option<u64>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub notifications: Option<bool>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub notification_counts_only: Option<bool>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub retention: Option<Retention>,
    /// The whole list of Persona's source addresses, replacing the saved one; each must be a
    /// whole IP address. An empty list makes every `source_ip_listed` null (unknown).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub persona_source_ips: Option<Vec<String>>,
}

impl SettingsChange {
    /// `current` with this change's fields in place of its own; refuses a list of source
    /// addresses that does not read, naming the address.
    pub fn merged(self, current: Saved) -> crate::Result<Saved> {
        let persona_source_ips = match self.persona_source_ips {
            Some(list) => parse_ip_list(&list).map_err(crate::Error::Invalid)?,
            None => current.persona_source_ips.clone(),
        };
        Ok(Saved {
            tolerance_seconds: self.tolerance_seconds.unwrap_or(current.tolerance_seconds),
            reply_status: self.reply_status.unwrap_or(current.reply_status),
            reply_delay_ms: self.reply_delay_ms.unwrap_or(current.reply_delay_ms),
            notifications: self.notifications.unwrap_or(current.notifications),
            notification_counts_only: self
                .notification_counts_only
                .unwrap_or(current.notification_counts_only),
            retention_days: match self.retention {
                None => current.retention_days,
                Some(Retention::Forever) => None,
                Some(Retention::Days(days)) => Some(days),
            },
            persona_source_ips,
            ..current
        })
    }
}

/// After secrets change, every stored verdict is recomputed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretsChanged {
    pub settings: AppSettings,
    /// How many stored verdicts changed.
    pub rechecked: u64,
}

/// Settings after a change, and how many verdicts a re-check changed (None: none ran).
pub struct SettingsChanged {
    pub settings: AppSettings,
    pub rechecked: Option<u64>,
}

impl Session {
    /// The saved settings, secrets shown by preview only.
    pub async fn settings(&self) -> Result<AppSettings, SessionError> {
        let store = self.store()?;
        blocking(move || app_settings(&store)).await
    }

    /// Merges `change` into the saved settings, saves them and applies them to the listener;
    /// re-checks stored verdicts when the tolerance changed.
    pub async fn update_settings(
        &self,
        change: SettingsChange,
    ) -> Result<SettingsChanged, SessionError> {
        let _changing = self.changing.lock().await;
        let store = self.store()?;
        let capture = self.capture.clone();
        let notifications = self.notifications.clone();
        let test_event = self.test_event.clone();
        let counts_only = self.notification_counts_only.clone();
        blocking(move || {
            let before = store.settings()?;
            let saved = change.merged(before.clone())?;
            store.save_settings(&saved)?;
            let secrets = store.secrets()?;
            let settings = capture_settings(&saved, &secrets, test_event);
            if let Some(capture) = capture {
                capture.set_settings(settings.clone());
            }
            notifications.store(saved.notifications, Ordering::Relaxed);
            counts_only.store(saved.notification_counts_only, Ordering::Relaxed);
            let rechecked = match before.tolerance_seconds != saved.tolerance_seconds {
                true => Some(store.recheck(&settings.verification)?),
                false => None,
            };
            Ok(SettingsChanged {
                settings: app_settings(&store)?,
                rechecked,
            })
        })
        .await
    }

    /// `value` is the secret as copied from Persona's dashboard (`wbhsec_…`).
    pub async fn add_secret(
        &self,
        label: String,
        value: String,
    ) -> Result<SecretsChanged, SessionError> {
        self.change_secrets(move |store| store.add_secret(&label, &value).map(|_| ()))
            .await
    }

    pub async fn rename_secret(
        &self,
        id: i64,
        label: String,
    ) -> Result<SecretsChanged, SessionError> {
        self.change_secrets(move |store| store.rename_secret(id, &label))
            .await
    }

    pub async fn remove_secret(&self, id: i64) -> Result<SecretsChanged, SessionError> {
        self.change_secrets(move |store| store.remove_secret(id))
            .await
    }

    /// Runs `change` on the store's secrets, applies the result to the listener and re-checks
    /// every stored verdict.
    async fn change_secrets(
        &self,
        change: impl FnOnce(&Store) -> crate::Result<()> + Send + 'static,
    ) -> Result<SecretsChanged, SessionError> {
        let _changing = self.changing.lock().await;
        let store = self.store()?;
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
            changed?;
            Ok(SecretsChanged {
                settings: app_settings(&store)?,
                rechecked,
            })
        })
        .await
    }
}

fn app_settings(store: &Store) -> crate::Result<AppSettings> {
    let saved = store.settings()?;
    let secrets = store
        .secrets()?
        .into_iter()
        .map(|s| SecretInfo {
            id: s.id,
            preview: s.secret.preview(),
            label: s.secret.label,
        })
        .collect();
    Ok(AppSettings {
        port: saved.port,
        secrets,
        tolerance_seconds: saved.tolerance_seconds,
        reply_status: saved.reply_status,
        reply_delay_ms: saved.reply_delay_ms,
        notifications: saved.notifications,
        notification_counts_only: saved.notification_counts_only,
        retention_days: saved.retention_days,
        persona_source_ips: saved.persona_source_ips,
    })
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
        persona_ips: saved.persona_ips(),
        ..Settings::default()
    }
}
