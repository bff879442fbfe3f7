//! Checking the user's own webhook handler: a series of made-up deliveries sent to it, each
//! with what a correct Persona handler does (accept a correctly signed one within 5 s, also
//! during a secret rotation and when it is a retry or out of order; refuse a forged, altered,
//! unsigned or wrongly signed one; better refuse an old one) and what this one did.
//!
//! Every request goes through the re-delivery client (`redeliver::Client::send`), so it is
//! timed, its answer capped and a failure put in words the same way, and is kept as an
//! `Attempt`; [`check`] records the whole run. The body goes in the attempt's `edited_body`:
//! there is no stored delivery to read it from.

mod cases;
mod judge;

use std::time::Duration;

use axum::body::Bytes;

use crate::error::{Error, Result};
use crate::model::{
    CaseVerdict, CheckCase, CheckRun, EndpointCheck, PERSONA_TIMEOUT, Secret, Signing,
};
use crate::redeliver::{Client, Outgoing, Target};
use crate::store::Store;
use crate::{catalog, clock, sample};

use cases::{Case, Context};

/// The event the cases send unless told otherwise.
pub const DEFAULT_EVENT: &str = "inquiry.completed";

/// The cases' names, in the order they run.
pub fn case_names() -> Vec<&'static str> {
    Case::ALL.iter().map(|c| c.name()).collect()
}

/// What to check.
#[derive(Clone, Debug)]
pub struct Plan {
    /// As typed.
    pub url: String,
    /// What the deliveries are signed with.
    pub secret: Secret,
    /// A catalog name.
    pub event: String,
    /// How long an accepted delivery's answer may take: Persona's 5 s.
    pub limit: Duration,
    /// How long each request waits for its answer: longer than the limit, so a slow answer is
    /// measured and reported rather than cut off.
    pub timeout: Duration,
}

impl Plan {
    /// Refuses a URL that is not `http(s)://host…` and an event that is not in the catalog
    /// (naming the closest), before anything is sent.
    pub fn new(url: &str, secret: Secret, event: Option<&str>) -> Result<Plan> {
        let url = url.trim();
        Target::parse(url, false)?;
        let event = event.map(str::trim).unwrap_or(DEFAULT_EVENT);
        let entry =
            catalog::lookup(event).ok_or_else(|| Error::Invalid(sample::unknown_event(event)))?;
        Ok(Plan {
            url: url.to_string(),
            secret,
            event: entry.name.to_string(),
            limit: PERSONA_TIMEOUT,
            timeout: PERSONA_TIMEOUT * 2,
        })
    }

    /// Holds accepted answers to `limit` instead of Persona's 5 s, and waits twice as long
    /// for each: for tests, which can't wait 5 s per slow answer.
    pub fn with_limit(mut self, limit: Duration) -> Plan {
        self.limit = limit;
        self.timeout = limit * 2;
        self
    }
}

/// Runs every case against `plan.url` and records the run. Refuses with
/// [`Error::Unreachable`] (nothing recorded) when the URL gives no HTTP answer at all.
/// `on_case` is told each case as it finishes.
pub async fn check(
    client: &Client,
    store: &Store,
    plan: &Plan,
    on_case: impl FnMut(&CheckCase),
) -> Result<CheckRun> {
    let check = run(client, plan, on_case).await?;
    store.record_check(check).await
}

/// Runs every case against `plan.url`, after one request that shows something answers there.
pub async fn run(
    client: &Client,
    plan: &Plan,
    mut on_case: impl FnMut(&CheckCase),
) -> Result<EndpointCheck> {
    let url = Target::parse(&plan.url, false)?.url().to_string();
    reach(client, plan, &url).await?;
    let started_at_ms = clock::now_ms();
    let first_seed = crate::sample::fresh_seed()?;
    let other = cases::other_secret(&plan.secret);
    let mut done: Vec<CheckCase> = Vec::with_capacity(Case::ALL.len());
    for (n, case) in Case::ALL.into_iter().enumerate() {
        let cx = Context {
            event: &plan.event,
            secret: &plan.secret,
            other: &other,
            // Distinct events (and event ids) per case: a handler that dedupes on the id must
            // not pass a forged case because an earlier one carried the same id.
            seed: first_seed.wrapping_add(n as u64),
        };
        // Signed just before it is sent, as Persona does.
        let built = cases::build(case, &cx, clock::now_ms())?;
        let mut attempts = Vec::with_capacity(built.requests.len());
        for request in &built.requests {
            attempts.push(
                client
                    .send(outgoing(plan, &url, request.headers.clone(), &request.body))
                    .await,
            );
        }
        let signed_failed = done
            .iter()
            .any(|c| c.name == Case::Signed.name() && c.verdict == CaseVerdict::Fail);
        let judged = judge::case(case, built, attempts, plan.limit, signed_failed);
        on_case(&judged);
        done.push(judged);
    }
    Ok(EndpointCheck {
        url: plan.url.clone(),
        event: plan.event.clone(),
        secret_label: plan.secret.label.clone(),
        started_at: clock::rfc3339(started_at_ms),
        started_at_ms,
        limit_ms: plan.limit.as_millis() as u64,
        // Only a must-case can fail: an old timestamp accepted is a warning.
        passed: done.iter().all(|c| c.verdict != CaseVerdict::Fail),
        cases: done,
    })
}

/// One HEAD request: any HTTP answer (a 404 or 405 included) shows a server is there; no
/// answer is the reason the check is refused (nothing listening, DNS, TLS, timeout).
async fn reach(client: &Client, plan: &Plan, url: &str) -> Result<()> {
    let probe = Outgoing {
        method: "HEAD".into(),
        headers: vec![("user-agent".into(), cases::USER_AGENT.as_bytes().to_vec())],
        ..outgoing(plan, url, Vec::new(), &[])
    };
    match client.send(probe).await.failure {
        Some(failure) => Err(Error::Unreachable {
            url: plan.url.clone(),
            reason: failure.message,
        }),
        None => Ok(()),
    }
}

fn outgoing(plan: &Plan, url: &str, headers: crate::model::Headers, body: &[u8]) -> Outgoing {
    Outgoing {
        target: plan.url.clone(),
        method: "POST".into(),
        url: url.to_string(),
        headers,
        body: Bytes::copy_from_slice(body),
        // So the attempt keeps the body: there is no stored delivery it came from.
        body_edited: true,
        signing: Signing::Keep,
        signing_note: None,
        timeout: plan.timeout,
    }
}
