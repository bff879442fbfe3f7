//! One re-delivery by hand: previewed (prepared, never sent) and sent.

use serde::Serialize;

use super::{Session, SessionError, blocking};
use crate::model::Redelivery;
use crate::redeliver::Options;

/// What a re-delivery would send, before it is sent: for the edit view's live preview.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RedeliveryPreview {
    pub method: String,
    pub url: String,
    /// `[name, value]` as they would be sent, the recomputed `Persona-Signature` included.
    #[cfg_attr(feature = "specta", specta(type = Vec<Vec<String>>))]
    pub headers: serde_json::Value,
    pub body_size: u64,
}

impl Session {
    /// Sends delivery `id` to `options.target` and records the attempt (see `redeliver`).
    pub async fn redeliver(&self, id: i64, options: Options) -> Result<Redelivery, SessionError> {
        let store = self.store()?;
        let client = self.client()?;
        Ok(client.redeliver(&store, id, &options).await?)
    }

    /// Prepares (signs, filters, joins the URL) exactly as `redeliver` would, without sending;
    /// errors say what is wrong with the options (bad URL, unknown secret label, invalid
    /// edited header).
    pub async fn preview_redelivery(
        &self,
        id: i64,
        options: Options,
    ) -> Result<RedeliveryPreview, SessionError> {
        let store = self.store()?;
        let client = self.client()?;
        blocking(move || {
            let outgoing = client.prepare(&store, id, &options)?;
            Ok(RedeliveryPreview {
                method: outgoing.method,
                url: outgoing.url,
                headers: crate::model::headers_to_json(&outgoing.headers),
                body_size: outgoing.body.len() as u64,
            })
        })
        .await
    }
}
