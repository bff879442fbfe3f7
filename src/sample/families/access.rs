//! An end user coming back: authentications, checkpoints and sessions.
//!
//! Persona's Events page (https://docs.withpersona.com/events) names these events and when
//! they occur; no page found shows their objects, so the prefixes, statuses and attributes are
//! assumed, the statuses named after the events (see `docs/samples.md`).

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, object, redact};

pub const AUTHENTICATION: Family = Family {
    name: "authentication",
    resources: &["authentication"],
    types: Types::Resource,
    prefix: "authn",
    source: "https://docs.withpersona.com/events",
    build: authentication,
};

pub const CHECKPOINT: Family = Family {
    name: "checkpoint",
    resources: &["checkpoint"],
    types: Types::Resource,
    prefix: "ckpt",
    source: "https://docs.withpersona.com/events",
    build: checkpoint,
};

pub const SESSION: Family = Family {
    name: "session",
    resources: &["session"],
    types: Types::Resource,
    prefix: "sess",
    source: "https://docs.withpersona.com/events",
    build: session,
};

fn authentication(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("created", "created"),
            ("expired", "expired"),
            ("failed", "failed"),
        ],
        "completed",
    );
    let person = ctx.person();
    let mut attributes = json!({
        "status": status,
        "created-at": ctx.minutes_ago(3),
        "completed-at": ctx.when(status == "completed", 0),
        "redacted-at": null,
        "ip-address": person.ip,
    });
    if ctx.action == "redacted" {
        redact(ctx, &mut attributes, &["ip-address"]);
    }
    let account = ctx.related("account", "act");
    Parts {
        attributes,
        relationships: json!({ "account": link("account", &account) }),
        included: vec![object(
            "account",
            &account,
            json!({ "reference-id": person.reference_id, "tags": [] }),
            json!({}),
        )],
    }
}

fn checkpoint(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("created", "created"),
            ("started", "pending"),
            ("expired", "expired"),
            ("failed", "failed"),
        ],
        "completed",
    );
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(10),
            "completed-at": ctx.when(status == "completed", 0),
            "reused-persona": ctx.action == "reusable-persona-used",
        }),
        relationships: json!({
            "account": link("account", &ctx.related("account", "act")),
            "inquiry": link("inquiry", &ctx.related("inquiry", "inq")),
        }),
        included: Vec::new(),
    }
}

fn session(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(&[("expired", "expired")], "active");
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(60),
            "expires-at": ctx.minutes_ago(if status == "expired" { 0 } else { -60 }),
            "ip-address": ctx.person().ip,
        }),
        relationships: json!({ "account": link("account", &ctx.related("account", "act")) }),
        included: Vec::new(),
    }
}
