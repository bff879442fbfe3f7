//! What the CLI and the app show of stored deliveries: each summary with what the event catalog
//! says of its event and whether its source address is in Persona's list (as saved now, so an
//! edit of the list applies to every delivery), and one delivery in full — its envelope read
//! (JSON:API), its body in base64, its event described (`Detail`, for the CLI), or all that but
//! the body's bytes and the parsed attributes (`DetailMeta`, for the window, which gets the bytes
//! raw). Built here, above the store, which keeps rows and reads neither the catalog, the
//! settings nor the body.

use std::net::IpAddr;

use base64::Engine;
use serde::Serialize;

use crate::catalog;
use crate::error::Result;
use crate::jsonapi::{self, Relationship, Resource};
use crate::model::{ApparentSource, Filter, NewDelivery, ParseError, headers_from_json, listed};
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
    /// How `source_ip` was worked out, in a sentence ("the address the proxy on this machine
    /// (ngrok) put in X-Forwarded-For", …).
    pub source_ip_note: String,
    /// The status the listener answered with; null for an import (nobody answered it) and
    /// for deliveries stored before the inspector kept it.
    pub reply_status: Option<u16>,
}

/// What the window shows of one delivery besides its body: [`Detail`] without `body_base64`,
/// and `included` without the resources' attributes. The body's bytes cross IPC on their own,
/// raw; the window parses them once, for the payload tree, and reads each included resource's
/// attributes from that tree, so no parsed copy of the body crosses as JSON.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DetailMeta {
    #[serde(flatten)]
    pub summary: Summary,
    /// `[name, value]` in arrival order; a third element holds the exact bytes in base64 when
    /// the value is not UTF-8.
    #[cfg_attr(feature = "specta", specta(type = Vec<Vec<String>>))]
    pub headers: serde_json::Value,
    pub event_description: Option<&'static str>,
    /// The main resource's relationships, each target marked included or not; `api` only on
    /// the targets the payload lacks (neither included nor primary).
    pub relationships: Vec<Relationship>,
    /// `payload.included` in order, each with its own relationships resolved; element `i`'s
    /// attributes are `payload.included[i].attributes` of the body.
    pub included: Vec<Outline>,
    /// Where the envelope departs from what Persona sends.
    pub event_notes: Vec<String>,
    /// Every stored copy of this event id, as they arrived, timed against Persona's retry
    /// schedule; empty when the event was delivered once.
    pub retry_chain: Vec<ChainCopy>,
    /// Attempt numbers within the chain that no stored copy carries.
    pub retry_chain_missing_attempts: Vec<u32>,
    /// Sentences on the chain: missing attempts, copies whose body differs, copies left out.
    pub retry_chain_notes: Vec<String>,
    /// How `source_ip` was worked out, in a sentence ("the address the proxy on this machine
    /// (ngrok) put in X-Forwarded-For", …).
    pub source_ip_note: String,
    /// The status the listener answered with; null for an import (nobody answered it) and
    /// for deliveries stored before the inspector kept it.
    pub reply_status: Option<u16>,
}

/// An included resource without its attributes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outline {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub status: Option<String>,
    pub relationships: Vec<Relationship>,
}

impl From<Resource> for Outline {
    fn from(r: Resource) -> Outline {
        Outline {
            kind: r.kind,
            id: r.id,
            status: r.status,
            relationships: paths_for_missing_only(r.relationships),
        }
    }
}

/// `relationships` with an API path only on the targets the payload lacks: the window offers
/// one for those alone, and on a payload that includes thousands of resources the others' paths
/// were half of what crossed to open it.
fn paths_for_missing_only(mut relationships: Vec<Relationship>) -> Vec<Relationship> {
    for target in relationships.iter_mut().flat_map(|r| r.targets.iter_mut()) {
        if target.included || target.primary {
            target.api = None;
        }
    }
    relationships
}

impl Store {
    pub fn list(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let persona_ips = self.settings()?.persona_ips();
        Ok(self
            .list_stored(filter)?
            .into_iter()
            .map(|summary| with_catalog(summary).with_listed(&persona_ips))
            .collect())
    }

