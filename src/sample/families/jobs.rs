//! Work Persona runs in the background: workflows and their runs, graph queries, importer
//! pipeline runs, and the logs of calls to outside integrations.
//!
//! Graph queries follow https://docs.withpersona.com/running-graph-queries (`grphq_` ids, a
//! `submitted` status while processed, `params`, `completed-at`). Workflow runs have `wfr_`
//! ids in Persona's inquiry payload example. For the rest the webhook pages say only that the
//! event exists, so statuses, prefixes and attributes are assumed (see `docs/samples.md`).

use serde_json::json;

use super::{Ctx, Family, Parts, Types, link, none, object};

pub const WORKFLOW: Family = Family {
    name: "workflow",
    resources: &["workflow"],
    types: Types::Resource,
    prefix: "wfl",
    source: "https://docs.withpersona.com/events",
    build: workflow,
};

pub const WORKFLOW_RUN: Family = Family {
    name: "workflow run",
    resources: &["workflow-run"],
    types: Types::Resource,
    prefix: "wfr",
    source: "https://docs.withpersona.com/api-reference/webhooks/workflow-run-events/webhook-workflow-run-errored",
    build: workflow_run,
};

pub const GRAPH_QUERY: Family = Family {
    name: "graph query",
    resources: &["graph-query"],
    types: Types::Resource,
    prefix: "grphq",
    source: "https://docs.withpersona.com/running-graph-queries",
    build: graph_query,
};

pub const IMPORTER_PIPELINE_RUN: Family = Family {
    name: "importer pipeline run",
    resources: &["importer-pipeline-run"],
    types: Types::Resource,
    prefix: "iplr",
    source: "https://docs.withpersona.com/api-reference/webhooks/importer-pipeline-run-events/webhook-importer-pipeline-run-paused",
    build: importer_pipeline_run,
};

pub const INTEGRATION_LOG: Family = Family {
    name: "integration log",
    resources: &["integration-log"],
    types: Types::Resource,
    prefix: "intlog",
    source: "https://docs.withpersona.com/events",
    build: integration_log,
};

fn workflow(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({
            "name": "Sample approval workflow",
            "status": "published",
            "created-at": ctx.minutes_ago(60 * 24 * 7),
            "published-at": ctx.now(),
        }),
        relationships: json!({}),
        included: Vec::new(),
    }
}

fn workflow_run(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(&[("errored", "errored")], "running");
    let workflow = ctx.related("workflow", "wfl");
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(2),
            "updated-at": ctx.now(),
            "completed-at": null,
        }),
        relationships: json!({ "workflow": link("workflow", &workflow) }),
        included: vec![object(
            "workflow",
            &workflow,
            json!({ "name": "Sample approval workflow", "status": "published" }),
            json!({}),
        )],
    }
}

fn graph_query(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("completed", "completed"),
            ("errored", "errored"),
            ("cancelled", "cancelled"),
            ("timed-out", "timed_out"),
        ],
        "submitted",
    );
    Parts {
        attributes: json!({
            "status": status,
            "params": { "account-id": ctx.related("account", "act") },
            "created-at": ctx.minutes_ago(1),
            "completed-at": ctx.when(status == "completed", 0),
        }),
        relationships: json!({
            "graph-query-template": link("graph-query-template", &ctx.related("template", "grphqt")),
        }),
        included: Vec::new(),
    }
}

fn importer_pipeline_run(ctx: &mut Ctx) -> Parts {
    let status = ctx.status(
        &[
            ("completed", "completed"),
            ("errored", "errored"),
            ("canceled", "canceled"),
            ("paused", "paused"),
        ],
        "running",
    );
    let importer = ctx.related("importer", "imp");
    let finished = matches!(status, "completed" | "errored" | "canceled");
    Parts {
        attributes: json!({
            "status": status,
            "created-at": ctx.minutes_ago(30),
            "started-at": ctx.minutes_ago(29),
            "completed-at": ctx.when(finished, 0),
        }),
        relationships: json!({ "importer": link("importer", &importer) }),
        included: vec![object(
            "importer",
            &importer,
            json!({ "name": "Sample accounts import" }),
            json!({}),
        )],
    }
}

fn integration_log(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({
            "created-at": ctx.now(),
            "request-method": "POST",
            "request-url": "https://integration.example.com/sample",
            "response-status": 200,
            "duration-ms": 40 + ctx.rng().below(400),
        }),
        relationships: json!({ "inquiry": none() }),
        included: Vec::new(),
    }
}
