//! Reads a Persona webhook delivery: a JSON:API document whose `data` is an `event` carrying the
//! affected resource in `attributes.payload`.
//!
//! Deliveries are captured as they are, so nothing here rejects a body that is valid JSON:
//! whatever does not fit the envelope becomes a `None` field plus a plain-sentence note.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::catalog;
use crate::catalog::api_paths::{ApiPath, api_path};
use crate::model::{Headline, ParseError};

mod headline;
mod skeleton;

pub use headline::headline;
pub use skeleton::parse_skeleton;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub status: Option<String>,
    /// As sent; `Null` if absent.
    pub attributes: Value,
    pub relationships: Vec<Relationship>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Relationship {
    /// As sent (kebab-case, camelCase or snake_case, depending on the webhook's key inflection).
    pub name: String,
    pub to_many: bool,
    pub targets: Vec<Target>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Target {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// Found in `payload.included` by (type, id).
    pub included: bool,
    /// Index into `payload.included`, which is also the index into [`Event::included`].
    pub included_index: Option<usize>,
    /// The primary resource (`payload.data`): in the payload, though not in `included`.
    pub primary: bool,
    /// Where Persona's API reference documents fetching it; None when the catalog's table has
    /// no documented path for its type.
    pub api: Option<ApiPath>,
}

impl Target {
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            kind: self.kind.clone(),
            id: self.id.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    pub id: Option<String>,
    pub name: Option<String>,
    /// As sent.
    pub created_at: Option<String>,
    pub known_event: bool,
    pub description: Option<&'static str>,
    pub resource: Option<Resource>,
    /// One entry per `payload.included` element, in order (non-objects become empty
    /// placeholders so that `Target::included_index` stays valid).
    pub included: Vec<Resource>,
    pub notes: Vec<String>,
}

/// Parses a delivery body. Any valid JSON yields an [`Event`]; invalid JSON yields a [`ParseError`].
pub fn parse(body: &[u8]) -> Result<Event, ParseError> {
    if body.is_empty() {
        return Err(ParseError {
            message: "empty body".to_string(),
            line: 1,
            column: 0,
        });
    }
    let value: Value = serde_json::from_slice(body)?;
    Ok(event_from_value(&value))
}

impl From<Event> for Headline {
    fn from(event: Event) -> Headline {
        let resource = event.resource;
        Headline {
            event_id: event.id,
            event_name: event.name,
            created_at: event.created_at,
            resource_type: resource.as_ref().map(|r| r.kind.clone()),
            resource_id: resource.as_ref().map(|r| r.id.clone()),
            resource_status: resource.and_then(|r| r.status),
        }
    }
}

/// Looks up an attribute by its kebab-case name, also accepting the camelCase and snake_case
/// spellings a webhook may be configured to send (`created-at`, `createdAt`, `created_at`).
pub fn attribute<'a>(attributes: &'a Value, kebab: &str) -> Option<&'a Value> {
    map_attribute(attributes.as_object()?, kebab)
}

fn map_attribute<'a>(map: &'a Map<String, Value>, kebab: &str) -> Option<&'a Value> {
    map.get(kebab).or_else(|| {
        if !kebab.contains('-') {
            return None;
        }
        map.get(&kebab.replace('-', "_"))
            .or_else(|| map.get(&camel_case(kebab)))
    })
}

