//! `persona-inspector`: capture Persona webhook deliveries without a window, and read them back.

mod check_endpoint;
mod forward_rule;
mod resend;
mod serve;
mod share;
mod story;
mod terminal;
mod trigger;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use axum::http::StatusCode;
use clap::{ArgGroup, Args, Parser, Subcommand};
use persona_inspector::model::{Filter, Secret, Status, Verification, parse_size};
use persona_inspector::store::{self, Purge, Store};
use persona_inspector::{Error, Result, catalog, clock};
use time::UtcOffset;

#[derive(Parser)]
#[command(
    name = "persona-inspector",
    version,
    about = "Capture, verify and inspect Persona webhook deliveries"
)]
struct Cli {
    /// Where the database lives [default: the platform's data directory, e.g.
    /// ~/.local/share/persona-inspector]
    #[arg(
        long,
        global = true,
        env = "PERSONA_INSPECTOR_DATA_DIR",
        value_name = "DIR"
    )]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Listen for deliveries and print one line per delivery
    Serve(ServeArgs),
    /// List stored deliveries, newest first
    List(ListArgs),
    /// Everything about one delivery
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// One resource's deliveries in the order Persona created the events, with the order they
    /// arrived in, flags a handler should know (out of order, duplicate, conflicting outcome,
    /// status regression), and the deliveries that only mention it
    Timeline {
        /// The resource's id (inq_…, act_…, ver_…, case_…, rep_…, txn_…)
        #[arg(value_name = "RESOURCE_ID")]
        resource_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete stored deliveries and erase them from disk (the database is rebuilt)
    #[command(group(ArgGroup::new("what").required(true).args(["older_than", "all"])))]
    Purge {
        /// Delete deliveries received longer ago than this (30m, 12h, 7d, 2w)
        #[arg(long, value_parser = clock::parse_age)]
        older_than: Option<Duration>,
        /// Delete every delivery
        #[arg(long)]
        all: bool,
    },
    /// Send a stored delivery again, to your app (the attempt is recorded)
    Resend(resend::ResendArgs),
    /// Re-verify every stored signature with these secrets
    Recheck {
        #[command(flatten)]
        verification: VerificationArgs,
    },
    /// Persona's event catalog, as built into this binary
    Events {
        #[arg(long)]
        json: bool,
    },
    /// Print a delivery as a curl command that sends it again or as a JSON fixture, or
    /// deliveries (by id or filter) as a HAR file for developer tools
    Export(share::ExportArgs),
    /// Load fixtures (from `export --fixture`) or HAR files as if they had just arrived; prints
    /// the new ids
    Import(share::ImportArgs),
    /// Send a made-up, signed sample of any Persona event, to the inspector or to your app
    Trigger(trigger::TriggerArgs),
    /// Send your webhook handler Persona's cases (signed, rotated, forged, replayed, retried,
    /// out of order) and report what it did with each; exit 1 when a must-case fails
    CheckEndpoint(check_endpoint::CheckEndpointArgs),
}

#[derive(Args)]
struct VerificationArgs {
    /// A webhook secret to verify with, as LABEL=wbhsec_… (repeat for rotation). The variable
    /// takes several separated by spaces, and keeps them out of the process list.
    #[arg(long = "secret", value_name = "LABEL=SECRET", env = "PERSONA_INSPECTOR_SECRETS",
          value_delimiter = ' ', hide_env_values = true, value_parser = persona_inspector::model::parse_secret)]
    secrets: Vec<Secret>,

    /// Flag signatures whose timestamp is further than this many seconds from arrival
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    tolerance: u64,
}

impl VerificationArgs {
    fn verification(&self) -> Verification {
        Verification {
            secrets: self.secrets.clone(),
            tolerance_seconds: self.tolerance,
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    #[arg(long, default_value_t = persona_inspector::model::DEFAULT_PORT)]
    port: u16,

    #[command(flatten)]
    verification: VerificationArgs,

    /// Largest body kept (B, KiB, MiB); larger requests get 413 and are recorded without body
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = parse_size)]
    max_body: usize,

    /// Status to answer with (answer 500 to watch Persona retry)
    #[arg(long, value_name = "CODE", default_value_t = 200, value_parser = parse_status)]
    status: u16,

    /// Wait this long after storing before answering (Persona gives up after 5000 ms)
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,

    /// Answer with this body instead of {"received":true,"delivery_id":N}
    #[arg(long, value_name = "TEXT")]
    response_body: Option<String>,

    /// Print each delivery as one JSON line instead of a readable one
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    forward: forward_rule::ForwardArgs,
}

#[derive(Args)]
struct ListArgs {
    #[arg(long)]
    json: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[command(flatten)]
    filter: FilterArgs,
}

