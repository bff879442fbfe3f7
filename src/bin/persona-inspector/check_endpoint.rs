//! `check-endpoint`: the user's own handler put through Persona's cases, and the recorded runs.

use std::io::Write;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use persona_inspector::endpoint_check::{self, Plan};
use persona_inspector::model::{
    Attempt, CaseVerdict, CheckCase, CheckRun, EndpointCheck, Secret, human_duration,
};
use persona_inspector::redeliver::Client;
use persona_inspector::store::Store;
use persona_inspector::{Error, Result, clock};
use time::UtcOffset;

use crate::terminal::{BOLD, DIM, GREEN, RED, YELLOW, paint, safe};

/// How much of an answer's body `--show` prints.
const ANSWER_SHOWN: usize = 300;
/// How many runs `--list` prints.
const LISTED: u32 = 50;

#[derive(Args)]
#[command(group(ArgGroup::new("what").required(true).args(["url", "show", "list"])))]
pub struct CheckEndpointArgs {
    /// Your handler's URL, e.g. http://127.0.0.1:3000/webhooks/persona
    url: Option<String>,
    /// The secret your handler verifies with, as LABEL=wbhsec_… (the first given, else the
    /// app's first saved one, signs the deliveries). The variable keeps it out of the process
    /// list.
    #[arg(long = "secret", value_name = "LABEL=SECRET", env = "PERSONA_INSPECTOR_SECRETS",
          value_delimiter = ' ', hide_env_values = true, value_parser = persona_inspector::model::parse_secret)]
    secrets: Vec<Secret>,
    /// The event the deliveries carry [default: inquiry.completed]
    #[arg(long, value_name = "NAME", requires = "url")]
    event: Option<String>,
    /// Print a recorded check with every request it sent and the answers
    #[arg(long, value_name = "RUN_ID")]
    show: Option<i64>,
    /// List the recorded checks, the most recent first
    #[arg(long)]
    list: bool,
    /// Print JSON instead
    #[arg(long)]
    json: bool,
}

