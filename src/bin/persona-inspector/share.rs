//! `export` and `import`: a capture as a curl command or a JSON fixture, deliveries as a HAR
//! file, and fixtures or HAR files back in.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Args};
use persona_inspector::model::{DEFAULT_PORT, Order, Scope, parse_size};
use persona_inspector::redeliver::Target;
use persona_inspector::share::{self, Limits};
use persona_inspector::store::Store;
use persona_inspector::{Error, Result};

use crate::FilterArgs;

#[derive(Args)]
#[command(group(ArgGroup::new("as").required(true).args(["curl", "fixture", "har"])))]
pub struct ExportArgs {
    /// The delivery's id (see `persona-inspector list`); with --har, any number of them
    #[arg(value_name = "ID")]
    ids: Vec<i64>,
    /// Print a curl command (sh, bash, zsh) that sends the same request again, byte for byte
    #[arg(long)]
    curl: bool,
    /// Print a JSON fixture that `persona-inspector import` loads
    #[arg(long)]
    fixture: bool,
    /// Print an HTTP Archive (HAR 1.2) of the deliveries named by id, picked by the filter
    /// flags, or of every delivery with --all, in the order they arrived: browser developer
    /// tools, Insomnia, Postman and HTTP Toolkit open it, `import` reads it back
    #[arg(long)]
    har: bool,
    /// With --har: every stored delivery
    #[arg(long, requires = "har")]
    all: bool,
    #[command(flatten)]
    filter: FilterArgs,
    /// With --curl: send to this URL instead of the original path on http://127.0.0.1:4747
    #[arg(long, value_name = "URL", requires = "curl")]
    to: Option<String>,
    /// With --to: append the original path and query to URL's (as `resend --keep-path` does)
    #[arg(long, requires = "to")]
    append_path: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// Fixture files (each one fixture or a JSON array of them) or HAR files, told apart by
    /// their content; `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Refuse a delivery whose body is larger than this (B, KiB, MiB), as the listener does
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = parse_size)]
    max_body: usize,
    /// Refuse a fixture or HAR file larger than this (B, KiB, MiB, GiB)
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    max_file: usize,
}

pub fn export(store: &Store, args: ExportArgs, out: &mut impl Write) -> Result<()> {
    if args.har {
        return export_har(store, args, out);
    }
    let id = match (args.ids.as_slice(), args.filter.narrows()) {
        ([id], false) => *id,
        (_, true) => {
            return Err(Error::Invalid(
                "the filter flags (--event, --resource, …) pick deliveries for --har; --curl and \
                 --fixture take one id"
                    .into(),
            ));
        }
        _ => {
            return Err(Error::Invalid(
                "--curl and --fixture take exactly one delivery id (--har takes several)".into(),
            ));
        }
    };
    // The URL is checked before the store is read: a typo is the likelier mistake.
    let target = match &args.to {
        Some(url) => Target::parse(url, args.append_path)?,
        None => Target::local(DEFAULT_PORT)?,
    };
    let detail = store.get(id)?;
    if args.fixture {
        let text = serde_json::to_string_pretty(&share::fixture(&detail))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    writeln!(out, "{}", share::curl(&detail, &target)?)?;
    Ok(())
}

/// The deliveries the ids, the filter or --all name, as one HAR log, oldest first.
fn export_har(store: &Store, args: ExportArgs, out: &mut impl Write) -> Result<()> {
    let narrows = args.filter.narrows();
    let scope = match (args.ids.is_empty(), narrows, args.all) {
        (false, false, false) => Scope::Ids {
            ids: args.ids.clone(),
        },
        (true, true, false) | (true, false, true) => Scope::Filter {
            filter: args.filter.filter(None),
        },
        (true, false, false) => {
            return Err(Error::Invalid(
                "name the deliveries for --har: ids, filter flags (--event, --resource, \
                 --search, …), or --all"
                    .into(),
            ));
        }
        _ => {
            return Err(Error::Invalid(
                "give --har ids, filter flags or --all, not several of them".into(),
            ));
        }
    };
    let ids = store.bulk_ids(&scope, Order::Received)?;
    if let Some(missing) = args.ids.iter().find(|id| !ids.contains(id)) {
        return Err(Error::NotFound(*missing));
    }
    if ids.is_empty() {
        return Err(Error::Invalid(
            "no delivery matches the filter: nothing to export".into(),
        ));
    }
    share::write_har(store, &ids, out)
}

/// Reads and checks every file before storing anything, so a bad one leaves the store as it was.
pub fn import(store: &Store, args: ImportArgs, out: &mut impl Write) -> Result<()> {
    let limits = Limits {
        max_file: args.max_file,
        max_body: args.max_body,
    };
    let mut deliveries = Vec::new();
    for file in &args.files {
        let (name, bytes) = if file.as_os_str() == "-" {
            let name = "standard input".to_string();
            let bytes = share::read_limited(&name, std::io::stdin().lock(), &limits)?;
            (name, bytes)
        } else {
            let name = file.display().to_string();
            let unreadable = |e: std::io::Error| {
                Error::Invalid(format!(
                    "cannot read {name}: {e} — give the path of a fixture written by \
                     `export --fixture` or of a HAR file"
                ))
            };
            let opened = std::fs::File::open(file).map_err(unreadable)?;
            // Refused by its size before a byte is read; read_limited holds a growing file to it.
            share::check_file_size(&name, opened.metadata().map_err(unreadable)?.len(), &limits)?;
            let bytes = share::read_limited(&name, opened, &limits)?;
            (name, bytes)
        };
        deliveries.extend(share::read_deliveries(&name, &bytes, &limits)?);
    }
    let stored = share::import(store, deliveries)?;
    // Ids alone on stdout, one a line, for scripts; the summary goes to stderr.
    for s in &stored {
        writeln!(out, "{}", s.id)?;
    }
    eprintln!(
        "imported {} {} into {}",
        stored.len(),
        if stored.len() == 1 {
            "delivery"
        } else {
            "deliveries"
        },
        store.path().display()
    );
    Ok(())
}
