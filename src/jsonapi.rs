//! Reads a Persona webhook delivery: a JSON:API document whose `data` is an `event` carrying the
//! affected resource in `attributes.payload`.
//!
//! Deliveries are captured as they are, so nothing here rejects a body that is valid JSON:
//! whatever does not fit the envelope becomes a `None` field plus a plain-sentence note.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde_json::{Map, Value};

use crate::catalog;
use crate::catalog::api_paths::{ApiPath, api_path};

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        let full = e.to_string();
        // serde_json has no public error code to match on; its message is the only signal.
        let message = if full.starts_with("recursion limit exceeded") {
            "JSON nests deeper than 128 levels; the body was stored without being parsed"
                .to_string()
        } else {
            let location = format!(" at line {} column {}", e.line(), e.column());
            full.strip_suffix(&location).unwrap_or(&full).to_string()
        };
        ParseError {
            message,
            line: e.line(),
            column: e.column(),
        }
    }
}

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

/// The fields the store indexes. The capture path needs only these for every delivery, so
/// [`headline`] reads them without building the whole document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Headline {
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    pub created_at: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_status: Option<String>,
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

/// Same result as `parse(body).map(Headline::from)`, about twenty times faster on a typical
/// delivery: a typed read of the envelope that still validates the whole body. Anything that
/// doesn't fit the usual shape (wrong types, duplicate keys, not an object) takes the full path.
pub fn headline(body: &[u8]) -> Result<Headline, ParseError> {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Document {
        data: Option<EventData>,
    }
    #[derive(Deserialize)]
    struct EventData {
        id: Option<String>,
        attributes: Option<EventAttributes>,
    }
    #[derive(Deserialize)]
    struct EventAttributes {
        name: Option<String>,
        #[serde(rename = "created-at", alias = "createdAt", alias = "created_at")]
        created_at: Option<String>,
        payload: Option<Payload>,
    }
    #[derive(Deserialize)]
    struct Payload {
        data: Option<ResourceData>,
    }
    #[derive(Deserialize)]
    struct ResourceData {
        #[serde(rename = "type")]
        kind: Option<String>,
        id: Option<String>,
        attributes: Option<ResourceAttributes>,
    }
    #[derive(Deserialize)]
    struct ResourceAttributes {
        status: Option<String>,
    }

    let Ok(document) = serde_json::from_slice::<Document>(body) else {
        return unusual_headline(body);
    };
    let event = document.data;
    let attributes = event.as_ref().and_then(|e| e.attributes.as_ref());
    let resource = attributes
        .and_then(|a| a.payload.as_ref())
        .and_then(|p| p.data.as_ref());
    // The full parser only reports a resource that has both a type and an id.
    let (kind, id) = match resource {
        Some(ResourceData {
            kind: Some(kind),
            id: Some(id),
            ..
        }) => (Some(kind.clone()), Some(id.clone())),
        Some(_) => return unusual_headline(body),
        None => (None, None),
    };
    Ok(Headline {
        event_id: event.as_ref().and_then(|e| e.id.clone()),
        event_name: attributes.and_then(|a| a.name.clone()),
        created_at: attributes.and_then(|a| a.created_at.clone()),
        resource_status: resource
            .and_then(|r| r.attributes.as_ref())
            .and_then(|a| a.status.clone()),
        resource_type: kind,
        resource_id: id,
    })
}

/// The headline of a body the typed read refused (not an object, wrong types, duplicate keys):
/// the full parse's rules, run over only the members the headline reads. Everything else is
/// validated and skipped, so memory stays near the body's size whatever the JSON holds (a
/// `serde_json::Value` of 10 MiB of `[0,0,…]` would take hundreds of MiB).
fn unusual_headline(body: &[u8]) -> Result<Headline, ParseError> {
    if body.is_empty() {
        return parse(body).map(Headline::from);
    }
    let mut json = serde_json::Deserializer::from_slice(body);
    let pruned = serde::de::DeserializeSeed::deserialize(Pruned(&DOCUMENT), &mut json)?;
    json.end()?;
    Ok(Headline::from(event_from_value(&pruned)))
}

/// Which members of an object [`Pruned`] keeps; `Leaf` keeps a scalar, and only the kind of
/// an array or object.
enum Shape {
    Leaf,
    Object(&'static [(&'static str, Shape)]),
}

