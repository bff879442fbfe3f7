//! `serve --forward-to`: the forward rule given for the run (the session runs it), how the
//! banner describes it and how a forwarded capture's line reads with its result.

use clap::Args;
use persona_inspector::model::{Rule, Signing, human_duration};
use persona_inspector::redeliver::Report;
use persona_inspector::store::Summary;
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

impl ForwardArgs {
    /// The rule for this run; None without --forward-to. The session checks it once it
    /// listens (an unusable URL, label or speed-up, or a URL that would send every capture
    /// back to this very listener).
    pub fn rule(self) -> Option<Rule> {
        Some(Rule {
            enabled: true,
            target: self.forward_to?,
            signing: signing(self.forward_resign),
            resign_unverified: self.forward_resign_unverified,
            events: self.forward_events,
            retry_speedup: self.forward_retry_speedup,
            ..Rule::default()
        })
    }
}

/// For the banner: where captures go, and how they are signed and retried.
pub fn describe(rule: &Rule) -> String {
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

/// The capture's line with its forward's result (`capture` set: the first send), or a line for
/// a retry.
pub fn forward_line(
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
