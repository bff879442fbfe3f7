//! `trigger`: send a made-up, signed Persona event — to the inspector that is listening (it
//! arrives as a `test` delivery) or to the handler under development — and `trigger --list`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use clap::Args;
use persona_inspector::model::{DEFAULT_TIMEOUT_MS, MAX_REPLY_DELAY_MS, Secret};
use persona_inspector::redeliver::{Client, MAX_TIMEOUT_MS, find_secret};
use persona_inspector::sample::{self, Casing};
use persona_inspector::session::listening;
use persona_inspector::store::Store;
use persona_inspector::trigger::{self, Destination, Sent, Trigger};
use persona_inspector::{Error, Result, catalog, clock};

#[derive(Args)]
pub struct TriggerArgs {
    /// The event to send, e.g. inquiry.approved or report/watchlist.matched (see --list)
    #[arg(required_unless_present = "list", value_name = "EVENT")]
    event: Option<String>,
    /// List the events with the resource type each carries, instead of sending one
    #[arg(long)]
    list: bool,
    /// Where to send it, e.g. http://127.0.0.1:3000/webhooks/persona [default: the inspector
    /// listening for this data directory (`serve` or the app), where it arrives as a test event]
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// A secret to sign with, as LABEL=wbhsec_… (without --resign the first one given signs)
    #[arg(long = "secret", value_name = "LABEL=SECRET", env = "PERSONA_INSPECTOR_SECRETS",
          value_delimiter = ' ', hide_env_values = true, value_parser = persona_inspector::model::parse_secret)]
    secrets: Vec<Secret>,
    /// Sign with this secret, by label (given with --secret, or saved in the app) [default:
    /// the first given, else the first saved, else an example secret your handler should refuse]
    #[arg(long, value_name = "LABEL")]
    resign: Option<String>,
    /// The primary resource's id, to send one resource's events in turn (created, completed,
    /// approved)
    #[arg(long, value_name = "ID")]
    resource_id: Option<String>,
    /// Key casing, as a webhook can be set to send: kebab, camel or snake
    #[arg(long, value_name = "CASING", default_value = "kebab", value_parser = parse_casing)]
    casing: Casing,
    /// Send `included: []`, as a webhook without an Included Allowlist does
    #[arg(long)]
    empty_included: bool,
    /// The same seed sends the same bytes: ids, data and timestamps (a moment in 2026 drawn from
    /// the seed); the signature is still made now
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// How long to wait for the answer [default: 5000, as Persona waits; to the inspector, long
    /// enough for the reply delay it may be set to]
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Print {"event_name", "event_id", "resource", "url", "status", "body_base64", …}
    #[arg(long)]
    json: bool,
}

fn parse_casing(text: &str) -> std::result::Result<Casing, String> {
    Casing::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not a key casing — use kebab, camel or snake"))
}

