//! Cases, their comments and messages, and case templates.
//!
//! A case collects data about an end user to investigate and decide on
//! (https://docs.withpersona.com/api-reference/cases). Its statuses are configurable; the
//! older reference names `open` and `resolved`, a resolved case carrying a `resolution` such
//! as "Approved" or "Declined" (https://docs.withpersona.com/v2021-05-14/reference/cases), and
//! `assigner-type` / `assigner-id` say who assigned it (changelog of 2024-02-05,
//! https://docs.withpersona.com/2025-10-27/api-reference/versioning/changelog/2024/2/5). The
//! `case_` prefix is in https://docs.withpersona.com/integration-guide-understanding-a-persona-api-payload.

use serde_json::json;

use super::team::user;
use super::{Ctx, Family, Parts, Types, link, links, none, object, redact};

pub const CASE: Family = Family {
    name: "case",
    resources: &["case"],
    types: Types::Resource,
    prefix: "case",
    source: "https://docs.withpersona.com/api-reference/cases",
    build: case,
};

pub const CASE_COMMENT: Family = Family {
    name: "case comment",
    resources: &["case-comment"],
    types: Types::Resource,
    prefix: "ccmt",
    source: "https://docs.withpersona.com/events",
    build: case_comment,
};

pub const CASE_MESSAGE: Family = Family {
    name: "case message",
    resources: &["case-message"],
    types: Types::Resource,
    prefix: "cmsg",
    source: "https://docs.withpersona.com/events",
    build: case_message,
};

pub const CASE_TEMPLATE: Family = Family {
    name: "case template",
    resources: &["case-template"],
    types: Types::Resource,
    prefix: "ctmpl",
    source: "https://docs.withpersona.com/events",
    build: case_template,
};

fn case(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("resolved", "resolved"),
            ("redacted", "resolved"),
            // Assumed: a custom intermediate status (the docs' "intermediate" status type).
            ("status-updated", "in_review"),
        ],
        "open",
    );
    let resolution = if status == "resolved" {
        json!(*ctx.story("resolution").pick(&["Approved", "Declined"]))
    } else {
        json!(null)
    };
    let assigned = ctx.action != "created";
    let reviewer = ctx.related("assignee", "user");
    let tags: Vec<&str> = if ctx.action == "updated-tags" {
        vec!["sample-tag"]
    } else {
        Vec::new()
    };
    let mut attributes = json!({
        "status": status,
        "name": "Sample review case",
        "resolution": resolution,
        "created-at": ctx.minutes_ago(60 * 4),
        "updated-at": ctx.now(),
        "assigned-at": ctx.when(assigned, 60 * 3),
        "resolved-at": ctx.when(status == "resolved", 0),
        "redacted-at": null,
        "sla-expires-at": ctx.minutes_ago(if ctx.action == "sla-expired" { 0 } else { -60 * 20 }),
        "assigner-type": if assigned { json!("user") } else { json!(null) },
        "assigner-id": if assigned { json!(ctx.related("assigner", "user")) } else { json!(null) },
        "tags": tags,
        "fields": {},
    });
    if ctx.action == "redacted" {
        redact(ctx, &mut attributes, &["fields"]);
    }
    let inquiry = ctx.related("inquiry", "inq");
    let account = ctx.related("account", "act");
    let mut included = Vec::new();
    if assigned {
        included.push(user(&reviewer));
    }
    Parts {
        attributes,
        relationships: json!({
            "case-template": link("case-template", &ctx.related("case-template", "ctmpl")),
            "assignee": if assigned { link("user", &reviewer) } else { none() },
            "inquiries": links([("inquiry", inquiry.as_str())]),
            "accounts": links([("account", account.as_str())]),
            "reports": links([]),
        }),
        // The assignee comes along; the inquiry, account and template are left out.
        included,
    }
}

fn case_comment(ctx: &mut Ctx) -> Parts {
    let case = ctx.related("case", "case");
    Parts {
        attributes: json!({
            "body": "Documents look consistent (sample comment).",
            "created-at": ctx.now(),
        }),
        relationships: json!({
            "case": link("case", &case),
            "creator": link("user", &ctx.related("creator", "user")),
        }),
        // The case comes along; its author is left out.
        included: vec![object(
            "case",
            &case,
            json!({ "status": "open", "name": "Sample review case" }),
            json!({}),
        )],
    }
}

fn case_message(ctx: &mut Ctx) -> Parts {
    // Assumed: the message says which way it went.
    let (status, direction) = match ctx.action {
        "received" => ("received", "inbound"),
        _ => ("sent", "outbound"),
    };
    Parts {
        attributes: json!({
            "status": status,
            "direction": direction,
            "body": "Please upload a clearer photo of your ID (sample message).",
            "created-at": ctx.now(),
        }),
        relationships: json!({ "case": link("case", &ctx.related("case", "case")) }),
        included: Vec::new(),
    }
}

fn case_template(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({
            "name": "Sample review template",
            "created-at": ctx.minutes_ago(60 * 24 * 90),
            "updated-at": ctx.now(),
        }),
        relationships: json!({}),
        included: Vec::new(),
    }
}
