//! Sharing from the session: a curl command (to the session's own listener unless told
//! otherwise), a fixture, and fixtures imported under the listener's own limits.

use super::{ListenerStatus, Session, SessionError, blocking};
use crate::{redeliver, share};

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

    /// Imports fixtures (one, or a JSON array) pasted or read from a file; returns the new ids.
    /// Held to the import limits (the file, and each body as the listener's own limit).
    pub async fn import_fixtures(&self, text: String) -> Result<Vec<i64>, SessionError> {
        let store = self.store()?;
        let limits = share::Limits::default();
        blocking(move || {
            let deliveries = share::read_fixtures("the pasted fixture", text.as_bytes(), &limits)?;
            Ok(share::import(&store, deliveries)?
                .into_iter()
                .map(|stored| stored.id)
                .collect())
        })
        .await
    }
}
