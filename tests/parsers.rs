//! Property tests of the parsers that read what strangers send: the signature header and the
//! JSON:API envelope. No input panics, and what can be printed back reads back the same. A fixed
//! seed and case count keep each run the same length and the same cases.

mod common;

use common::properties;
use persona_inspector::jsonapi;
use persona_inspector::model::{Headline, Pair, Secret, Status};
use persona_inspector::signature::{self, MAX_V1};
use proptest::prelude::*;
use serde_json::{Map, Value};

const RECEIVED: i64 = 1_720_713_905;

fn secret(label: &str, value: &str) -> Secret {
    Secret {
        label: label.into(),
        value: value.into(),
    }
}

/// Whatever a proxy or a framework may put between two pairs.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_string()),
        Just(", ".to_string()),
        Just(",".to_string()),
        Just(" , ".to_string()),
        Just(";".to_string()),
        Just("\t ".to_string()),
        Just(",  ".to_string()),
    ]
}

/// Header-ish text: the pieces a signature header is made of, in any order and number.
fn header_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("t=".to_string()),
        Just("v1=".to_string()),
        Just("v0=".to_string()),
        Just(",".to_string()),
        Just(" ".to_string()),
        Just(";".to_string()),
        Just("=".to_string()),
        Just("sha256=".to_string()),
        "[0-9]{1,20}",
        "[0-9a-f]{64}",
        "[0-9a-fA-Fxz+/=_-]{0,70}",
        any::<String>(),
    ];
    prop_oneof![
        prop::collection::vec(piece, 0..40).prop_map(|p| p.concat().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..300),
    ]
}

proptest! {
    #![proptest_config(properties(512))]

    #[test]
    fn no_signature_header_panics_or_validates_by_chance(
        header in header_text(),
        body in prop::collection::vec(any::<u8>(), 0..64),
        with_secret in any::<bool>(),
    ) {
        let secrets = if with_secret { vec![secret("current", "wbhsec_researchhub")] } else { vec![] };
        let v = signature::verify(Some(&header), &body, &secrets, RECEIVED, 300);
        prop_assert_ne!(v.status, Status::Valid);
        prop_assert!(v.pairs.len() <= MAX_V1, "{} pairs kept", v.pairs.len());
        prop_assert!(!v.explanation.is_empty() && v.explanation.ends_with('.'), "{}", v.explanation);
    }

    #[test]
    fn what_is_signed_verifies(
        value in "[!-~]{1,40}",
        t in 0i64..10_000_000_000,
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let header = signature::sign(&value, t, &body);
        let v = signature::verify(Some(header.as_bytes()), &body, &[secret("s", &value)], t, 300);
        prop_assert_eq!(v.status, Status::Valid, "{}", v.explanation);
        prop_assert_eq!(v.timestamp, Some(t));
    }

    #[test]
    fn either_rotation_pair_verifies_whatever_joins_them(
        sep in separator(),
        t in 1_000_000_000i64..2_000_000_000,
        body in prop::collection::vec(any::<u8>(), 0..128),
        old_first in any::<bool>(),
    ) {
        let (new, old) = ("wbhsec_new_secret", "wbhsec_old_secret");
        let (a, b) = if old_first { (old, new) } else { (new, old) };
        let header = format!("{}{sep}{}", signature::sign(a, t, &body), signature::sign(b, t - 7, &body));
        for (value, pair) in [(a, 0), (b, 1)] {
            let v = signature::verify(Some(header.as_bytes()), &body, &[secret("s", value)], t, 300);
            prop_assert_eq!(v.status, Status::Valid, "{:?}: {}", header, v.explanation);
            prop_assert_eq!(v.pairs.len(), 2);
            prop_assert_eq!(v.matched.map(|m| m.pair), Some(pair));
        }
    }

    #[test]
    fn printed_pairs_read_back_the_same(
        pairs in prop::collection::vec((0i64..10_000_000_000, "[0-9a-f]{64}"), 1..=MAX_V1),
        sep in separator(),
    ) {
        let header = pairs
            .iter()
            .map(|(t, v1)| format!("t={t},v1={v1}"))
            .collect::<Vec<_>>()
            .join(&sep);
        let v = signature::verify(Some(header.as_bytes()), b"{}", &[], RECEIVED, 300);
        let expected: Vec<Pair> = pairs.into_iter().map(|(t, v1)| Pair { t, v1 }).collect();
        prop_assert_eq!(v.status, Status::Unchecked, "{}", v.explanation);
        prop_assert_eq!(v.pairs, expected);
    }
}

