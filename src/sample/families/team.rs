//! The customer's own people in Persona's dashboard: users, their notifications, and
//! conversations with Persona's agent.
//!
//! `user_` ids appear in https://docs.withpersona.com/2025-12-08/creating-share-tokens (a
//! share token's creator). For the rest Persona's Events page (https://docs.withpersona.com/events)
//! is the only source found, so prefixes, statuses and attributes are assumed.

use serde_json::{Value, json};

use super::{Ctx, Family, Parts, Types, link, object};
use crate::sample::rng::{self, Rng};

pub const USER: Family = Family {
    name: "user",
    resources: &["user"],
    types: Types::Resource,
    prefix: "user",
    source: "https://docs.withpersona.com/2025-12-08/creating-share-tokens",
    build: dashboard_user,
};

pub const USER_NOTIFICATION: Family = Family {
    name: "user notification",
    resources: &["user-notification"],
    types: Types::Resource,
    prefix: "unot",
    source: "https://docs.withpersona.com/events",
    build: user_notification,
};

pub const AGENT_CONVERSATION: Family = Family {
    name: "agent conversation",
    resources: &["agent-conversation"],
    types: Types::Resource,
    prefix: "agcv",
    source: "https://docs.withpersona.com/events",
    build: agent_conversation,
};

/// A dashboard user (a reviewer), with an obviously fake address fixed by the user's id.
pub fn user(id: &str) -> Value {
    object("user", id, user_attributes(id), json!({}))
}

fn user_attributes(id: &str) -> Value {
    let number = Rng::new(rng::hash(id)).below(100);
    json!({ "email-address": format!("reviewer{number}@example.com"), "name": "Sample Reviewer" })
}

fn dashboard_user(ctx: &mut Ctx) -> Parts {
    let availability = *ctx.rng().pick(&["available", "away"]);
    let mut attributes = user_attributes(&ctx.id);
    if let Some(map) = attributes.as_object_mut() {
        map.insert("availability".into(), json!(availability));
        map.insert("updated-at".into(), json!(ctx.now()));
    }
    Parts {
        attributes,
        relationships: json!({}),
        included: Vec::new(),
    }
}

fn user_notification(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("delivered", "delivered"),
            ("canceled", "canceled"),
            ("retracted", "retracted"),
        ],
        "created",
    );
    let recipient = ctx.related("user", "user");
    Parts {
        attributes: json!({
            "status": status,
            "title": "A case was assigned to you (sample)",
            "created-at": ctx.minutes_ago(1),
            "delivered-at": ctx.when(status == "delivered", 0),
        }),
        relationships: json!({ "user": link("user", &recipient) }),
        included: vec![user(&recipient)],
    }
}

fn agent_conversation(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(&[("errored", "errored")], "active");
    let messages = match ctx.action {
        "created" => 0,
        _ => 1 + ctx.rng().below(6),
    };
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(5),
            "updated-at": ctx.now(),
            "message-count": messages,
        }),
        relationships: json!({ "creator": link("user", &ctx.related("creator", "user")) }),
        included: Vec::new(),
    }
}
