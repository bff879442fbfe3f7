//! Transactions and transaction types.
//!
//! A transaction records one significant interaction (onboarding, a loan application) with
//! custom fields and custom statuses (https://docs.withpersona.com/2026-09-29/api-reference/transactions,
//! https://docs.withpersona.com/transaction-types). It starts `created`; `transaction.status-updated`
//! fires on any status change, e.g. to a custom `completed`
//! (https://docs.withpersona.com/2020-05-18/transaction-api-first-lifecycle). The `txn_`
//! prefix is in https://docs.withpersona.com/integration-guide-understanding-a-persona-api-payload.

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, links, object, redact};

pub const TRANSACTION: Family = Family {
    name: "transaction",
    resources: &["transaction"],
    types: Types::Resource,
    prefix: "txn",
    source: "https://docs.withpersona.com/2020-05-18/transaction-api-first-lifecycle",
    build: transaction,
};

pub const TRANSACTION_TYPE: Family = Family {
    name: "transaction type",
    resources: &["transaction-type"],
    types: Types::Resource,
    prefix: "txntp",
    source: "https://docs.withpersona.com/transaction-types",
    build: transaction_type,
};

fn transaction(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[("status-updated", "completed"), ("redacted", "completed")],
        "created",
    );
    let person = ctx.person();
    let amount = 10 + ctx.story("amount").below(990);
    let tags: Vec<&str> = if ctx.action == "labeled" {
        vec!["sample-label"]
    } else {
        Vec::new()
    };
    let mut attributes = json!({
        "status": status,
        "reference-id": person.reference_id,
        "created-at": ctx.minutes_ago(45),
        "updated-at": ctx.now(),
        "redacted-at": null,
        "tags": tags,
        "fields": {
            "sample-amount": { "type": "float", "value": amount as f64 + 0.99 },
            "email-address": { "type": "string", "value": person.email },
        },
    });
    if ctx.action == "redacted" {
        redact(ctx, &mut attributes, &["reference-id", "fields"]);
    }
    let account = ctx.related("account", "act");
    let inquiry = ctx.related("inquiry", "inq");
    let inquiries = if ctx.action == "added-relation" {
        vec![("inquiry", inquiry.as_str())]
    } else {
        Vec::new()
    };
    Parts {
        attributes,
        relationships: json!({
            "transaction-type": link("transaction-type", &ctx.related("type", "txntp")),
            "account": link("account", &account),
            "inquiries": links(inquiries),
            "verifications": links([]),
        }),
        // The account comes along; the type and any inquiry are left out.
        included: vec![object(
            "account",
            &account,
            json!({ "reference-id": person.reference_id, "tags": [] }),
            json!({}),
        )],
    }
}

fn transaction_type(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({
            "name": "Sample onboarding",
            "created-at": ctx.minutes_ago(60 * 24 * 90),
            "updated-at": ctx.now(),
        }),
        relationships: json!({}),
        included: Vec::new(),
    }
}
