//! `serve --forward-to`: the forward rule as `serve` runs it, each capture sent on once stored
//! and its line printed with the result.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use clap::Args;
use persona_inspector::model::{Rule, Secret, Signing, human_duration};
use persona_inspector::redeliver::{Client, Report};
use persona_inspector::relay::Relay;
use persona_inspector::store::{Store, Summary};
use persona_inspector::{Error, Result};
use time::UtcOffset;

use crate::resend::signing;

#[derive(Args)]
pub struct ForwardArgs {
    /// Send every capture, once stored, to this URL too (your app's webhook endpoint); the
    /// answer to Persona does not wait for it
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Re-sign forwarded deliveries with this secret (by label) and a fresh timestamp
    #[arg(long, value_name = "LABEL", requires = "forward_to")]
    forward_resign: Option<String>,
    /// Re-sign captures Persona did not sign too (invalid, missing, malformed or unchecked
    /// signatures) and valid ones that were stale when they arrived (an old request sent
    /// again?); without it they are forwarded with their own, so nobody who finds the
    /// listener's URL gets requests signed with your secret
    #[arg(long, requires = "forward_resign")]
    forward_resign_unverified: bool,
    /// Forward only this event name (repeat for more); without it, every capture
    #[arg(long = "forward-event", value_name = "NAME", requires = "forward_to")]
    forward_events: Vec<String>,
    /// Retry failed forwards on Persona's schedule (3 s, 64 s, … 32.7 h) divided by N:
    /// 1 is Persona's own pace, 3600 turns hours into seconds
    #[arg(long, value_name = "N", requires = "forward_to")]
    forward_retry_speedup: Option<u32>,
}

/// `serve --forward-to`: each capture is re-delivered once stored, its line printed with the
/// result; a retry prints a line of its own.
#[derive(Clone)]
pub struct Forwarding {
    relay: Relay,
    /// Captures whose line waits for their first forward.
    waiting: Arc<Mutex<HashMap<i64, Summary>>>,
}

impl Forwarding {
    /// None without --forward-to. Refuses an unusable URL, label or speed-up, and a URL that
    /// would send every capture back to this very listener.
    pub fn new(
        store: &Store,
        args: ForwardArgs,
        secrets: &[Secret],
        listening: SocketAddr,
        json: bool,
        offset: UtcOffset,
    ) -> Result<Option<Forwarding>> {
        let Some(target) = args.forward_to else {
            return Ok(None);
        };
        let client = Client::new()?.with_secrets(secrets.to_vec());
        let rule = Rule {
            enabled: true,
            target,
            signing: signing(args.forward_resign),
            resign_unverified: args.forward_resign_unverified,
            events: args.forward_events,
            retry_speedup: args.forward_retry_speedup,
            ..Rule::default()
        };
        rule.check(&client, store, Some(listening))
            .map_err(|e| match e {
                Error::Invalid(message) => Error::Invalid(format!("--forward-to: {message}")),
                other => other,
            })?;
        let waiting: Arc<Mutex<HashMap<i64, Summary>>> = Arc::default();
        let captures = waiting.clone();
        // The relay's retries and this rule live only while `serve` runs: the app's saved rule
        // and its waiting retries are left alone.
        let relay = Relay::new(store.clone(), client, rule, move |forwarded| {
            let first = lock(&captures).remove(&forwarded.delivery_id);
            let line = forward_line(first.as_ref(), &forwarded, json, offset);
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}").and_then(|_| out.flush());
        });
        Ok(Some(Forwarding { relay, waiting }))
    }

    /// For the banner: where captures go, and how they are signed and retried.
    pub fn describe(&self) -> String {
        let rule = self.relay.rule();
        let signature = match &rule.signing {
            Signing::Keep => "signature kept as Persona sent it".to_string(),
            Signing::Resign { secret } if rule.resign_unverified => {
                format!("re-signed with \"{secret}\", even when Persona did not sign it")
            }
            Signing::Resign { secret } => {
                format!(
                    "re-signed with \"{secret}\" when Persona's signature is valid and fresh, \
                     else kept"
                )
            }
        };
        // A name Persona never sends is forwarded all the same (the catalog grows), but a typo
        // would forward nothing: say so where it is seen.
        let names: Vec<String> = rule
            .events
            .iter()
            .map(|name| match persona_inspector::catalog::lookup(name) {
                Some(_) => name.clone(),
                None => format!(
                    "{name} (not in the catalog of {}: a typo, or an event newer than it?)",
                    persona_inspector::catalog::AS_OF
                ),
            })
            .collect();
        let events = match names.is_empty() {
            true => "each capture".to_string(),
            false => format!("each {}", names.join(" or ")),
        };
        let retries = match rule.retry_speedup {
            Some(1) => "; failures retried on Persona's schedule".to_string(),
            Some(n) => format!("; failures retried on Persona's schedule {n}× faster"),
            None => String::new(),
        };
        format!(
            "{events} to {} ({signature}{retries}; the answer to Persona does not wait)",
            rule.target.trim()
        )
    }

    /// At shutdown: calls off the retries waiting, so they are not left pending for the app to
    /// resume under its own rule. Returns how many. Blocks on the store.
    pub fn stop(&self) -> Result<u64> {
        self.relay.stop()
    }

    /// Forwards one capture in the background when the rule takes it; its line is printed
    /// once the forward is done. Returns the summary back when the rule does not take it.
    pub fn offer(&self, summary: Summary) -> Option<Summary> {
        if !self.relay.rule().takes(&summary) {
            return Some(summary);
        }
        lock(&self.waiting).insert(summary.id, summary.clone());
        self.relay.offer(&summary);
        None
    }
}

fn lock(
    waiting: &Mutex<HashMap<i64, Summary>>,
) -> std::sync::MutexGuard<'_, HashMap<i64, Summary>> {
    waiting
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The capture's line with its forward's result (`capture` set: the first send), or a line for
/// a retry.
fn forward_line(
    capture: Option<&Summary>,
    forwarded: &Report,
    json: bool,
    offset: UtcOffset,
) -> String {
    let retry = forwarded
        .result
        .as_ref()
        .map(|r| r.attempt.retry)
        .unwrap_or(0);
    if json {
        let mut value = match capture {
            Some(summary) => serde_json::to_value(summary).unwrap_or_default(),
            None => serde_json::json!({ "id": forwarded.delivery_id }),
        };
        if let serde_json::Value::Object(fields) = &mut value {
            let forward = match &forwarded.result {
                Ok(record) => serde_json::to_value(record).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e }),
            };
            fields.insert("forward".into(), forward);
        }
        return value.to_string();
    }
    let mut outcome = match &forwarded.result {
        Ok(record) => record.attempt.describe(),
        Err(e) => format!("✗ not forwarded: {e}"),
    };
    if let Ok(record) = &forwarded.result
        && let Some(due) = record.attempt.next_retry_at_ms
    {
        let wait = (due - persona_inspector::clock::now_ms()).max(0) as f64;
        outcome.push_str(&format!(
            " · retry {} in {}",
            retry + 1,
            human_duration(wait)
        ));
    }
    match capture {
        Some(summary) => format!("{}  {outcome}", crate::terminal::line(summary, offset)),
        None => format!("  ↻ #{} retry {retry}  {outcome}", forwarded.delivery_id),
    }
}
