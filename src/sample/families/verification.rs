//! Verifications: one check of one identity claim, typed by what it checks.
//!
//! Statuses from the Verification Lifecycle (https://docs.withpersona.com/verification-lifecycle):
//! `initiated`, `submitted`, then `passed`, `failed`, `requires_retry` or `skipped`. The types are
//! those of https://docs.withpersona.com/2020-05-18/verification-types; government ID
//! verifications carry an `id-class` (https://docs.withpersona.com/reference/government-id-verifications).
//! The `ver_` prefix is in https://docs.withpersona.com/integration-guide-understanding-a-persona-api-payload.

use serde_json::{Value, json};

use super::{Ctx, Family, Parts, Person, Types, checks, link, object};

pub const VERIFICATION: Family = Family {
    name: "verification",
    resources: &["verification"],
    types: Types::OneOf(&[
        "verification/government-id",
        "verification/selfie",
        "verification/database",
        "verification/document",
        "verification/phone-number",
        "verification/email-address",
    ]),
    prefix: "ver",
    source: "https://docs.withpersona.com/verification-lifecycle",
    build: verification,
};

const STATUSES: &[(&str, &str)] = &[
    ("created", "initiated"),
    ("submitted", "submitted"),
    // Assumed: a tentative result or an escalation leaves the verification submitted, its
    // checks already run.
    ("tentatively-passed", "submitted"),
    ("tentatively-failed", "submitted"),
    ("escalated", "submitted"),
    ("passed", "passed"),
    ("failed", "failed"),
    ("requires-retry", "requires_retry"),
    // Assumed: the lifecycle page does not list `canceled`.
    ("canceled", "canceled"),
    ("skipped", "skipped"),
];

fn verification(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(STATUSES, "passed");
    let submitted = status != "initiated";
    let decided = matches!(status, "passed" | "failed" | "requires_retry" | "skipped");
    // Whether the checks came out well, once they ran.
    let outcome = match ctx.action {
        "failed" | "tentatively-failed" | "requires-retry" => Some(false),
        "created" | "submitted" | "canceled" | "skipped" => None,
        _ => Some(true),
    };
    let person = ctx.person();
    let tags: Vec<&str> = if ctx.action == "updated-tags" {
        vec!["sample-tag"]
    } else {
        Vec::new()
    };
    let mut attributes = json!({
        "status": status,
        "created-at": ctx.minutes_ago(20),
        "submitted-at": ctx.when(submitted, 15),
        "completed-at": ctx.when(decided, 0),
        "country-code": "US",
        "tags": tags,
        "checks": checks::checks(ctx, outcome),
    });
    if let Some(map) = attributes.as_object_mut() {
        for (key, value) in extras(ctx.kind, &person) {
            map.insert(key.to_string(), value);
        }
    }
    let inquiry = ctx.related("inquiry", "inq");
    Parts {
        attributes,
        relationships: json!({
            "inquiry": link("inquiry", &inquiry),
            "verification-template": link("verification-template", &ctx.related("template", "vtmpl")),
        }),
        // The inquiry comes along; the template is left out.
        included: vec![object(
            "inquiry",
            &inquiry,
            json!({ "status": "pending", "reference-id": person.reference_id }),
            json!({}),
        )],
    }
}

/// The claims each type checks.
fn extras(kind: &str, person: &Person) -> Vec<(&'static str, Value)> {
    match kind {
        "verification/government-id" => vec![
            ("id-class", json!("dl")),
            ("name-first", json!(person.first)),
            ("name-last", json!(person.last)),
            ("birthdate", json!(person.birthdate)),
        ],
        "verification/database" => vec![
            ("name-first", json!(person.first)),
            ("name-last", json!(person.last)),
            ("birthdate", json!(person.birthdate)),
        ],
        "verification/phone-number" => vec![("phone-number", json!(person.phone))],
        "verification/email-address" => vec![("email-address", json!(person.email))],
        _ => Vec::new(),
    }
}
