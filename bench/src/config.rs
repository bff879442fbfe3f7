//! The scale of a run (phase lengths, connections, rows, sends), from the command line.

use std::time::Duration;

use crate::args::Args;
use crate::failure::{Result, fail};
use crate::machine::cores;

#[derive(Clone)]
pub struct Config {
    pub warmup: Duration,
    pub measure: Duration,
    pub connections: usize,
    /// Worker threads of each runtime (servers, load generator).
    pub threads: usize,
    /// Payloads pre-generated for the baseline, and the fewest for the capture phase.
    pub pool: usize,
    pub rows: usize,
    /// How many times each query is timed.
    pub reps: usize,
    /// Timed sends each way in the re-delivery phase.
    pub redeliveries: usize,
}

impl Config {
    pub fn from(args: &Args) -> Result<Config> {
        let (seconds, rows, warmup, sends) = match args.quick {
            true => (1, 2000, Duration::from_millis(500), 200),
            false => (10, 100_000, Duration::from_secs(1), 2000),
        };
        let config = Config {
            warmup,
            measure: Duration::from_secs(args.seconds.unwrap_or(seconds)),
            connections: args.connections,
            threads: cores(),
            pool: 4096,
            rows: args.rows.unwrap_or(rows),
            reps: 50,
            redeliveries: args.sends.unwrap_or(sends),
        };
        if config.measure.is_zero()
            || config.connections == 0
            || config.rows == 0
            || config.redeliveries == 0
        {
            return Err(fail(
                "--seconds, --connections, --rows and --sends must be above 0",
            ));
        }
        Ok(config)
    }
}