/// Runs, shows or lists checks. A run's exit code is 0 when every must-case passed
/// (warnings allowed), 1 otherwise; an unreachable URL is an error before any case runs.
pub fn check_endpoint(
    store: &Store,
    args: CheckEndpointArgs,
    out: &mut impl Write,
    offset: UtcOffset,
) -> Result<ExitCode> {
    if let Some(id) = args.show {
        let run = store.check_run(id)?;
        match args.json {
            true => writeln!(out, "{}", crate::to_json(&run)?)?,
            false => show(out, &run, offset)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.list {
        list(out, store, args.json, offset)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(url) = args.url else {
        return Err(Error::Invalid(
            "check-endpoint needs your handler's URL, --show RUN_ID or --list".into(),
        ));
    };
    let client = Client::new()?.with_secrets(args.secrets);
    let secret = client.secrets(store)?.into_iter().next().ok_or_else(|| {
        Error::Invalid(
            "check-endpoint needs the secret your handler verifies with: pass --secret \
             LABEL=wbhsec_… (Persona dashboard → Webhooks → your webhook → secret)"
                .into(),
        )
    })?;
    let plan = Plan::new(&url, secret, args.event.as_deref())?;
    if !args.json {
        writeln!(
            out,
            "Checking {} with {} deliveries signed with \"{}\" ({})",
            safe(&plan.url),
            plan.event,
            safe(&plan.secret.label),
            plan.secret.preview()
        )?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut printed = Ok(());
    let json = args.json;
    let run = runtime.block_on(endpoint_check::check(&client, store, &plan, |case| {
        if !json && printed.is_ok() {
            printed = line(out, case).and_then(|()| out.flush());
        }
    }))?;
    printed?;
    if args.json {
        writeln!(out, "{}", crate::to_json(&flat(&run))?)?;
    } else {
        summary(out, &run)?;
    }
    Ok(match run.check.passed {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

fn list(out: &mut impl Write, store: &Store, json: bool, offset: UtcOffset) -> Result<()> {
    let runs = store.check_runs(LISTED)?;
    if json {
        writeln!(out, "{}", crate::to_json(&runs)?)?;
    } else if runs.is_empty() {
        writeln!(
            out,
            "no endpoint checks recorded (yet) — run one with `persona-inspector \
             check-endpoint URL --secret LABEL=wbhsec_…`"
        )?;
    } else {
        for run in &runs {
            let outcome = match run.passed {
                true => paint(GREEN, "✓ passed"),
                false => paint(RED, "✗ failed"),
            };
            writeln!(
                out,
                "#{:<4} {}  {outcome}  {} pass, {} warn, {} fail  {}  {}",
                run.id,
                clock::time_of_day(run.started_at_ms, offset),
                run.passes,
                run.warnings,
                run.failures,
                safe(&run.event),
                safe(&run.url)
            )?;
        }
    }
    Ok(())
}

/// The shape: `{url, cases: [{name, expectation, status, error, ms, verdict, advice}],
/// passed}`, with the run's id and what each case sent.
fn flat(run: &CheckRun) -> serde_json::Value {
    let check = &run.check;
    let cases: Vec<serde_json::Value> = check
        .cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "sent": c.sent,
                "expectation": c.expected,
                "status": c.status,
                "error": c.error,
                "ms": (c.ms * 10.0).round() / 10.0,
                "verdict": c.verdict.as_str(),
                "advice": c.advice,
            })
        })
        .collect();
    serde_json::json!({
        "run_id": run.id,
        "url": check.url,
        "cases": cases,
        "passed": check.passed,
    })
}

fn mark(verdict: CaseVerdict) -> String {
    match verdict {
        CaseVerdict::Pass => paint(GREEN, "✓"),
        CaseVerdict::Warn => paint(YELLOW, "!"),
        CaseVerdict::Fail => paint(RED, "✗"),
    }
}

/// "✓ signed               200     12 ms  Nothing to do: …", and the error when there was no answer.
fn line(out: &mut impl Write, case: &CheckCase) -> std::io::Result<()> {
    let status = case
        .status
        .map_or_else(|| "—".to_string(), |s| s.to_string());
    writeln!(
        out,
        "{} {:<20} {:>3} {:>8}  {}",
        mark(case.verdict),
        case.name,
        status,
        human_duration(case.ms),
        safe(&case.advice)
    )?;
    if let Some(error) = &case.error {
        writeln!(out, "  {:<28} {}", "", paint(DIM, error))?;
    }
    Ok(())
}

fn summary(out: &mut impl Write, run: &CheckRun) -> std::io::Result<()> {
    let check = &run.check;
    let counts = format!(
        "{} passed, {} warned, {} failed",
        check.count(CaseVerdict::Pass),
        check.count(CaseVerdict::Warn),
        check.count(CaseVerdict::Fail)
    );
    let outcome = match check.passed {
        true => paint(GREEN, "every must-case passed"),
        false => paint(RED, "your handler is not ready for Persona's deliveries"),
    };
    writeln!(out, "\n{counts}: {outcome}.")?;
    writeln!(
        out,
        "Recorded as check #{}: `persona-inspector check-endpoint --show {}` prints every \
         request and answer.",
        run.id, run.id
    )
}

fn show(out: &mut impl Write, run: &CheckRun, offset: UtcOffset) -> std::io::Result<()> {
    let check: &EndpointCheck = &run.check;
    let outcome = match check.passed {
        true => paint(GREEN, "passed"),
        false => paint(RED, "failed"),
    };
    writeln!(
        out,
        "{} — {outcome}",
        paint(
            BOLD,
            &format!("Endpoint check #{} of {}", run.id, check.url)
        )
    )?;
    writeln!(
        out,
        "  started   {} ({} local)",
        check.started_at,
        clock::time_of_day(check.started_at_ms, offset)
    )?;
    writeln!(
        out,
        "  sent      {} deliveries signed with \"{}\"; answers held to {}",
        check.event,
        safe(&check.secret_label),
        human_duration(check.limit_ms as f64)
    )?;
    for case in &check.cases {
        writeln!(
            out,
            "\n{} {} — {}",
            mark(case.verdict),
            paint(BOLD, &case.name),
            case.verdict.as_str()
        )?;
        writeln!(out, "  sent      {}", safe(&case.sent))?;
        writeln!(out, "  expected  {}", case.expected)?;
        writeln!(out, "  advice    {}", safe(&case.advice))?;
        for (n, attempt) in case.attempts.iter().enumerate() {
            request(out, n + 1, attempt)?;
        }
    }
    Ok(())
}

fn request(out: &mut impl Write, n: usize, attempt: &Attempt) -> std::io::Result<()> {
    writeln!(
        out,
        "  request {n}  {} {}",
        attempt.method,
        safe(&attempt.url)
    )?;
    for (name, value) in &attempt.headers {
        writeln!(
            out,
            "    {}: {}",
            safe(name),
            safe(&String::from_utf8_lossy(value))
        )?;
    }
    let body = String::from_utf8_lossy(attempt.edited_body.as_deref().unwrap_or_default());
    for body_line in body.lines() {
        writeln!(out, "    {}", paint(DIM, body_line))?;
    }
    writeln!(out, "  answer    {}", safe(&attempt.describe()))?;
    if let Some(answer) = &attempt.answer {
        let text = String::from_utf8_lossy(&answer.body);
        let shown: String = text.chars().take(ANSWER_SHOWN).collect();
        if !shown.trim().is_empty() {
            let more = if text.chars().count() > ANSWER_SHOWN {
                "…"
            } else {
                ""
            };
            writeln!(out, "    {}{more}", safe(shown.trim_end()))?;
        }
    }
    Ok(())
}
