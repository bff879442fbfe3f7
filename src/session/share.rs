//! Sharing from the session: a curl command (to the session's own listener unless told
//! otherwise), a fixture, a HAR file of a selection or a filter, and fixtures or HAR files
//! imported under the listener's own limits.

use std::io::Write;

use super::{ListenerStatus, Session, SessionError, blocking};
use crate::model::{Order, Scope};
use crate::{redeliver, share};

/// The largest HAR the window is handed: what its own import reads back by default.
pub const MAX_HAR_EXPORT: usize = share::DEFAULT_MAX_FILE;

impl Session {
    /// A curl command reproducing delivery `id` exactly; to `to`, or to this session's own
    /// listener on the original path.
    pub async fn export_curl(&self, id: i64, to: Option<String>) -> Result<String, SessionError> {
        let store = self.store()?;
        let target = match to {
            Some(url) => redeliver::Target::parse(&url, false)?,
            None => match self.status() {
                ListenerStatus::Listening { port, .. } => redeliver::Target::local(port)?,
                ListenerStatus::Failed { port, .. } => redeliver::Target::local(port)?,
            },
        };
        blocking(move || share::curl(&store.get(id)?, &target)).await
    }

    /// Delivery `id` as a JSON fixture a teammate can import.
    pub async fn export_fixture(&self, id: i64) -> Result<String, SessionError> {
        let store = self.store()?;
        let fixture = blocking(move || Ok(share::fixture(&store.get(id)?))).await?;
        serde_json::to_string_pretty(&fixture)
            .map_err(|e| SessionError::Internal(format!("the fixture could not be written: {e}")))
    }

    /// The deliveries of `scope` (in the order they arrived) as a HAR 1.2 file, at most
    /// [`MAX_HAR_EXPORT`] long; ids that no longer exist are left out.
    pub async fn export_har(&self, scope: Scope) -> Result<String, SessionError> {
        let store = self.store()?;
        blocking(move || {
            let ids = store.bulk_ids(&scope, Order::Received)?;
            if ids.is_empty() {
                return Err(crate::Error::Invalid(match scope {
                    Scope::Ids { .. } => {
                        "none of the selected deliveries is stored any more".into()
                    }
                    Scope::Filter { .. } => {
                        "no delivery matches the filter: nothing to export".into()
                    }
                }));
            }
            let mut har = Capped(Vec::new());
            share::write_har(&store, &ids, &mut har).map_err(|error| match error {
                crate::Error::Io(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                    crate::Error::Invalid(format!(
                        "the HAR of these {} deliveries would be over {}; export fewer, or \
                         write it with `persona-inspector export --har`, which has no limit",
                        ids.len(),
                        crate::model::format_size(MAX_HAR_EXPORT as u64)
                    ))
                }
                other => other,
            })?;
            String::from_utf8(har.0).map_err(|e| crate::Error::Invalid(e.to_string()))
        })
        .await
    }

    /// Imports fixtures (one, or a JSON array) or a HAR file, pasted or read from a file;
    /// returns the new ids. Held to the import limits (the file, and each body as the
    /// listener's own limit).
    pub async fn import_fixtures(&self, text: String) -> Result<Vec<i64>, SessionError> {
        let store = self.store()?;
        let limits = share::Limits::default();
        blocking(move || {
            let deliveries = share::read_deliveries("the pasted text", text.as_bytes(), &limits)?;
            Ok(share::import(&store, deliveries)?
                .into_iter()
                .map(|stored| stored.id)
                .collect())
        })
        .await
    }
}

/// A buffer that refuses to grow past [`MAX_HAR_EXPORT`].
struct Capped(Vec<u8>);

impl Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + bytes.len() > MAX_HAR_EXPORT {
            return Err(std::io::ErrorKind::FileTooLarge.into());
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