/// Sends one sample, or lists the events. Any HTTP answer is a success of the command (the
/// status is printed); no answer at all is an error.
pub fn trigger(
    data_dir: &Path,
    store: &Store,
    args: TriggerArgs,
    out: &mut impl Write,
) -> Result<()> {
    if args.list {
        return list(args.json, out);
    }
    let event = args.event.unwrap_or_default();
    if catalog::lookup(&event).is_none() {
        return Err(Error::Invalid(sample::unknown_event(&event)));
    }
    if args
        .timeout_ms
        .is_some_and(|ms| ms == 0 || ms > MAX_TIMEOUT_MS)
    {
        return Err(Error::Invalid(format!(
            "--timeout-ms must be between 1 and {MAX_TIMEOUT_MS}"
        )));
    }
    let client = Client::new()?.with_secrets(args.secrets);
    let secrets = client.secrets(store)?;
    let secret = match &args.resign {
        Some(label) => find_secret(&secrets, label, trigger::SIGN_SAMPLE)?.clone(),
        None => trigger::default_secret(&secrets),
    };
    let (destination, timeout_ms) = match args.to {
        Some(url) => (Destination::Url(url), DEFAULT_TIMEOUT_MS),
        // The inspector may be set to delay its answer, after storing.
        None => (listener(data_dir)?, MAX_REPLY_DELAY_MS + DEFAULT_TIMEOUT_MS),
    };
    let example = secret.value == sample::EXAMPLE_SECRET;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let sent = runtime.block_on(trigger::send(
        &client,
        Trigger {
            sample: sample::Options {
                seed: args.seed,
                casing: args.casing,
                empty_included: args.empty_included,
                resource_id: args.resource_id,
                ..sample::Options::new(
                    event,
                    args.seed.map_or_else(clock::now_ms, trigger::seeded_moment),
                )
            },
            destination: destination.clone(),
            secret,
            timeout: Duration::from_millis(args.timeout_ms.unwrap_or(timeout_ms)),
        },
    ))?;
    if args.json {
        writeln!(out, "{}", crate::to_json(&json(&sent))?)?;
    } else {
        print(&sent, out)?;
    }
    if example {
        eprintln!(
            "note: signed with an example secret, which your handler should refuse — pass \
             --secret LABEL=wbhsec_… (your webhook's secret) to sign with yours"
        );
    }
    match (&sent.attempt.failure, destination) {
        (Some(failure), Destination::Listener { address, .. }) => Err(Error::Invalid(format!(
            "{} — is the inspector at {address} still running? (start `persona-inspector \
             serve` or the app, or send elsewhere with --to URL)",
            failure.message
        ))),
        (Some(failure), Destination::Url(_)) => Err(Error::Invalid(failure.message.clone())),
        (None, Destination::Listener { address, .. }) if sent.delivery_id.is_none() => {
            Err(Error::Invalid(format!(
                "the inspector at {address} answered without storing the sample (see its \
                 status above)"
            )))
        }
        (None, _) => Ok(()),
    }
}

/// The inspector listening for `data_dir`, as its `listening.json` says.
fn listener(data_dir: &Path) -> Result<Destination> {
    match listening::read(data_dir)? {
        Some(listening) => Ok(Destination::Listener {
            address: listening.address,
            key: listening.test_event_key,
        }),
        None => Err(Error::Invalid(format!(
            "no inspector is listening for {} (none said so in listening.json, or the one that \
             did has ended) — start `persona-inspector serve` or the app, or send the sample \
             elsewhere with --to URL",
            data_dir.display()
        ))),
    }
}

fn print(sent: &Sent, out: &mut impl Write) -> Result<()> {
    let attempt = &sent.attempt;
    let resource = &sent.sample.resource;
    writeln!(
        out,
        "{} {}  ({} {})",
        sent.sample.event_name, sent.sample.event_id, resource.kind, resource.id
    )?;
    if attempt.answer.is_some() {
        writeln!(
            out,
            "{} {}  {}",
            attempt.method,
            attempt.url,
            attempt.describe()
        )?;
    }
    if let Some(id) = sent.delivery_id {
        writeln!(out, "stored as delivery {id} (persona-inspector show {id})")?;
    }
    Ok(())
}

/// What `--json` prints: the fields, plus where the listener stored it.
fn json(sent: &Sent) -> serde_json::Value {
    let attempt = &sent.attempt;
    serde_json::json!({
        "event_name": sent.sample.event_name,
        "event_id": sent.sample.event_id,
        "resource": sent.sample.resource,
        "url": attempt.url,
        "status": attempt.answer.as_ref().map(|answer| answer.status),
        "error": attempt.failure.as_ref().map(|failure| failure.message.clone()),
        "ms": attempt.duration_ms.round() as u64,
        "delivery_id": sent.delivery_id,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&sent.sample.body),
    })
}

/// The catalog, each event with the resource type its payload carries, by group.
fn list(as_json: bool, out: &mut impl Write) -> Result<()> {
    let rows: Vec<_> = catalog::all()
        .iter()
        .map(|entry| (entry, sample::resource_types(entry.name)))
        .collect();
    if as_json {
        let json: Vec<_> = rows
            .iter()
            .map(|(entry, types)| {
                serde_json::json!({
                    "name": entry.name,
                    "group": entry.group,
                    "resource_types": types,
                })
            })
            .collect();
        writeln!(out, "{}", crate::to_json(&json)?)?;
        return Ok(());
    }
    let mut group = "";
    for (entry, types) in rows {
        if entry.group != group {
            group = entry.group;
            writeln!(out, "\n{group}")?;
        }
        writeln!(out, "  {:<52} {}", entry.name, types.join(" | "))?;
    }
    Ok(())
}