fn camel_case(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        match c {
            '-' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

pub fn event_from_value(v: &Value) -> Event {
    let mut event = Event {
        id: None,
        name: None,
        created_at: None,
        known_event: false,
        description: None,
        resource: None,
        included: Vec::new(),
        notes: Vec::new(),
    };
    let notes = &mut event.notes;
    let Some(root) = v.as_object() else {
        notes.push(format!(
            "the body is {}, not a JSON:API document object",
            kind_of(v)
        ));
        return event;
    };
    let Some(data) = object_member(root.get("data"), "data", notes) else {
        return event;
    };
    match data.get("type") {
        Some(Value::String(t)) if t == "event" => {}
        Some(Value::String(t)) => notes.push(format!("data.type is {t:?}, not \"event\"")),
        None | Some(Value::Null) => notes.push("no data.type".to_string()),
        Some(other) => notes.push(format!("data.type is {}, not \"event\"", kind_of(other))),
    }
    event.id = required_text(data.get("id"), "data.id", notes);
    let Some(attributes) = object_member(data.get("attributes"), "data.attributes", notes) else {
        return event;
    };
    event.name = required_text(
        map_attribute(attributes, "name"),
        "data.attributes.name",
        notes,
    );
    event.created_at = required_text(
        map_attribute(attributes, "created-at"),
        "data.attributes.created-at",
        notes,
    );
    if let Some(name) = &event.name {
        let entry = catalog::lookup(name);
        event.known_event = entry.is_some();
        event.description = entry.map(|e| e.description);
        if entry.is_none() {
            notes.push(catalog::unlisted(name));
        }
    }
    let Some(payload) = object_member(
        map_attribute(attributes, "payload"),
        "data.attributes.payload",
        notes,
    ) else {
        return event;
    };

    event.included = match payload.get("included") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                resource(item, &format!("payload.included[{i}]"), notes).unwrap_or_else(placeholder)
            })
            .collect(),
        Some(other) => {
            notes.push(format!(
                "payload.included is {}, not an array",
                kind_of(other)
            ));
            Vec::new()
        }
    };
    let index = index_included(&event.included, notes);

    event.resource = match payload.get("data") {
        None => {
            notes.push("no payload.data".to_string());
            None
        }
        Some(data) => resource(data, "payload.data", notes),
    };
    let key = event
        .resource
        .as_ref()
        .filter(|r| !r.kind.is_empty() && !r.id.is_empty())
        .map(|r| (r.kind.clone(), r.id.clone()));
    let key = key.as_ref().map(|(kind, id)| (kind.as_str(), id.as_str()));
    for r in &mut event.included {
        resolve(r, &index, key);
    }
    if let Some(primary) = &mut event.resource {
        resolve(primary, &index, key);
        note_missing_targets(primary, notes);
    }
    event
}

/// `Some` if the member is an object; otherwise notes why not.
fn object_member<'a>(
    v: Option<&'a Value>,
    path: &str,
    notes: &mut Vec<String>,
) -> Option<&'a Map<String, Value>> {
    match v {
        Some(Value::Object(map)) => Some(map),
        None => {
            notes.push(format!("no {path}"));
            None
        }
        Some(other) => {
            notes.push(format!("{path} is {}, not an object", kind_of(other)));
            None
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string member; numbers are stringified and other types ignored, each with a note.
fn text(v: Option<&Value>, path: &str, notes: &mut Vec<String>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Number(n) => {
            notes.push(format!("{path} is a number; read as \"{n}\""));
            Some(n.to_string())
        }
        other => {
            notes.push(format!(
                "{path} is {}, not a string; ignored",
                kind_of(other)
            ));
            None
        }
    }
}

/// Like [`text`], but an absent or null member is itself worth a note.
fn required_text(v: Option<&Value>, path: &str, notes: &mut Vec<String>) -> Option<String> {
    if v.is_none_or(Value::is_null) {
        notes.push(format!("no {path}"));
        return None;
    }
    text(v, path, notes)
}

fn placeholder() -> Resource {
    Resource {
        kind: String::new(),
        id: String::new(),
        status: None,
        attributes: Value::Null,
        relationships: Vec::new(),
    }
}

/// Reads a resource object; relationship targets are left unresolved.
fn resource(v: &Value, path: &str, notes: &mut Vec<String>) -> Option<Resource> {
    let Some(obj) = v.as_object() else {
        notes.push(format!("{path} is {}, not a resource object", kind_of(v)));
        return None;
    };
    let kind = required_text(obj.get("type"), &format!("{path}.type"), notes).unwrap_or_default();
    let id = required_text(obj.get("id"), &format!("{path}.id"), notes).unwrap_or_default();
    let attributes = obj.get("attributes").cloned().unwrap_or(Value::Null);
    if !attributes.is_object() && !attributes.is_null() {
        notes.push(format!(
            "{path}.attributes is {}, not an object",
            kind_of(&attributes)
        ));
    }
    let status = text(
        attribute(&attributes, "status"),
        &format!("{path}.attributes.status"),
        notes,
    );
    let relationships = match obj.get("relationships") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, rel)| {
                relationship(name, rel, &format!("{path}.relationships.{name}"), notes)
            })
            .collect(),
        Some(other) => {
            notes.push(format!(
                "{path}.relationships is {}, not an object",
                kind_of(other)
            ));
            Vec::new()
        }
    };
    Some(Resource {
        kind,
        id,
        status,
        attributes,
        relationships,
    })
}