/// Which deliveries: what `list` shows and `export --har` writes.
#[derive(Args)]
pub struct FilterArgs {
    /// Only this event name (e.g. inquiry.approved)
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Only this event id (evt_…): retries and duplicates of one event
    #[arg(long, value_name = "ID")]
    event_id: Option<String>,
    /// Only this resource id (inq_…, ver_…)
    #[arg(long, value_name = "ID")]
    resource: Option<String>,
    /// Only this verdict: valid, invalid, missing, malformed or unchecked
    #[arg(long, value_name = "STATUS", value_parser = parse_verdict)]
    signature: Option<Status>,
    /// Words that must all appear in the event name, ids or body (prefixes match)
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only deliveries older than this id (paging)
    #[arg(long, value_name = "ID")]
    before: Option<i64>,
}

impl FilterArgs {
    pub fn filter(self, limit: Option<u32>) -> Filter {
        Filter {
            limit,
            before_id: self.before,
            event_name: self.event,
            event_id: self.event_id,
            resource_id: self.resource,
            signature: self.signature,
            search: self.search,
            offset: None,
        }
    }

    /// Whether any flag narrows.
    pub fn narrows(&self) -> bool {
        let FilterArgs {
            event,
            event_id,
            resource,
            signature,
            search,
            before,
        } = self;
        event.is_some()
            || event_id.is_some()
            || resource.is_some()
            || signature.is_some()
            || search.is_some()
            || before.is_some()
    }
}

fn parse_status(text: &str) -> std::result::Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|&n| StatusCode::from_u16(n).is_ok() && n >= 200)
        .ok_or_else(|| format!("\"{text}\" is not an HTTP status to answer with — use 200–599"))
}

fn parse_verdict(text: &str) -> std::result::Result<Status, String> {
    Status::parse(text).ok_or_else(|| {
        format!("\"{text}\" is not a verdict — use valid, invalid, missing, malformed or unchecked")
    })
}

fn main() -> ExitCode {
    // Asked before any thread starts: later, Linux refuses to tell (see `time`'s docs).
    let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PERSONA_INSPECTOR_LOG")
                .unwrap_or_else(|_| "persona_inspector=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli, offset) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, offset: UtcOffset) -> Result<ExitCode> {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => store::default_data_dir()?,
    };
    match cli.command {
        // The session opens the store itself.
        Command::Serve(args) => serve::serve(&data_dir, args, offset).map(|()| ExitCode::SUCCESS),
        other => report(&data_dir, Store::open(&data_dir)?, other, offset),
    }
}

/// The commands that read or change the store and print once. `serve` is not one of them: its
/// printer task takes the stdout lock per line, which this one holds throughout.
fn report(data_dir: &Path, store: Store, command: Command, offset: UtcOffset) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let done = match command {
        Command::Serve(args) => {
            drop(out);
            drop(store);
            serve::serve(data_dir, args, offset)
        }
        Command::List(args) => {
            let rows = store.list(&args.filter.filter(Some(args.limit)))?;
            if args.json {
                writeln!(out, "{}", to_json(&rows)?)?;
            } else {
                terminal::list(&mut out, &rows, offset)?;
            }
            Ok(())
        }
        Command::Show { id, json } => {
            let detail = store.get(id)?;
            if json {
                writeln!(out, "{}", to_json(&detail)?)?;
            } else {
                terminal::show(&mut out, &detail, offset)?;
            }
            Ok(())
        }
        Command::Timeline { resource_id, json } => {
            let timeline = store.timeline(&resource_id)?;
            if json {
                writeln!(out, "{}", to_json(&timeline)?)?;
            } else {
                story::timeline(&mut out, &timeline, offset)?;
            }
            Ok(())
        }
        Command::Purge { older_than, all } => {
            let what = match (all, older_than) {
                (true, _) | (false, None) => Purge::All,
                (false, Some(age)) => Purge::OlderThan(age),
            };
            let removed = store.purge(what)?;
            writeln!(
                out,
                "deleted {removed} deliveries from {}, erased from every file of the data directory",
                store.path().display()
            )?;
            Ok(())
        }
        Command::Resend(args) => resend::resend(&store, args, &mut out),
        Command::Recheck { verification } => {
            if verification.secrets.is_empty() {
                return Err(Error::Invalid(
                    "recheck needs at least one --secret LABEL=wbhsec_…".into(),
                ));
            }
            let changed = store.recheck(&verification.verification())?;
            writeln!(
                out,
                "re-verified every delivery; {changed} verdicts changed"
            )?;
            Ok(())
        }
        Command::Export(args) => share::export(&store, args, &mut out),
        Command::Import(args) => share::import(&store, args, &mut out),
        Command::Trigger(args) => trigger::trigger(data_dir, &store, args, &mut out),
        Command::Events { json } => {
            if json {
                writeln!(out, "{}", to_json(&catalog::all())?)?;
            } else {
                for entry in catalog::all() {
                    writeln!(out, "{:<48} {}", entry.name, entry.description)?;
                }
            }
            Ok(())
        }
        // The one command whose exit code is its result.
        Command::CheckEndpoint(args) => {
            return check_endpoint::check_endpoint(&store, args, &mut out, offset);
        }
    };
    done.map(|()| ExitCode::SUCCESS)
}

fn to_json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Invalid(e.to_string()))
}
