//! The command line: which mode runs, and at what scale.

use clap::Parser;

use crate::hostile;

/// Capture throughput and latency against a bare axum baseline, then store query times.
#[derive(Parser)]
#[command(name = "bench")]
pub struct Args {
    /// Measured seconds per HTTP phase, after a warm-up [default: 10, or 1 with --quick]
    #[arg(long, value_name = "N")]
    pub seconds: Option<u64>,
    /// Deliveries seeded before the queries are timed [default: 100000, or 2000 with --quick]
    #[arg(long, value_name = "N")]
    pub rows: Option<usize>,
    /// Short phases and a small table: a smoke run, not figures to quote
    #[arg(long)]
    pub quick: bool,
    /// Concurrent keep-alive HTTP/1.1 connections
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub connections: usize,
    /// Only fill this data directory with --rows deliveries (for the app's figures) and stop
    #[arg(long, value_name = "DIR")]
    pub seed_into: Option<std::path::PathBuf>,
    /// Only write one Persona event of about --payload-bytes to this file (the app's 5 MB
    /// payload figure) and stop
    #[arg(long, value_name = "FILE", conflicts_with = "seed_into")]
    pub payload_into: Option<std::path::PathBuf>,
    /// The size of the --payload-into event, in bytes
    #[arg(long, value_name = "N", default_value_t = 5_300_000)]
    pub payload_bytes: usize,
    /// Only the re-delivery phase (re-delivery vs a plain client's send)
    #[arg(long)]
    pub redelivery: bool,
    /// Only the capture and store phases (throughput, latency, write amplification, database
    /// size, queries)
    #[arg(long, conflicts_with_all = ["redelivery", "hostile"])]
    pub storage: bool,
    /// Only normal deliveries' latency alone, then under hostile traffic (slow headers,
    /// signature floods, 10 MiB bodies), against the listener's default limits
    #[arg(long, conflicts_with = "redelivery")]
    pub hostile: bool,
    /// With --hostile: only these kinds of hostile traffic (slow-headers, floods, big-bodies;
    /// comma-separated), to see what each costs [default: all three]
    #[arg(
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        requires = "hostile"
    )]
    pub attack: Vec<hostile::Kind>,
    /// Timed sends each way in the re-delivery phase [default: 2000, or 200 with --quick]
    #[arg(long, value_name = "N")]
    pub sends: Option<usize>,
}
