//! Documents and selfies: what an end user uploads, processed by Persona.
//!
//! A document is `initiated`, `submitted`, then `processed` or `errored`
//! (https://docs.withpersona.com/api-reference/documents); its types are those with their own
//! "Retrieve" page (`document/government-id`, `document/generic`, see `catalog/api_paths.tsv`).
//! Persona's pages found do not show a document's or a selfie's id prefix, a selfie's statuses
//! or its types: those are assumed, modelled on documents.

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link};

pub const DOCUMENT: Family = Family {
    name: "document",
    resources: &["document"],
    types: Types::OneOf(&["document/government-id", "document/generic"]),
    prefix: "doc",
    source: "https://docs.withpersona.com/api-reference/documents",
    build: document,
};

pub const SELFIE: Family = Family {
    name: "selfie",
    resources: &["selfie"],
    types: Types::OneOf(&["selfie/profile-and-center", "selfie/center-only"]),
    prefix: "self",
    source: "https://docs.withpersona.com/api-reference/webhooks/selfie-events/webhook-selfie-processed",
    build: selfie,
};

const STATUSES: &[(&str, &str)] = &[
    ("created", "initiated"),
    ("submitted", "submitted"),
    // Assumed: waiting for processing is still `submitted`; extraction is part of processing.
    ("pending", "submitted"),
    ("extracted", "processed"),
    ("processed", "processed"),
    ("errored", "errored"),
];

fn document(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(STATUSES, "processed");
    let processed = status == "processed";
    let mut attributes = json!({
        "status": status,
        "created-at": ctx.minutes_ago(15),
        "processed-at": ctx.when(processed, 0),
        "files": if status == "initiated" {
            json!([])
        } else {
            json!([{ "filename": "sample-front.jpg", "byte-size": 123_456 }])
        },
    });
    // What Persona read off a government ID, once processed.
    if ctx.kind == "document/government-id"
        && let Some(map) = attributes.as_object_mut()
    {
        let person = ctx.person();
        map.insert("id-class".into(), json!("dl"));
        map.insert(
            "name-first".into(),
            json!(processed.then_some(person.first)),
        );
        map.insert("name-last".into(), json!(processed.then_some(person.last)));
        map.insert(
            "birthdate".into(),
            json!(processed.then_some(person.birthdate)),
        );
    }
    Parts {
        attributes,
        relationships: json!({ "inquiry": link("inquiry", &ctx.related("inquiry", "inq")) }),
        included: Vec::new(),
    }
}

fn selfie(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(STATUSES, "processed");
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(12),
            "processed-at": ctx.when(status == "processed", 0),
        }),
        relationships: json!({ "inquiry": link("inquiry", &ctx.related("inquiry", "inq")) }),
        included: Vec::new(),
    }
}
