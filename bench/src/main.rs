//! Benchmarks persona-inspector in one run: the capture listener against a bare axum server
//! (throughput, latency), then the store's queries over a large table, then re-delivery against
//! a plain client's send. Prints figures as it goes and a summary table at the end.
//! `cargo run --release --bin bench -- --help`.
//!
//! This file only picks the mode: the command line is `args`, its scale `config`, the modes
//! `runs` (their tables `summary`), the app's inputs `app_inputs`; each phase has its module
//! (`http`, `queries`, `redelivery`, `hostile`).

mod app_inputs;
mod args;
mod config;
#[cfg(test)]
mod dictionary_choice;
mod failure;
mod hostile;
mod http;
mod machine;
mod payload;
mod queries;
mod redelivery;
mod runs;
mod stats;
mod summary;

use clap::Parser;

use crate::args::Args;
use crate::config::Config;
use crate::failure::Result;

fn main() -> Result<()> {
    let args = Args::parse();
    let config = Config::from(&args)?;
    if let Some(file) = &args.payload_into {
        return app_inputs::write_payload(file, args.payload_bytes);
    }
    if let Some(dir) = &args.seed_into {
        return app_inputs::seed_into(dir, config.rows);
    }
    let summary = match (args.redelivery, args.hostile, args.storage) {
        (true, _, _) => runs::redelivery_only(&config)?,
        (false, true, _) => runs::hostile_only(&config, &hostile::Attack::only(&args.attack))?,
        (false, false, true) => runs::storage_only(&config)?,
        (false, false, false) => runs::every_phase(&config)?,
    };
    println!("\n{summary}");
    Ok(())
}