const RESOURCE: Shape = Shape::Object(&[
    ("type", Shape::Leaf),
    ("id", Shape::Leaf),
    ("attributes", Shape::Object(&[("status", Shape::Leaf)])),
]);
const DOCUMENT: Shape = Shape::Object(&[(
    "data",
    Shape::Object(&[
        ("type", Shape::Leaf),
        ("id", Shape::Leaf),
        (
            "attributes",
            Shape::Object(&[
                ("name", Shape::Leaf),
                ("created-at", Shape::Leaf),
                ("created_at", Shape::Leaf),
                ("createdAt", Shape::Leaf),
                ("payload", Shape::Object(&[("data", RESOURCE)])),
            ]),
        ),
    ]),
)]);

/// Reads a JSON value keeping only what its [`Shape`] names; arrays and unnamed objects come
/// out empty (their kind is all the headline's rules look at).
struct Pruned(&'static Shape);

impl<'de> serde::de::DeserializeSeed<'de> for Pruned {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Skip.visit_seq(seq)?;
        Ok(Value::Array(Vec::new()))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let member = match self.0 {
                Shape::Object(members) => members.iter().find(|(name, _)| *name == key),
                Shape::Leaf => None,
            };
            match member {
                // Inserting again replaces, as the full parse does with a duplicate key.
                Some((_, shape)) => {
                    kept.insert(key, map.next_value_seed(Pruned(shape))?);
                }
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(Value::Object(kept))
    }
}

/// Reads past a JSON value keeping nothing. Unlike `IgnoredAny`, it goes through
/// `deserialize_any`, so serde_json's nesting limit applies and errors match the full parse.
struct Skip;

impl<'de> serde::de::DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
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
mod tests {
    use super::*;
    use serde_json::json;

    const REUSABLE_PERSONA: &str =
        include_str!("../tests/fixtures/inquiry-reusable-persona-created.json");
    const DOCS_EXAMPLE_INVALID: &str = include_str!("../tests/fixtures/docs-example-invalid.json");
    const DOCS_EXAMPLE: &str = include_str!("../tests/fixtures/docs-example.json");

    fn parsed(body: &str) -> Event {
        parse(body.as_bytes()).unwrap_or_else(|e| panic!("expected a parse, got {e}"))
    }

    fn relationship<'a>(r: &'a Resource, name: &str) -> &'a Relationship {
        r.relationships
            .iter()
            .find(|rel| rel.name == name)
            .unwrap_or_else(|| panic!("no relationship {name:?} on {} {}", r.kind, r.id))
    }

    #[test]
    fn the_reusable_persona_docs_payload_parses_with_relationships_resolved() {
        let event = parsed(REUSABLE_PERSONA);
        assert_eq!(
            event.id.as_deref(),
            Some("evt_kLmNoPqRsTuVwXyZaBcDeFgH"),
            "event id"
        );
        assert_eq!(
            event.name.as_deref(),
            Some("inquiry.reusable-persona-created"),
            "event name"
        );
        assert_eq!(
            event.created_at.as_deref(),
            Some("2024-03-15T18:35:01.100Z"),
            "created-at"
        );
        assert!(
            event.known_event,
            "inquiry.reusable-persona-created is in the catalog"
        );
        assert!(
            event
                .description
                .is_some_and(|d| d.contains("reusable persona")),
            "description"
        );

        let inquiry = event.resource.as_ref().expect("payload.data is a resource");
        assert_eq!(
            (inquiry.kind.as_str(), inquiry.id.as_str()),
            ("inquiry", "inq_kT4xVnR2bPmYwL9sTgD3cExZ")
        );
        assert_eq!(
            inquiry.status.as_deref(),
            Some("approved"),
            "inquiry status"
        );
        assert_eq!(event.included.len(), 3, "included resources");

        let template = &relationship(inquiry, "inquiry-template").targets;
        assert_eq!(
            template.len(),
            1,
            "inquiry-template is to-one with one target"
        );
        assert_eq!(
            template[0].included_index,
            Some(0),
            "inquiry-template resolves to included[0]"
        );
        assert!(template[0].included, "inquiry-template is included");

        let sessions = relationship(inquiry, "sessions");
        assert!(sessions.to_many, "sessions is to-many");
        assert_eq!(
            sessions.targets[0].included_index,
            Some(2),
            "session resolves to included[2]"
        );

        let account = &relationship(inquiry, "account").targets[0];
        assert_eq!(account.id, "act_fJ8mQpDLrYvNcBzWk5HsAxRy", "account id");
        assert!(
            !account.included && account.included_index.is_none(),
            "the account is not included"
        );
        let verification = &relationship(inquiry, "verifications").targets[0];
        assert!(
            !verification.included,
            "the government-id verification is not included"
        );

        let template_rel = relationship(inquiry, "template");
        assert!(
            !template_rel.to_many && template_rel.targets.is_empty(),
            "`template: {{}}` has no targets"
        );
        assert!(
            relationship(inquiry, "documents").to_many,
            "`data: []` is to-many"
        );

        let missing = event
            .notes
            .iter()
            .find(|n| n.contains("not in included"))
            .expect("a not-included note");
        assert!(
            missing.contains("act_fJ8mQpDLrYvNcBzWk5HsAxRy"),
            "note lists the account: {missing}"
        );
        assert!(
            missing.contains("ver_X3kHmRqV9YpZ2nBwL5tGdJcE"),
            "note lists the verification: {missing}"
        );
        assert_eq!(
            event.notes.len(),
            1,
            "only the not-included note: {:?}",
            event.notes
        );

        let version = &event.included[1];
        assert_eq!(
            version.status.as_deref(),
            Some("published"),
            "included[1] status"
        );
        let back = &relationship(version, "inquiry-template").targets[0];
        assert_eq!(
            back.included_index,
            Some(0),
            "included resources resolve against included too"
        );
        let session = &event.included[2];
        let to_primary = &relationship(session, "inquiry").targets[0];
        assert!(!to_primary.included, "the primary is not in included");
        assert!(
            to_primary.primary,
            "but it is payload.data, so it is not missing"
        );
        let account = &relationship(inquiry, "account").targets[0];
        assert!(!account.primary && !account.included);
        assert_eq!(
            account.api.as_ref().map(|a| a.path.as_str()),
            Some("/api/v1/accounts/act_fJ8mQpDLrYvNcBzWk5HsAxRy"),
            "a missing account is fetched at the documented path"
        );
    }

    #[test]
    fn the_invalid_docs_example_reports_the_first_error_position() {
        let err =
            parse(DOCS_EXAMPLE_INVALID.as_bytes()).expect_err("the docs example is not valid JSON");
        // Line 9 is `"type": "inquiry"` with no comma; the parser stops at line 10's `"id"`.
        assert_eq!((err.line, err.column), (10, 11), "error position: {err}");
        assert_eq!(err.message, "expected `,` or `}`", "message");
    }

    #[test]
    fn the_hand_fixed_docs_example_parses_with_verifications_resolved() {
        let event = parsed(DOCS_EXAMPLE);
        assert_eq!(
            event.id.as_deref(),
            Some("evt_XGuYWp7WuDzNxie5z16s7sGJ"),
            "event id"
        );
        assert_eq!(
            event.name.as_deref(),
            Some("inquiry.approved"),
            "event name"
        );
        assert_eq!(
            event.created_at.as_deref(),
            Some("2019-09-09T22:46:27.598Z"),
            "created-at"
        );
        assert!(event.known_event, "inquiry.approved is known");
        assert!(
            event.notes.is_empty(),
            "a conforming event has no notes: {:?}",
            event.notes
        );

        let inquiry = event.resource.as_ref().expect("payload.data");
        assert_eq!(inquiry.status.as_deref(), Some("approved"), "status");
        assert_eq!(
            relationship(inquiry, "template").targets[0].included_index,
            Some(0),
            "template"
        );
        let verifications = relationship(inquiry, "verifications");
        let resolved: Vec<_> = verifications
            .targets
            .iter()
            .map(|t| (t.kind.as_str(), t.included_index))
            .collect();
        assert_eq!(
            resolved,
            [
                ("verification/driver-license", Some(1)),
                ("verification/selfie", Some(2))
            ],
            "verification targets"
        );
        assert_eq!(
            event.included[1].status.as_deref(),
            Some("passed"),
            "driver-license status"
        );
        let reports = relationship(inquiry, "reports");
        assert!(
            reports.to_many && reports.targets.is_empty(),
            "reports is an empty to-many"
        );
    }

    fn small_event(created_at: &str, reference_id: &str) -> Value {
        json!({"data": {"type": "event", "id": "evt_1", "attributes": {
            "name": "inquiry.completed",
            created_at: "2024-01-02T03:04:05.000Z",
            "payload": {"data": {"type": "inquiry", "id": "inq_1",
                "attributes": {"status": "completed", reference_id: "ref-9"}}, "included": []}
        }}})
    }

    #[test]
    fn camel_case_and_snake_case_keys_read_like_kebab_case() {
        for (created_at, reference_id) in [
            ("created-at", "reference-id"),
            ("createdAt", "referenceId"),
            ("created_at", "reference_id"),
        ] {
            let event = event_from_value(&small_event(created_at, reference_id));
            assert_eq!(
                event.created_at.as_deref(),
                Some("2024-01-02T03:04:05.000Z"),
                "created_at via {created_at}"
            );
            let inquiry = event.resource.expect("payload.data");
            assert_eq!(
                inquiry.status.as_deref(),
                Some("completed"),
                "status with {created_at}"
            );
            assert_eq!(
                attribute(&inquiry.attributes, "reference-id"),
                Some(&json!("ref-9")),
                "{reference_id}"
            );
            assert!(
                event.notes.is_empty(),
                "no notes with {created_at}: {:?}",
                event.notes
            );
        }
    }

    #[test]
    fn json_that_is_not_an_envelope_still_yields_an_event_with_notes() {
        for body in [r#"{"hello":1}"#, "[]", "42", r#""x""#, "null", "{}"] {
            let event = parsed(body);
            let empty = event.id.is_none() && event.name.is_none() && event.created_at.is_none();
            assert!(
                empty && event.resource.is_none() && event.included.is_empty(),
                "{body}: {event:?}"
            );
            assert!(
                !event.notes.is_empty(),
                "{body} should explain itself in notes"
            );
        }
        assert_eq!(
            parsed("[]").notes,
            ["the body is an array, not a JSON:API document object"]
        );
    }

    #[test]
    fn wrongly_typed_fields_do_not_panic_and_are_noted() {
        let event = parsed(r#"{"data":{"id":5,"attributes":"x"}}"#);
        assert_eq!(
            event.id.as_deref(),
            Some("5"),
            "numeric ids are stringified"
        );
        assert!(
            event
                .notes
                .iter()
                .any(|n| n.contains("data.id is a number")),
            "{:?}",
            event.notes
        );
        assert!(
            event
                .notes
                .iter()
                .any(|n| n == "data.attributes is a string, not an object"),
            "{:?}",
            event.notes
        );

        let odd = json!({"data": {"type": {}, "id": [1], "attributes": {"name": 7, "createdAt": false,
            "payload": {"data": {"type": 1, "id": 2.5, "attributes": [], "relationships": {
                "a": 5, "b": {"data": 7}, "c": {"data": [1, {"type": "x"}, {"type": "x", "id": "1"}]}}},
            "included": [3, {"type": "x", "id": "1", "relationships": []}, {"type": "x", "id": "1"}]}}}});
        let event = event_from_value(&odd);
        assert_eq!(event.id, None, "an array id is ignored");
        assert_eq!(
            event.name.as_deref(),
            Some("7"),
            "a numeric name is stringified"
        );
        assert!(!event.known_event, "\"7\" is not a known event");
        let primary = event
            .resource
            .as_ref()
            .expect("payload.data is still an object");
        assert_eq!(
            (primary.kind.as_str(), primary.id.as_str()),
            ("1", "2.5"),
            "numbers stringified"
        );
        let c = relationship(primary, "c");
        assert_eq!(c.targets.len(), 1, "only the well-formed linkage survives");
        assert_eq!(
            c.targets[0].included_index,
            Some(1),
            "resolves to the first duplicate"
        );
        assert_eq!(
            event.included.len(),
            3,
            "included keeps one entry per element"
        );
        assert_eq!(
            event.included[0],
            placeholder(),
            "a non-object included entry is a placeholder"
        );
        assert!(
            event
                .notes
                .iter()
                .any(|n| n == "included has 2 entries with the same (type, id): x 1"),
            "{:?}",
            event.notes
        );
    }

    #[test]
    fn unexpected_envelope_values_are_noted() {
        let event = event_from_value(&json!({"data": {"type": "inquiry", "id": "inq_1",
            "attributes": {"name": "foo.bar", "created-at": "t"}}}));
        let expected = [
            "data.type is \"inquiry\", not \"event\"",
            "event name \"foo.bar\" is not in the inspector's catalog of Persona's events \
             (taken 2026-11-22); Persona keeps adding events, so it may be newer than the catalog",
            "no data.attributes.payload",
        ];
        assert_eq!(event.notes, expected, "notes");
        assert_eq!(
            event.name.as_deref(),
            Some("foo.bar"),
            "the unknown name is still reported"
        );
    }

    #[test]
    fn nesting_beyond_serde_jsons_limit_is_a_parse_error_not_a_stack_overflow() {
        const DEPTH: usize = 300_000;
        let arrays = "[".repeat(DEPTH);
        let objects = r#"{"a":"#.repeat(DEPTH);
        let bodies = [
            format!("{arrays}{}", "]".repeat(DEPTH)),
            arrays,
            format!("{objects}1{}", "}".repeat(DEPTH)),
            objects,
        ];
        for body in &bodies {
            let err = parse(body.as_bytes()).expect_err("deep nesting must not parse");
            assert!(
                err.message.contains("deeper than 128 levels"),
                "message: {}",
                err.message
            );
            assert!(
                err.message.contains("stored without being parsed"),
                "message: {}",
                err.message
            );
        }
    }

    #[test]
    fn invalid_utf8_is_a_parse_error() {
        for body in [
            &b"{\"data\":\"\xff\xfe\"}"[..],
            b"\xff",
            b"{\"\xc3\x28\":1}",
        ] {
            let err = parse(body).expect_err("invalid UTF-8 must not parse");
            assert_eq!(err.line, 1, "error line for {body:?}: {err}");
        }
    }

    #[test]
    fn an_empty_body_is_a_parse_error_at_line_1_column_0() {
        let err = parse(b"").expect_err("empty body");
        assert_eq!(
            err,
            ParseError {
                message: "empty body".to_string(),
                line: 1,
                column: 0
            },
            "empty body"
        );
    }

    #[test]
    fn many_missing_targets_make_one_short_note() {
        let targets: Vec<Value> = (0..8)
            .map(|i| json!({"type": "report", "id": format!("rep_{i}")}))
            .collect();
        let event = event_from_value(
            &json!({"data": {"type": "event", "id": "evt_1", "attributes": {
            "name": "inquiry.completed", "created-at": "t",
            "payload": {"data": {"type": "inquiry", "id": "inq_1", "relationships": {"reports": {"data": targets}}}}}}}),
        );
        assert_eq!(event.notes.len(), 1, "{:?}", event.notes);
        assert!(
            event.notes[0].ends_with("\"reports\" → report rep_4 and 3 more"),
            "{}",
            event.notes[0]
        );
    }

    #[test]
    fn the_fast_headline_agrees_with_the_full_parse_on_every_shape() {
        let deep = "[".repeat(300_000);
        let bodies: Vec<String> = vec![
            REUSABLE_PERSONA.to_string(),
            DOCS_EXAMPLE.to_string(),
            DOCS_EXAMPLE_INVALID.to_string(),
            deep,
            String::new(),
            "{}".into(),
            "[]".into(),
            "42".into(),
            r#"{"data": null}"#.into(),
            r#"{"data": {"id": 5, "attributes": "x"}}"#.into(),
            r#"{"data": {"id": "evt_1", "attributes": {"name": "a.b", "createdAt": "t1",
                "payload": {"data": {"type": "inquiry", "id": "inq_1",
                "attributes": {"status": null}}}}}}"#
                .into(),
            r#"{"data": {"id": "evt_2", "attributes": {"name": "a.b", "created_at": "t2",
                "payload": {"data": {"id": "inq_no_type", "attributes": {"status": "x"}}}}}}"#
                .into(),
            r#"{"data": {"id": "evt_3", "id": "evt_dup", "attributes": {"payload": []}}}"#.into(),
            r#"{"data": {"id": "evt_4", "attributes": {"name": 7, "payload": {"data":
                {"type": "inquiry", "id": "inq_4", "attributes": {"status": 3}}}}}}"#
                .into(),
            // Shapes the typed read refuses, read by the pruned one.
            r#""just a string""#.into(),
            r#"{"data": [1, 2], "data": {"id": "evt_last"}}"#.into(),
            r#"{"data": {"id": "evt_5", "id": 5}}"#.into(),
            r#"{"data": {"id": 1.5e3, "attributes": {"name": ["x"], "created_at": {"a": 1},
                "createdAt": "t5", "payload": {"included": 3, "data": {"type": "inquiry",
                "id": 42, "attributes": {"status": true}}}}}}"#
                .into(),
            r#"{"data": {"attributes": {"payload": {"data": {"type": "inquiry", "id": "inq_6",
                "attributes": {"status": "done", "status": null}}, "data": {"type": "x",
                "id": "inq_7", "attributes": {"status": "kept"}}}}}, "pad": [[[{"a": []}]]]}"#
                .into(),
        ];
        for body in &bodies {
            let full = parse(body.as_bytes()).map(Headline::from);
            let fast = headline(body.as_bytes());
            let shown: String = body.chars().take(80).collect();
            assert_eq!(fast, full, "headline differs for {shown}");
        }
        let seed = headline(REUSABLE_PERSONA.as_bytes()).expect("seed 000 parses");
        assert_eq!(
            seed.resource_id.as_deref(),
            Some("inq_kT4xVnR2bPmYwL9sTgD3cExZ")
        );
        assert_eq!(seed.created_at.as_deref(), Some("2024-03-15T18:35:01.100Z"));
    }
}