    /// Delivery `id` in full, its body in base64 (`show --json`, the curl and fixture exports).
    pub fn get(&self, id: i64) -> Result<Detail> {
        let read = self.read_detail(id)?;
        let body = read.body?;
        let envelope = Envelope::of(&body, jsonapi::parse);
        Ok(Detail {
            summary: read.summary,
            headers: read.headers,
            body_base64: base64::engine::general_purpose::STANDARD.encode(&body),
            event_description: envelope.description,
            relationships: envelope.relationships,
            included: envelope.included,
            event_notes: envelope.notes,
            retry_chain: read.chain.copies,
            retry_chain_missing_attempts: read.chain.missing_attempts,
            retry_chain_notes: read.chain.notes,
            source_ip_note: read.source_ip_note,
            reply_status: read.reply_status,
        })
    }

    /// What the window shows of delivery `id` besides its body (see [`DetailMeta`]).
    pub fn get_meta(&self, id: i64) -> Result<DetailMeta> {
        let read = self.read_detail(id)?;
        // The attributes are dropped: reading them is most of the work on a big body. A body
        // that does not decode leaves the rest to show, with a note that says why.
        let envelope = match &read.body {
            Ok(body) => Envelope::of(body, jsonapi::parse_skeleton),
            Err(error) => Envelope {
                notes: vec![error.to_string()],
                ..Envelope::default()
            },
        };
        Ok(DetailMeta {
            summary: read.summary,
            headers: read.headers,
            event_description: envelope.description,
            relationships: paths_for_missing_only(envelope.relationships),
            included: envelope.included.into_iter().map(Outline::from).collect(),
            event_notes: envelope.notes,
            retry_chain: read.chain.copies,
            retry_chain_missing_attempts: read.chain.missing_attempts,
            retry_chain_notes: read.chain.notes,
            source_ip_note: read.source_ip_note,
            reply_status: read.reply_status,
        })
    }

    fn read_detail(&self, id: i64) -> Result<Read> {
        let persona_ips = self.settings()?.persona_ips();
        let record = self.record(id)?;
        let source = ApparentSource::of_request(
            record.summary.remote_addr.as_deref(),
            &headers_from_json(&record.headers),
        );
        let chain = match &record.summary.event_id {
            Some(event_id) if record.summary.event_deliveries > 1 => self.retry_chain(event_id)?,
            _ => RetryChain::default(),
        };
        Ok(Read {
            summary: with_catalog(record.summary).with_listed(&persona_ips),
            headers: record.headers,
            body: record.body,
            chain,
            source_ip_note: source.describe(),
            reply_status: record.reply_status,
        })
    }
}

/// What [`Detail`] and [`DetailMeta`] are made of, read from the store.
struct Read {
    summary: Summary,
    headers: serde_json::Value,
    body: Result<Vec<u8>>,
    chain: RetryChain,
    source_ip_note: String,
    reply_status: Option<u16>,
}

/// The envelope's parts a detail shows; empty when the body is not JSON.
#[derive(Default)]
struct Envelope {
    relationships: Vec<Relationship>,
    included: Vec<Resource>,
    notes: Vec<String>,
    description: Option<&'static str>,
}

impl Envelope {
    /// What `parse` (`jsonapi::parse`, or `jsonapi::parse_skeleton` when the attributes are not
    /// shown) reads of `body`.
    fn of(
        body: &[u8],
        parse: fn(&[u8]) -> std::result::Result<jsonapi::Event, ParseError>,
    ) -> Envelope {
        match parse(body) {
            Ok(e) => Envelope {
                relationships: e.resource.map(|r| r.relationships).unwrap_or_default(),
                included: e.included,
                notes: e.notes,
                description: e.description,
            },
            Err(_) => Envelope::default(),
        }
    }
}

impl Summary {
    /// The summary of a delivery just stored, without reading it back; its source looked up
    /// in `persona_ips`.
    pub fn of_new(stored: Stored, d: &NewDelivery, persona_ips: &[IpAddr]) -> Summary {
        let i = &d.event;
        let source_ip =
            ApparentSource::of_request(d.arrival.remote_addr.as_deref(), &d.arrival.headers).ip;
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
            source_ip: source_ip.map(|ip| ip.to_string()),
            source_ip_listed: listed(source_ip, persona_ips),
        })
    }

    /// With `source_ip_listed` told from `persona_ips`.
    fn with_listed(self, persona_ips: &[IpAddr]) -> Summary {
        let ip = self.source_ip.as_deref().and_then(|ip| ip.parse().ok());
        Summary {
            source_ip_listed: listed(ip, persona_ips),
            ..self
        }
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