/// Any JSON value, its keys drawn partly from the envelope's own names.
fn json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_.-]{0,12}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("data".to_string()),
            Just("id".to_string()),
            Just("type".to_string()),
            Just("attributes".to_string()),
            Just("payload".to_string()),
            Just("included".to_string()),
            Just("relationships".to_string()),
            Just("name".to_string()),
            Just("status".to_string()),
            Just("created-at".to_string()),
            "[a-zA-Z_-]{1,10}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A typical value for a slot, or any other JSON, or nothing.
fn slot(typical: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![4 => typical.prop_map(Some), 1 => json().prop_map(Some), 1 => Just(None)].boxed()
}

fn object(fields: Vec<(&'static str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = fields
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v?)))
        .collect();
    Value::Object(map)
}

/// Envelopes shaped like Persona's, with any slot missing, mistyped or replaced.
fn envelope() -> BoxedStrategy<Value> {
    let text = || "[a-z0-9_.-]{1,16}".prop_map(Value::from).boxed();
    let created_key = prop_oneof![Just("created-at"), Just("createdAt"), Just("created_at")];
    let resource = (slot(text()), slot(text()), slot(text()), slot(json()))
        .prop_map(|(kind, id, status, rel)| {
            object(vec![
                ("type", kind),
                ("id", id),
                ("attributes", Some(object(vec![("status", status)]))),
                ("relationships", rel),
            ])
        })
        .boxed();
    let included = prop::collection::vec(resource.clone(), 0..3)
        .prop_map(Value::Array)
        .boxed();
    let payload = (slot(resource), slot(included))
        .prop_map(|(data, included)| object(vec![("data", data), ("included", included)]))
        .boxed();
    (
        slot(text()),
        slot(text()),
        created_key,
        slot(text()),
        slot(payload),
    )
        .prop_map(|(id, name, created_key, created, payload)| {
            let attributes = object(vec![
                ("name", name),
                (created_key, created),
                ("payload", payload),
            ]);
            object(vec![(
                "data",
                Some(object(vec![
                    ("type", Some(Value::from("event"))),
                    ("id", id),
                    ("attributes", Some(attributes)),
                ])),
            )])
        })
        .boxed()
}

proptest! {
    #![proptest_config(properties(512))]

    #[test]
    fn no_body_makes_the_envelope_parsers_panic_or_disagree(
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let fast = jsonapi::headline(&body);
        let full = jsonapi::parse(&body).map(Headline::from);
        prop_assert_eq!(fast, full);
    }

    #[test]
    fn any_json_reads_the_same_through_both_parsers(value in json(), pretty in any::<bool>()) {
        let body = if pretty {
            serde_json::to_vec_pretty(&value)
        } else {
            serde_json::to_vec(&value)
        }
        .expect("a Value serializes");
        let fast = jsonapi::headline(&body);
        let full = jsonapi::parse(&body).map(Headline::from);
        prop_assert_eq!(fast, full);
    }

    #[test]
    fn envelopes_read_back_the_fields_they_were_built_with(value in envelope()) {
        let body = serde_json::to_vec(&value).expect("a Value serializes");
        let headline = jsonapi::headline(&body).expect("an object always parses");
        prop_assert_eq!(headline.clone(), jsonapi::parse(&body).map(Headline::from).expect("parses"));
        let data = &value["data"];
        // Non-string values are shown as their JSON text, so only strings are compared here.
        if let Some(id) = data["id"].as_str() {
            prop_assert_eq!(headline.event_id.as_deref(), Some(id));
        }
        if let Some(name) = data["attributes"]["name"].as_str() {
            prop_assert_eq!(headline.event_name.as_deref(), Some(name));
        }
        let resource = &data["attributes"]["payload"]["data"];
        if let (Some(kind), Some(id)) = (resource["type"].as_str(), resource["id"].as_str()) {
            prop_assert_eq!(headline.resource_id.as_deref(), Some(id));
            prop_assert_eq!(headline.resource_type.as_deref(), Some(kind));
        }
    }
}
