//! Inquiries, their sessions and their template versions.
//!
//! The shape follows Persona's own payload example for `inquiry.reusable-persona-created`
//! (https://docs.withpersona.com/api-reference/webhooks/inquiry-events/webhook-inquiry-reusable-persona-created):
//! the `fields` block, the relationships (`template` empty, `inquiry-template`, `reviewer` a
//! workflow run, `sessions`, `verifications`), and the `iqse_`, `itmpl_`, `itmplv_`, `wfr_` ids.
//! The statuses are those of the Inquiry Model Lifecycle (https://docs.withpersona.com/model-lifecycle).

use serde_json::{Value, json};

use super::{Ctx, Family, Parts, Types, link, links, none, object, redact};

pub const INQUIRY: Family = Family {
    name: "inquiry",
    resources: &["inquiry"],
    types: Types::Resource,
    prefix: "inq",
    source: "https://docs.withpersona.com/model-lifecycle",
    build: inquiry,
};

pub const INQUIRY_SESSION: Family = Family {
    name: "inquiry session",
    resources: &["inquiry-session"],
    types: Types::Resource,
    prefix: "iqse",
    source: "https://docs.withpersona.com/api-reference/webhooks/inquiry-events/webhook-inquiry-reusable-persona-created",
    build: inquiry_session,
};

pub const INQUIRY_TEMPLATE_VERSION: Family = Family {
    name: "inquiry template version",
    resources: &["inquiry-template-version"],
    types: Types::Resource,
    prefix: "itmplv",
    source: "https://docs.withpersona.com/api-reference/webhooks/inquiry-events/webhook-inquiry-reusable-persona-created",
    build: inquiry_template_version,
};

/// Inquiry event → status, per the lifecycle page; the `reusable-persona-*` events carry the
/// inquiry "in its terminal status" (their webhook pages), here `approved`.
const STATUSES: &[(&str, &str)] = &[
    ("created", "created"),
    ("started", "pending"),
    // Assumed: a transition between flow steps happens while the inquiry is pending.
    ("transitioned", "pending"),
    ("expired", "expired"),
    ("completed", "completed"),
    ("failed", "failed"),
    ("marked-for-review", "needs_review"),
    ("approved", "approved"),
    ("declined", "declined"),
    // Assumed: an assurance failure leaves the inquiry failed.
    ("reusable-persona-assurance-failed", "failed"),
];