fn relationship(name: &str, rel: &Value, path: &str, notes: &mut Vec<String>) -> Relationship {
    if !rel.is_object() {
        notes.push(format!(
            "{path} is {}, not a relationship object",
            kind_of(rel)
        ));
    }
    let (to_many, targets) = match rel.get("data") {
        // `{}` (data omitted, e.g. links only) and `data: null` both mean "no linkage".
        None | Some(Value::Null) => (false, Vec::new()),
        Some(Value::Array(items)) => {
            let targets = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| target(v, &format!("{path}.data[{i}]"), notes));
            (true, targets.collect())
        }
        Some(one) => (
            false,
            target(one, &format!("{path}.data"), notes)
                .into_iter()
                .collect(),
        ),
    };
    Relationship {
        name: name.to_string(),
        to_many,
        targets,
    }
}

/// A resource linkage `{type, id}`, unresolved; anything else is skipped with a note.
fn target(v: &Value, path: &str, notes: &mut Vec<String>) -> Option<Target> {
    let obj = v.as_object();
    let kind = text(
        obj.and_then(|o| o.get("type")),
        &format!("{path}.type"),
        notes,
    );
    let id = text(obj.and_then(|o| o.get("id")), &format!("{path}.id"), notes);
    match (kind, id) {
        (Some(kind), Some(id)) => Some(Target {
            kind,
            id,
            included: false,
            included_index: None,
            primary: false,
            api: None,
        }),
        _ => {
            notes.push(format!("{path} is not a {{type, id}} linkage; skipped"));
            None
        }
    }
}

/// (type, id) → first index in `included`; duplicates are noted, and links resolve to the first.
fn index_included(
    included: &[Resource],
    notes: &mut Vec<String>,
) -> HashMap<(String, String), usize> {
    let mut index = HashMap::new();
    let mut duplicates: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, r) in included
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.kind.is_empty() && !r.id.is_empty())
    {
        let key = (r.kind.clone(), r.id.clone());
        match index.entry(key) {
            Entry::Occupied(first) => *duplicates.entry(first.key().clone()).or_insert(1) += 1,
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    for ((kind, id), n) in duplicates {
        notes.push(format!(
            "included has {n} entries with the same (type, id): {kind} {id}"
        ));
    }
    index
}

fn resolve(
    r: &mut Resource,
    index: &HashMap<(String, String), usize>,
    primary: Option<(&str, &str)>,
) {
    for t in r
        .relationships
        .iter_mut()
        .flat_map(|rel| rel.targets.iter_mut())
    {
        t.included_index = index.get(&(t.kind.clone(), t.id.clone())).copied();
        t.included = t.included_index.is_some();
        t.primary = primary == Some((t.kind.as_str(), t.id.as_str()));
        t.api = api_path(&t.kind, &t.id);
    }
}

/// One note for all of the primary resource's targets missing from included: that is normal
/// for Persona, so it is listed once rather than flagged per relationship.
fn note_missing_targets(primary: &Resource, notes: &mut Vec<String>) {
    const SHOWN: usize = 5;
    let missing: Vec<String> = primary
        .relationships
        .iter()
        .flat_map(|rel| rel.targets.iter().map(move |t| (rel, t)))
        // A link back to the primary resource is satisfied by payload.data itself.
        .filter(|(_, t)| !t.included && !t.primary)
        .map(|(rel, t)| format!("{:?} → {} {}", rel.name, t.kind, t.id))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut list = missing
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if missing.len() > SHOWN {
        list.push_str(&format!(" and {} more", missing.len() - SHOWN));
    }
    notes.push(format!(
        // Persona's docs, "Webhook Allowlists": `included` holds only the related objects the
        // webhook's Included Allowlist names for the event type (none by default since the
        // changelog of January 28, 2026).
        "relationship targets not in included (Persona includes only what the webhook's \
         Included Allowlist names): {list}"
    ));
}

#[cfg(test)]
mod tests;
