//! Regulatory filings and Suspicious Activity Reports (SARs), filed from a case.
//!
//! Persona's Events page (https://docs.withpersona.com/events) names these events; no page
//! found shows their objects, so the prefixes, the `draft`/`filed` statuses and the attributes
//! are assumed.

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, links, object};

pub const FILING: Family = Family {
    name: "filing",
    resources: &["filing"],
    types: Types::Resource,
    prefix: "fil",
    source: "https://docs.withpersona.com/events",
    build: filing,
};

pub const SAR: Family = Family {
    name: "SAR",
    resources: &["sar"],
    types: Types::Resource,
    prefix: "sar",
    source: "https://docs.withpersona.com/events",
    build: sar,
};

/// Both are drafted, then filed.
fn timeline(ctx: &Ctx) -> serde_json::Value {
    let status = ctx.status(&[("filed", "filed")], "draft");
    json!({
        "status": status,
        "created-at": ctx.minutes_ago(60 * 24),
        "filed-at": ctx.when(status == "filed", 0),
    })
}

fn filing(ctx: &mut Ctx) -> Parts {
    let attributes = timeline(ctx);
    Parts {
        attributes,
        relationships: json!({ "case": link("case", &ctx.related("case", "case")) }),
        included: Vec::new(),
    }
}

fn sar(ctx: &mut Ctx) -> Parts {
    let attributes = timeline(ctx);
    let case = ctx.related("case", "case");
    let account = ctx.related("account", "act");
    Parts {
        attributes,
        relationships: json!({
            "case": link("case", &case),
            "accounts": links([("account", account.as_str())]),
        }),
        // The case comes along; the accounts are left out.
        included: vec![object(
            "case",
            &case,
            json!({ "status": "resolved", "resolution": "Declined", "name": "Sample review case" }),
            json!({}),
        )],
    }
}
