//! What the CLI and the app show of stored deliveries: each summary with what the event catalog
//! says of its event, and one delivery in full — its envelope read (JSON:API), its body in
//! base64, its event described. Built here, above the store, which keeps rows and reads
//! neither the catalog nor the body.

use base64::Engine;
use serde::Serialize;

use crate::catalog;
use crate::error::Result;
use crate::jsonapi::{self, Relationship, Resource};
use crate::model::{Filter, NewDelivery};
use crate::store::{Store, Stored, Summary};
use crate::story::{ChainCopy, RetryChain};

/// Everything about one delivery.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub summary: Summary,
    /// `[name, value]` in arrival order; a third element holds the exact bytes in base64 when
    /// the value is not UTF-8.
    #[cfg_attr(feature = "specta", specta(type = Vec<Vec<String>>))]
    pub headers: serde_json::Value,
    /// The body exactly as received.
    pub body_base64: String,
    pub event_description: Option<&'static str>,
    /// The main resource's relationships, each target marked included or not.
    pub relationships: Vec<Relationship>,
    /// `payload.included`, each with its own relationships resolved.
    pub included: Vec<Resource>,
    /// Where the envelope departs from what Persona sends.
    pub event_notes: Vec<String>,
    /// Every stored copy of this event id, as they arrived, timed against Persona's retry
    /// schedule; empty when the event was delivered once.
    pub retry_chain: Vec<ChainCopy>,
    /// Attempt numbers within the chain that no stored copy carries.
    pub retry_chain_missing_attempts: Vec<u32>,
    /// Sentences on the chain: missing attempts, copies whose body differs, copies left out.
    pub retry_chain_notes: Vec<String>,
}

impl Store {
    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        Ok(self
            .list_stored(filter)?
            .into_iter()
            .map(with_catalog)
            .collect())
    }

    pub fn get(&self, id: i64) -> Result<Detail> {
        let record = self.record(id)?;
        let event = jsonapi::parse(&record.body).ok();
        let (relationships, included, event_notes, event_description) = match event {
            Some(e) => (
                e.resource.map(|r| r.relationships).unwrap_or_default(),
                e.included,
                e.notes,
                e.description,
            ),
            None => Default::default(),
        };
        let chain = match &record.summary.event_id {
            Some(event_id) if record.summary.event_deliveries > 1 => self.retry_chain(event_id)?,
            _ => RetryChain::default(),
        };
        Ok(Detail {
            summary: with_catalog(record.summary),
            headers: record.headers,
            body_base64: base64::engine::general_purpose::STANDARD.encode(&record.body),
            event_description,
            relationships,
            included,
            event_notes,
            retry_chain: chain.copies,
            retry_chain_missing_attempts: chain.missing_attempts,
            retry_chain_notes: chain.notes,
        })
    }
}

impl Summary {
    /// The summary of a delivery just stored, without reading it back.
    pub fn of_new(stored: Stored, d: &NewDelivery) -> Summary {
        let i = &d.event;
        with_catalog(Summary {
            id: stored.id,
            received_at: crate::clock::rfc3339(d.arrival.received_at_ms),
            received_at_ms: d.arrival.received_at_ms,
            method: d.arrival.method.clone(),
            path: d.arrival.path.clone(),
            query: d.arrival.query.clone(),
            remote_addr: d.arrival.remote_addr.clone(),
            outcome: d.outcome,
            event_id: i.event_id.clone(),
            event_group: None,
            known_event: false,
            event_name: i.event_name.clone(),
            event_created_at: i.created_at.clone(),
            resource: crate::store::resource_summary(
                i.resource_type.clone(),
                i.resource_id.clone(),
                i.resource_status.clone(),
            ),
            signature: d.signature.clone(),
            attempts: d.attempts.clone(),
            body_size: d.body_size,
            parse_error: d.parse_error.clone(),
            event_deliveries: stored.event_deliveries,
            forward: None,
            source: d.source,
            original_received_at: d.original_received_at_ms.map(crate::clock::rfc3339),
            original_received_at_ms: d.original_received_at_ms,
        })
    }
}

/// The catalog's resource group of the summary's event, and whether the catalog knows it.
fn with_catalog(summary: Summary) -> Summary {
    let event_name = summary.event_name.as_deref();
    Summary {
        event_group: event_name.map(catalog::group_of),
        known_event: event_name.and_then(catalog::lookup).is_some(),
        ..summary
    }
}
