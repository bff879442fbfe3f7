//! Accounts and account types.
//!
//! An account maps to one end user of the customer's own system, known by its `reference-id`
//! (https://docs.withpersona.com/accounts-cookbook); its object is the one the Accounts API
//! returns (https://docs.withpersona.com/api-reference/accounts/retrieve-an-account). The `act_`
//! prefix is the one Persona's docs use in their examples (e.g.
//! https://docs.withpersona.com/running-graph-queries). The account's `status` values are
//! assumed: the pages found do not list them.

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, links, object, redact};

pub const ACCOUNT: Family = Family {
    name: "account",
    resources: &["account"],
    types: Types::Resource,
    prefix: "act",
    source: "https://docs.withpersona.com/api-reference/accounts/retrieve-an-account",
    build: account,
};

pub const ACCOUNT_TYPE: Family = Family {
    name: "account type",
    resources: &["account-type"],
    types: Types::Resource,
    prefix: "acttp",
    source: "https://docs.withpersona.com/events",
    build: account_type,
};

fn account(ctx: &mut Ctx) -> Parts {
    let person = ctx.person();
    let status = ctx.status(&[("archived", "archived")], "active");
    let tags: Vec<&str> = match ctx.action {
        "tag-added" | "updated-tags" => vec!["sample-tag"],
        _ => Vec::new(),
    };
    let mut fields = person.fields();
    if ctx.action == "updated-fields"
        && let Some(email) = fields.pointer_mut("/email-address/value")
    {
        *email = json!(format!("updated.{}", person.email));
    }
    let mut attributes = json!({
        "status": status,
        "reference-id": person.reference_id,
        "created-at": ctx.minutes_ago(60 * 24 * 30),
        "updated-at": ctx.now(),
        "redacted-at": null,
        "tags": tags,
        "fields": fields,
    });
    if ctx.action == "redacted" {
        redact(ctx, &mut attributes, &["reference-id", "fields"]);
    }
    let account_type = ctx.related("account-type", "acttp");
    let inquiry = ctx.related("inquiry", "inq");
    Parts {
        attributes,
        relationships: json!({
            "account-type": link("account-type", &account_type),
            "inquiries": links([("inquiry", inquiry.as_str())]),
        }),
        // The account type comes along; the inquiries are left out.
        included: vec![object(
            "account-type",
            &account_type,
            json!({ "name": "Sample person", "created-at": ctx.minutes_ago(60 * 24 * 365) }),
            json!({}),
        )],
    }
}

fn account_type(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({
            "name": "Sample person",
            "created-at": ctx.minutes_ago(60 * 24 * 365),
            "updated-at": ctx.now(),
        }),
        relationships: json!({}),
        included: Vec::new(),
    }
}