fn inquiry(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(STATUSES, "approved");
    let person = ctx.person();
    let started = status != "created";
    let finished = !matches!(status, "created" | "pending");
    let decided = matches!(status, "approved" | "declined" | "needs_review");
    let account = ctx.related("account", "act");
    let template = ctx.related("inquiry-template", "itmpl");
    let version = ctx.related("inquiry-template-version", "itmplv");
    let session = ctx.related("session", "iqse");
    let government_id = ctx.related("verification/government-id", "ver");
    let selfie = ctx.related("verification/selfie", "ver");
    let reviewer = ctx.related("reviewer", "wfr");

    let tags: Vec<&str> = if ctx.action == "updated-tags" {
        vec!["sample-tag", "manual-review-done"]
    } else {
        Vec::new()
    };
    let (previous_step, next_step) = match status {
        "created" => (Value::Null, json!("start")),
        "pending" => (json!("start"), json!("verification_government_id")),
        "failed" | "expired" => (json!("verification_government_id"), json!("fail")),
        _ => (json!("verification_selfie"), json!("success")),
    };
    let mut attributes = json!({
        "status": status,
        "reference-id": person.reference_id,
        "note": null,
        "behaviors": {},
        "tags": tags,
        "creator": "sample-api@example.com",
        "reviewer-comment": null,
        "created-at": ctx.minutes_ago(30),
        "updated-at": ctx.now(),
        "started-at": ctx.when(started, 25),
        "completed-at": ctx.when(status == "completed" || decided, 5),
        "failed-at": ctx.when(status == "failed", 5),
        "decisioned-at": ctx.when(decided, 0),
        "expired-at": ctx.when(status == "expired", 0),
        "redacted-at": null,
        "previous-step-name": previous_step,
        "next-step-name": next_step,
        "name-first": person.first,
        "name-middle": null,
        "name-last": person.last,
        "birthdate": person.birthdate,
        "fields": person.fields(),
    });
    if ctx.action == "redacted" {
        redact(
            ctx,
            &mut attributes,
            &["name-first", "name-last", "birthdate", "fields"],
        );
    }
    let mut verifications = Vec::new();
    if started {
        verifications.push(("verification/government-id", government_id.as_str()));
    }
    if finished {
        verifications.push(("verification/selfie", selfie.as_str()));
    }
    let sessions = if started {
        vec![("inquiry-session", session.as_str())]
    } else {
        Vec::new()
    };
    let relationships = json!({
        "account": link("account", &account),
        "template": {},
        "inquiry-template": link("inquiry-template", &template),
        "inquiry-template-version": link("inquiry-template-version", &version),
        "reviewer": if decided { link("workflow-run", &reviewer) } else { none() },
        "reports": links([]),
        "verifications": links(verifications),
        "sessions": links(sessions),
        "documents": links([]),
        "selfies": links([]),
        "transaction": none(),
    });
    // Like an Included Allowlist naming the account and the sessions: the template, the
    // verifications and the reviewer are left out.
    let mut included = vec![object(
        "account",
        &account,
        json!({
            "reference-id": person.reference_id,
            "created-at": ctx.minutes_ago(60 * 24),
            "updated-at": ctx.minutes_ago(30),
            "tags": [],
        }),
        json!({}),
    )];
    if started {
        let session_status = if status == "expired" {
            "expired"
        } else {
            "active"
        };
        included.push(object(
            "inquiry-session",
            &session,
            session_attributes(ctx, session_status),
            json!({ "inquiry": ctx.back() }),
        ));
    }
    Parts {
        attributes,
        relationships,
        included,
    }
}

/// An inquiry session's attributes, as in Persona's example payload.
fn session_attributes(ctx: &Ctx, status: &str) -> Value {
    let person = ctx.person();
    json!({
        "status": status,
        "created-at": ctx.minutes_ago(25),
        "started-at": ctx.minutes_ago(25),
        "expired-at": ctx.when(status == "expired", 0),
        "ip-address": person.ip,
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) SampleBrowser/1.0",
        "os-name": "Linux",
        "device-type": "desktop",
        "browser-name": "SampleBrowser",
        "is-proxy": false,
        "is-tor": false,
        "is-datacenter": false,
        "is-vpn": false,
        "threat-level": "low",
        "country-code": "US",
    })
}

fn inquiry_session(ctx: &mut Ctx) -> Parts {
    // Assumed: `active` while running and `canceled`; the docs' example shows `expired`.
    let status = ctx.status(
        &[("expired", "expired"), ("canceled", "canceled")],
        "active",
    );
    Parts {
        attributes: session_attributes(ctx, status),
        relationships: json!({ "inquiry": link("inquiry", &ctx.related("inquiry", "inq")) }),
        included: Vec::new(),
    }
}

fn inquiry_template_version(ctx: &mut Ctx) -> Parts {
    // `published` as in the docs' example; assumed: `draft` before.
    let status = ctx.status(&[("published", "published")], "draft");
    let template = ctx.related("inquiry-template", "itmpl");
    Parts {
        attributes: json!({
            "name-display": "Sample KYC flow",
            "status": status,
            "created-at": ctx.minutes_ago(120),
            "published-at": ctx.when(status == "published", 0),
        }),
        relationships: json!({ "inquiry-template": link("inquiry-template", &template) }),
        included: vec![object(
            "inquiry-template",
            &template,
            json!({ "name": "Sample KYC template", "status": "active" }),
            json!({
                "latest-published-version": if status == "published" { ctx.back() } else { none() },
            }),
        )],
    }
}
