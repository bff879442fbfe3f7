//! What each family of Persona events carries in `payload.data`, and which resources come
//! along in `included`.

use serde_json::{Value, json};

use super::Options;
use super::rng::Rng;
use crate::catalog::CatalogEntry;
use crate::jsonapi::ResourceRef;

/// The primary resource and the resources included with it.
pub struct Made {
    pub data: Value,
    pub included: Vec<Value>,
    pub resource: ResourceRef,
}

pub fn build(entry: &CatalogEntry, options: &Options, created_at: &str, rng: &mut Rng) -> Made {
    let (resource, action) = entry.name.rsplit_once('.').unwrap_or((entry.name, ""));
    let (kind, prefix) = match resource {
        "verification" => ("verification/government-id", "ver"),
        "document" => ("document/government-id", "doc"),
        "selfie" => ("selfie/profile-and-center", "self"),
        "inquiry" => ("inquiry", "inq"),
        "account" => ("account", "act"),
        "case" => ("case", "case"),
        "transaction" => ("transaction", "txn"),
        other if other.starts_with("report/") => (other, "rep"),
        other => (other, "obj"),
    };
    let id = options
        .resource_id
        .clone()
        .unwrap_or_else(|| format!("{prefix}_{}", rng.id()));
    let data = json!({
        "type": kind,
        "id": id,
        "attributes": {
            "status": action,
            "created-at": created_at,
        },
        "relationships": {}
    });
    Made {
        data,
        included: Vec::new(),
        resource: ResourceRef {
            kind: kind.to_string(),
            id,
        },
    }
}

/// The payload types `event` can carry.
pub fn resource_types(event: &str) -> Vec<&'static str> {
    match event.rsplit_once('.').map(|(resource, _)| resource) {
        Some("verification") => vec!["verification/government-id"],
        _ => Vec::new(),
    }
}
