//! The fast path of reading a delivery: only the envelope fields the store indexes.

use std::fmt;

use serde_json::{Map, Value};

use super::{event_from_value, parse};
use crate::model::{Headline, ParseError};

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
