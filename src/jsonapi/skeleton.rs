//! The envelope without the resources' attributes, for a caller that shows a delivery's
//! structure and not its attributes (the window, which reads them from its own parse of the
//! body). A full `Value` of a 5 MB body allocates for every string and object in every included
//! resource's attributes, and most of the time of reading one went to allocating and freeing
//! them; here each resource keeps only its `status` attribute and the rest is skipped as it is
//! read (still checked to be JSON).

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Event, event_from_value};
use crate::model::ParseError;

/// Like [`super::parse`], but every resource's attributes hold only `status` (when they are an
/// object; anything else is kept, so the notes about it are the same).
pub fn parse_skeleton(body: &[u8]) -> Result<Event, ParseError> {
    if body.is_empty() {
        return super::parse(body);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = Pruned(At::Document).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(event_from_value(&value))
}

/// Where a value sits, as far as what `event_from_value` reads of it.
#[derive(Clone, Copy, PartialEq)]
enum At {
    /// Kept whole.
    Whole,
    /// The document: `data` is the event.
    Document,
    /// `data`: its `attributes` hold the payload.
    Event,
    /// `data.attributes`: `payload` holds the resources.
    EventAttributes,
    /// `payload`: `data` is a resource, `included` a list of them; nothing else is read.
    Payload,
    /// `payload.included`.
    Included,
    /// A resource: its `attributes` are pruned.
    Resource,
    /// A resource's attributes: only `status` is read.
    Attributes,
}

impl At {
    /// Where member `key` of an object here sits; None: skipped.
    fn member(self, key: &str) -> Option<At> {
        match (self, key) {
            (At::Document, "data") => Some(At::Event),
            (At::Event, "attributes") => Some(At::EventAttributes),
            (At::EventAttributes, "payload") => Some(At::Payload),
            (At::Payload, "data") => Some(At::Resource),
            (At::Payload, "included") => Some(At::Included),
            (At::Payload, _) => None,
            (At::Resource, "attributes") => Some(At::Attributes),
            (At::Attributes, "status") => Some(At::Whole),
            (At::Attributes, _) => None,
            _ => Some(At::Whole),
        }
    }

    /// Where an element of an array here sits.
    fn element(self) -> At {
        match self {
            At::Included => At::Resource,
            _ => At::Whole,
        }
    }
}

struct Pruned(At);

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            At::Whole => serde::Deserialize::deserialize(deserializer),
            at => deserializer.deserialize_any(PrunedVisitor(at)),
        }
    }
}

struct PrunedVisitor(At);

impl<'de> Visitor<'de> for PrunedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Pruned(self.0.element()))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match self.0.member(&key) {
                Some(at) => {
                    // A repeated key replaces the earlier value, as in a full parse.
                    members.insert(key, map.next_value_seed(Pruned(at))?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `event` with each resource's attributes cut down to `status`, as `parse_skeleton` reads.
    fn without_attributes(mut event: Event) -> Event {
        let keep_status = |attributes: &mut Value| {
            if let Value::Object(map) = attributes {
                map.retain(|k, _| k == "status");
            }
        };
        for r in event.resource.iter_mut().chain(event.included.iter_mut()) {
            keep_status(&mut r.attributes);
        }
        event
    }

    #[test]
    fn the_skeleton_is_the_full_parse_without_the_attributes() {
        let bodies: &[&[u8]] = &[
            include_bytes!("../../tests/fixtures/docs-example.json"),
            include_bytes!("../../tests/fixtures/inquiry-reusable-persona-created.json"),
            br#"{"data":{"type":"evnt","id":7,"attributes":{"name":"x","payload":{
                "data":{"type":"inquiry","id":"inq_1","attributes":"odd","relationships":{
                  "a":{"data":[{"type":"t","id":"1"},{"type":"t","id":"1"},3]},"b":5}},
                "included":[{"type":"t","id":"1","attributes":{"status":"x","status":"y","n":[1,{"deep":true}]}},
                  {"type":"t","id":"1"},"str",null,{"attributes":[1]}],
                "other":{"big":[1,2,3]}}},"extra":1},"more":[{"a":1}]}"#,
            br#"{"data":{"attributes":{"payload":{"included":{"not":"a list"}}}}}"#,
            br#"[1,2]"#,
            br#"{"data":{"attributes":{"payload":{"data":null,"included":[1.5e300,-0,18446744073709551615]}}}}"#,
        ];
        for body in bodies {
            let full = super::super::parse(body).expect("parses");
            let skeleton = parse_skeleton(body).expect("parses");
            assert_eq!(
                skeleton,
                without_attributes(full),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn bad_json_fails_as_the_full_parse_does() {
        let nested = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let bad: &[&[u8]] = &[
            b"",
            b"{",
            br#"{"data":{"attributes":{"payload":{"included":[{"attributes":{"x":tru}}]}}}}"#,
            br#"{"data":1} trailing"#,
            nested.as_bytes(),
        ];
        for body in bad {
            let full = super::super::parse(body).expect_err("not JSON");
            let skeleton = parse_skeleton(body).expect_err("not JSON");
            assert_eq!(skeleton, full, "{}", String::from_utf8_lossy(body));
        }
    }
}
