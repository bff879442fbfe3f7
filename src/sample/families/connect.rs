//! Connect share tokens: one organization sharing an end user's data with another.
//!
//! The object, its `cnst_` id, `status` (`created`), `direction`, timestamps and its
//! `connection` (`connect/connection`, `cxn_`), `creator` (a `user`) and `source` (an inquiry)
//! follow https://docs.withpersona.com/2025-12-08/creating-share-tokens. Redemption answers
//! `pending` first (https://docs.withpersona.com/api-reference/connect/share-tokens/redeem-share-token);
//! the statuses after it (`redeemed`, `ready`) are assumed.

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, none, object};

pub const SHARE_TOKEN: Family = Family {
    name: "connect share token",
    resources: &["connect/share-token"],
    types: Types::Resource,
    prefix: "cnst",
    source: "https://docs.withpersona.com/2025-12-08/creating-share-tokens",
    build: share_token,
};

fn share_token(ctx: &mut Ctx) -> Parts {
    let status = match ctx.action {
        "outbound-created" | "inbound-created" => "created",
        "ready" => "ready",
        _ => "redeemed",
    };
    let direction = match ctx.action.split_once('-') {
        Some(("inbound", _)) => "inbound",
        Some(("outbound", _)) => "outbound",
        _ => *ctx.story("direction").pick(&["inbound", "outbound"]),
    };
    let redeemed = status == "redeemed";
    let source = ctx.related("source", "inq");
    let destination = ctx.related("destination", "inq");
    // The source organization sees its own inquiry; the destination sees the one it ran.
    let included = if direction == "outbound" {
        vec![object(
            "inquiry",
            &source,
            json!({ "status": "approved" }),
            json!({}),
        )]
    } else {
        Vec::new()
    };
    Parts {
        attributes: json!({
            "status": status,
            "direction": direction,
            "created-at": ctx.minutes_ago(20),
            "updated-at": ctx.now(),
            "pending-at": ctx.when(redeemed, 5),
            "redeemed-at": ctx.when(redeemed, 0),
        }),
        relationships: json!({
            "connection": link("connect/connection", &ctx.related("connection", "cxn")),
            "creator": link("user", &ctx.related("creator", "user")),
            "source": link("inquiry", &source),
            "destination": if redeemed && direction == "inbound" {
                link("inquiry", &destination)
            } else {
                none()
            },
        }),
        included,
    }
}
