//! The bench's modes: every phase, the re-delivery phase alone, and hostile traffic alone. Each
//! prints its figures as it goes and returns its summary table.

use crate::config::Config;
use crate::failure::Result;
use crate::machine::{cores, cpu_model};
use crate::{hostile, summary};
use crate::{http, queries, redelivery};

/// Every phase; returns the summary table.
pub fn every_phase(config: &Config) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); {} connections, {:.1} s warm-up + {:.1} s per HTTP phase; {} rows",
        cores(),
        cpu_model(),
        config.connections,
        config.warmup.as_secs_f64(),
        config.measure.as_secs_f64(),
        config.rows
    );
    println!("\n[1/3] capture vs bare axum, ~6 KB signed Persona deliveries");
    let web = http::run(config)?;
    println!("\n[2/3] store queries");
    let store = queries::run(config)?;
    println!("\n[3/3] re-delivery vs a plain reqwest send, same bytes, same local server");
    let redelivery = redelivery::run(config)?;
    Ok(summary::every_phase(config, &web, &store, &redelivery))
}

/// `--storage`: the capture and store phases alone.
pub fn storage_only(config: &Config) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); {} connections, {:.1} s warm-up + {:.1} s per HTTP phase; {} rows; storage only",
        cores(),
        cpu_model(),
        config.connections,
        config.warmup.as_secs_f64(),
        config.measure.as_secs_f64(),
        config.rows
    );
    println!("\n[1/2] capture vs bare axum, ~6 KB signed Persona deliveries");
    let web = http::run(config)?;
    println!("\n[2/2] store queries");
    let store = queries::run(config)?;
    Ok(summary::storage_only(config, &web, &store))
}

/// `--redelivery`: that phase alone.
pub fn redelivery_only(config: &Config) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); re-delivery only",
        cores(),
        cpu_model()
    );
    println!("\n[re-delivery] vs a plain reqwest send, same bytes, same local server");
    let figures = redelivery::run(config)?;
    Ok(summary::redelivery_only(config, &figures))
}

/// `--hostile`: normal deliveries' latency alone and under hostile traffic, in one run.
pub fn hostile_only(config: &Config, attack: &hostile::Attack) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); {:.1} s warm-up + {:.1} s per phase; hostile traffic",
        cores(),
        cpu_model(),
        config.warmup.as_secs_f64(),
        config.measure.as_secs_f64()
    );
    println!("\n[hostile] normal signed deliveries, alone then beside hostile traffic");
    let f = hostile::run(config, attack)?;
    Ok(summary::hostile(config, &f))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A run small and short enough for a debug build.
    fn toy() -> Config {
        Config {
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(400),
            connections: 8,
            threads: 2,
            pool: 64,
            rows: 300,
            reps: 3,
            redeliveries: 30,
        }
    }

    /// The whole bench at toy scale, so it keeps compiling and working as the product changes.
    /// Only the checks are asserted; a debug build's figures say nothing.
    #[test]
    fn quick_mode_runs_end_to_end() {
        let config = toy();
        let summary = every_phase(&config).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(summary.contains("capture / bare throughput"), "{summary}");
        assert!(summary.contains("search common word"), "{summary}");
        assert!(summary.contains("re-delivery added"), "{summary}");
    }

    /// The hostile mode at toy scale: it runs, and normal deliveries keep being stored.
    #[test]
    fn hostile_mode_runs_end_to_end() {
        let config = toy();
        // Small enough for a debug build: the full flood hashes 1.2 GB per request there.
        let attack = hostile::Attack {
            slow_headers: 4,
            floods: 1,
            flood_values: 20,
            flood_body: 4096,
            huge_senders: 1,
            huge_body: 1024 * 1024,
        };
        let summary = hostile_only(&config, &attack).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(summary.contains("under attack / alone"), "{summary}");
    }
}
