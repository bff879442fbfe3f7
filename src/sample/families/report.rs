//! Reports, all 46 types: one shape, with extras per kind of report.
//!
//! A report is `pending` while processed, then `ready` or `errored`
//! (https://docs.withpersona.com/2026-09-29/api-reference/reports). Its webhooks carry "the
//! polymorphic report object", typed `report/<kind>`; `*.matched` is "sent when … has-match
//! becomes true" (https://docs.withpersona.com/api-reference/webhooks/report-events/webhook-report-watchlist-matched),
//! `*.dismissed` when a reviewer dismisses a surfaced match
//! (https://docs.withpersona.com/2025-12-08/api-reference/webhooks/report-events/webhook-report-watchlist-dismissed.md),
//! and `report/screening.reviewed` carries `matched-records[].review-status`
//! (https://docs.withpersona.com/2020-05-18/api-reference/webhooks/report-events/webhook-report-screening-reviewed).
//! The `rep_` prefix is in https://docs.withpersona.com/reports-cookbook. The other extras'
//! names (`matched-lists`, `risk-score`, `business-name`, …) are assumed.

use serde_json::{Value, json};

use super::{Ctx, Family, Parts, Types, link, object};
use crate::catalog;

pub const REPORT: Family = Family {
    name: "report",
    resources: &["report/"],
    types: Types::Resource,
    prefix: "rep",
    source: "https://docs.withpersona.com/2026-09-29/api-reference/reports",
    build: report,
};

fn report(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(&[("submitted", "pending"), ("errored", "errored")], "ready");
    let kind = ctx.kind.strip_prefix("report/").unwrap_or(ctx.kind);
    let person = ctx.person();
    let mut attributes = json!({
        "status": status,
        "created-at": ctx.minutes_ago(10),
        "completed-at": ctx.when(status == "ready", 0),
        "redacted-at": null,
        "tags": [],
    });
    let mut extras: Vec<(&str, Value)> = Vec::new();
    // Reports that screen against lists are those that can match.
    if catalog::lookup(&format!("{}.matched", ctx.kind)).is_some() {
        let has_match = matches!(ctx.action, "matched" | "reviewed");
        extras.push(("has-match", json!(has_match)));
        extras.push(("matched-lists", matched_lists(has_match)));
        if kind == "screening" {
            extras.push(("matched-records", matched_records(ctx)));
        }
    }
    match kind {
        "phone-number" => {
            extras.push(("phone-number", json!(person.phone)));
            extras.push(("risk-score", json!(ctx.rng().below(100))));
        }
        "email-address" => {
            extras.push(("email-address", json!(person.email)));
            extras.push(("risk-score", json!(ctx.rng().below(100))));
        }
        "address-lookup" => {
            extras.push(("address-street-1", json!("123 Example Street")));
            extras.push(("address-city", json!("Sampletown")));
            extras.push(("address-postal-code", json!("00000")));
        }
        k if k.contains("business") || BUSINESS.contains(&k) => {
            extras.push(("business-name", json!("Example Widgets LLC (sample)")));
        }
        k if CRYPTO.contains(&k) => {
            extras.push((
                "crypto-address",
                json!("0x0000000000000000000000000000000000000000"),
            ));
        }
        _ => {}
    }
    if let Some(map) = attributes.as_object_mut() {
        for (key, value) in extras {
            map.insert(key.to_string(), value);
        }
    }
    let account = ctx.related("account", "act");
    Parts {
        attributes,
        relationships: json!({
            "inquiry": link("inquiry", &ctx.related("inquiry", "inq")),
            "account": link("account", &account),
            "report-template": link("report-template", &ctx.related("template", "rptp")),
        }),
        // The account comes along; the inquiry and the template are left out.
        included: vec![object(
            "account",
            &account,
            json!({ "reference-id": person.reference_id, "tags": [] }),
            json!({}),
        )],
    }
}

/// Business reports whose names do not say "business".
const BUSINESS: &[&str] = &[
    "better-business-bureau",
    "clearbit-business-lookup",
    "kyckr-business-lookup",
    "middesk",
    "finra-broker-check",
    "sec-action-lookup",
    "nces",
];

const CRYPTO: &[&str] = &[
    "chainalysis-address-screening",
    "coinbase-check-crypto-risk",
    "crypto-address-watchlist",
    "trm-wallet-screening",
];

fn matched_lists(has_match: bool) -> Value {
    if has_match {
        json!([{ "name": "Sample Sanctions List (not a real list)", "match-count": 1 }])
    } else {
        json!([])
    }
}

/// A screening report's matches; `reviewed` shows a reviewer's decision on one.
fn matched_records(ctx: &Ctx) -> Value {
    let review_status = match ctx.action {
        "reviewed" => json!("dismissed"),
        "matched" => json!("pending"),
        _ => return json!([]),
    };
    json!([{
        "record-token": format!("rec_{}", ctx.story("record").id()),
        "name": "Sample Matched Name",
        "review-status": review_status,
    }])
}
