//! Benchmarks persona-inspector in one run: the capture listener against a bare axum server
//! (throughput, latency), then the store's queries over a large table, then re-delivery against
//! a plain client's send. Prints figures as it goes and a summary table at the end.
//! `cargo run --release --bin bench -- --help`.

mod hostile;
mod http;
mod payload;
mod queries;
mod redelivery;

use std::fmt::{self, Write as _};
use std::time::Duration;

use clap::Parser;

/// Capture throughput and latency against a bare axum baseline, then store query times.
#[derive(Parser)]
#[command(name = "bench")]
struct Args {
    /// Measured seconds per HTTP phase, after a warm-up [default: 10, or 1 with --quick]
    #[arg(long, value_name = "N")]
    seconds: Option<u64>,
    /// Deliveries seeded before the queries are timed [default: 100000, or 2000 with --quick]
    #[arg(long, value_name = "N")]
    rows: Option<usize>,
    /// Short phases and a small table: a smoke run, not figures to quote
    #[arg(long)]
    quick: bool,
    /// Concurrent keep-alive HTTP/1.1 connections
    #[arg(long, value_name = "N", default_value_t = 64)]
    connections: usize,
    /// Only fill this data directory with --rows deliveries (for the app's figures) and stop
    #[arg(long, value_name = "DIR")]
    seed_into: Option<std::path::PathBuf>,
    /// Only write one Persona event of about --payload-bytes to this file (the app's 5 MB
    /// payload figure) and stop
    #[arg(long, value_name = "FILE", conflicts_with = "seed_into")]
    payload_into: Option<std::path::PathBuf>,
    /// The size of the --payload-into event, in bytes
    #[arg(long, value_name = "N", default_value_t = 5_300_000)]
    payload_bytes: usize,
    /// Only the re-delivery phase (re-delivery vs a plain client's send)
    #[arg(long)]
    redelivery: bool,
    /// Only normal deliveries' latency alone, then under hostile traffic (slow headers,
    /// signature floods, 10 MiB bodies), against the listener's default limits
    #[arg(long, conflicts_with = "redelivery")]
    hostile: bool,
    /// With --hostile: only these kinds of hostile traffic (slow-headers, floods, big-bodies;
    /// comma-separated), to see what each costs [default: all three]
    #[arg(
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        requires = "hostile"
    )]
    attack: Vec<hostile::Kind>,
    /// Timed sends each way in the re-delivery phase [default: 2000, or 200 with --quick]
    #[arg(long, value_name = "N")]
    sends: Option<usize>,
}

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
    fn from(args: &Args) -> Result<Config> {
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

/// A failure, said plainly: `main` returning it prints `Error: <message>`.
pub struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

pub fn fail(message: impl Into<String>) -> Failure {
    Failure(message.into())
}

/// Adds what was being done to an error's message.
pub trait Context<T> {
    fn context(self, doing: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, doing: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Failure(format!("{doing}: {e}")))
    }
}

/// `--payload-into`: an `inquiry.approved` event whose inquiry relates to government-id
/// verifications, all included with their checks, about `bytes` long; the same bytes every run.
fn write_payload(file: &std::path::Path, bytes: usize) -> Result<()> {
    let mut rng = payload::Rng::new(5);
    let body = payload::many_verifications_body(
        &mut rng,
        &payload::Event {
            name: "inquiry.approved",
            event_id: "evt_BenchAppLargePayload00001",
            resource_id: "inq_BenchAppLargePayload00001",
            account_id: "act_BenchAppLargePayload00001",
            created_at_ms: 1_795_338_000_000, // 2026-11-22 09:00 UTC
            size: bytes,
        },
    );
    std::fs::write(file, &body).context(format!("write {}", file.display()))?;
    println!(
        "wrote a {} byte inquiry.approved event to {}",
        body.len(),
        file.display()
    );
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let config = Config::from(&args)?;
    if let Some(file) = &args.payload_into {
        return write_payload(file, args.payload_bytes);
    }
    if let Some(dir) = &args.seed_into {
        let store =
            persona_inspector::store::Store::open(dir).context("open the data directory")?;
        let started = std::time::Instant::now();
        queries::seed(&store, config.rows)?;
        // The app purges past the saved retention at launch; the seed is kept whatever its age.
        let saved = store.settings().context("read the settings")?;
        store
            .save_settings(&persona_inspector::model::Saved {
                retention_days: None,
                ..saved
            })
            .context("keep the seed forever")?;
        println!(
            "seeded {} deliveries into {} in {:.1} s",
            config.rows,
            dir.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let summary = match (args.redelivery, args.hostile) {
        (true, _) => run_redelivery(&config)?,
        (false, true) => run_hostile(&config, &hostile::Attack::only(&args.attack))?,
        (false, false) => run(&config)?,
    };
    println!("\n{summary}");
    Ok(())
}

/// Every phase; returns the summary table.
fn run(config: &Config) -> Result<String> {
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
    Ok(summary(config, &web, &store, &redelivery))
}

/// `--redelivery`: that phase alone.
fn run_redelivery(config: &Config) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); re-delivery only",
        cores(),
        cpu_model()
    );
    println!("\n[re-delivery] vs a plain reqwest send, same bytes, same local server");
    let figures = redelivery::run(config)?;
    let mut t = String::new();
    row(&mut t, ["SUMMARY", "measured", "target", ""]);
    redelivery_summary(&mut t, &figures);
    let _ = writeln!(
        t,
        "({} cores, {} re-delivery sends each way)",
        config.threads, config.redeliveries
    );
    Ok(t)
}

/// `--hostile`: normal deliveries' latency alone and under hostile traffic, in one run.
fn run_hostile(config: &Config, attack: &hostile::Attack) -> Result<String> {
    println!(
        "persona-inspector bench: {} cores ({}); {:.1} s warm-up + {:.1} s per phase; hostile traffic",
        cores(),
        cpu_model(),
        config.warmup.as_secs_f64(),
        config.measure.as_secs_f64()
    );
    println!("\n[hostile] normal signed deliveries, alone then beside hostile traffic");
    let f = hostile::run(config, attack)?;
    let mut t = String::new();
    row(&mut t, ["SUMMARY", "measured", "", ""]);
    // A phase where no normal delivery was answered has no latency to show; say so.
    let latency = |l: &http::Load| match l.latencies.is_empty() {
        true => "none answered in the window".to_string(),
        false => format!("{} / {}", ms(l.percentile(0.5)), ms(l.percentile(0.99))),
    };
    let ratio = |p: f64| match f.attacked.latencies.is_empty() || f.quiet.latencies.is_empty() {
        true => "n/a".to_string(),
        false => format!(
            "{:.1}x",
            f.attacked.percentile(p).as_secs_f64() / f.quiet.percentile(p).as_secs_f64()
        ),
    };
    row(
        &mut t,
        [
            "normal throughput alone / attacked",
            &format!(
                "{:.0} / {:.0} req/s",
                f.quiet.throughput(),
                f.attacked.throughput()
            ),
            "",
            "",
        ],
    );
    row(
        &mut t,
        ["normal alone p50 / p99", &latency(&f.quiet), "", ""],
    );
    row(
        &mut t,
        [
            "normal under attack p50 / p99",
            &latency(&f.attacked),
            "",
            "",
        ],
    );
    row(
        &mut t,
        [
            "under attack / alone, p50 / p99",
            &format!("{} / {}", ratio(0.5), ratio(0.99)),
            "",
            "",
        ],
    );
    row(
        &mut t,
        [
            "normal requests not answered 200",
            &format!(
                "{} alone, {} under attack",
                f.quiet.failed, f.attacked.failed
            ),
            "",
            "",
        ],
    );
    let _ = writeln!(t, "signature floods: {}", f.floods.describe());
    let _ = writeln!(t, "big bodies: {}", f.huge.describe());
    let _ = writeln!(
        t,
        "slow-header connections closed by the listener: {}",
        f.slow_closed
    );
    let _ = writeln!(
        t,
        "({} cores, {:.1} s measured per phase)",
        config.threads,
        config.measure.as_secs_f64()
    );
    Ok(t)
}

fn row(t: &mut String, cells: [&str; 4]) {
    // `write!` to a String cannot fail.
    let _ = writeln!(
        t,
        "{:<34} {:>32}  {:<18} {}",
        cells[0], cells[1], cells[2], cells[3]
    );
}

fn redelivery_summary(t: &mut String, f: &redelivery::Figures) {
    let latency = |sorted: &[Duration]| {
        format!(
            "{} / {}",
            ms(percentile(sorted, 0.5)),
            ms(percentile(sorted, 0.99))
        )
    };
    row(t, ["direct send p50 / p99", &latency(&f.direct), "", ""]);
    row(
        t,
        ["re-delivery p50 / p99", &latency(&f.redelivery), "", ""],
    );
    row(
        t,
        [
            "re-delivery added, p50 of pairs",
            &format!("{:.2} ms", f.added_p50()),
            &format!("< {}", ms(redelivery::ADDED_TARGET)),
            verdict(f.met()),
        ],
    );
}

fn summary(
    config: &Config,
    web: &http::Figures,
    store: &queries::Figures,
    redelivery: &redelivery::Figures,
) -> String {
    let (bare, capture) = (&web.bare, &web.capture);
    let ratio = capture.throughput() / bare.throughput();
    let p99 = capture.percentile(0.99);
    let mut t = String::new();
    let mut line = |cells: [&str; 4]| row(&mut t, cells);
    line(["SUMMARY", "measured", "target", ""]);
    let latency = |l: &http::Load| {
        format!(
            "{} / {} / {}",
            ms(l.percentile(0.5)),
            ms(l.percentile(0.99)),
            ms(l.percentile(0.999))
        )
    };
    let (bare_rps, capture_rps) = (
        format!("{:.0} req/s", bare.throughput()),
        format!("{:.0} req/s", capture.throughput()),
    );
    line(["bare axum throughput", &bare_rps, "", ""]);
    line(["bare latency p50 / p99 / p99.9", &latency(bare), "", ""]);
    line(["capture throughput", &capture_rps, "", ""]);
    line([
        "capture latency p50 / p99 / p99.9",
        &latency(capture),
        "",
        "",
    ]);
    line([
        "capture / bare throughput",
        &format!("{ratio:.2}x"),
        ">= 0.5x",
        verdict(ratio >= 0.5),
    ]);
    line([
        "capture p99",
        &ms(p99),
        "<= 5 ms",
        verdict(p99 <= Duration::from_millis(5)),
    ]);
    line([
        &format!("seeding {} rows (insert_many)", store.rows),
        &format!(
            "{:.0} rows/s",
            store.rows as f64 / store.insert.as_secs_f64()
        ),
        "",
        "",
    ]);
    line([
        "database size",
        &format!("{:.0} MB", store.database_bytes as f64 / 1e6),
        "",
        "",
    ]);
    for q in &store.queries {
        line([
            &q.name,
            &format!("median {} / p99 {}", ms(q.median), ms(q.p99)),
            &format!("p99 <= {}", ms(q.target)),
            verdict(q.met()),
        ]);
    }
    redelivery_summary(&mut t, redelivery);
    let _ = writeln!(
        t,
        "({} cores, {} connections, {:.1} s per HTTP phase, {} query repetitions, {} re-delivery \
         sends each way)",
        config.threads,
        config.connections,
        config.measure.as_secs_f64(),
        config.reps,
        config.redeliveries
    );
    t
}

/// The value at quantile `p` of sorted durations (nearest rank); zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    match sorted.len() {
        0 => Duration::ZERO,
        n => sorted[rank.clamp(1, n) - 1],
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split_once(':')?.1.trim().to_string())
        })
        .unwrap_or_else(|| "CPU model unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole bench at toy scale, so it keeps compiling and working as the product changes.
    /// Only the checks are asserted; a debug build's figures say nothing.
    #[test]
    fn quick_mode_runs_end_to_end() {
        let config = Config {
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(400),
            connections: 8,
            threads: 2,
            pool: 64,
            rows: 300,
            reps: 3,
            redeliveries: 30,
        };
        let summary = run(&config).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(summary.contains("capture / bare throughput"), "{summary}");
        assert!(summary.contains("search common word"), "{summary}");
        assert!(summary.contains("re-delivery added"), "{summary}");
    }

    /// The hostile mode at toy scale: it runs, and normal deliveries keep being stored.
    #[test]
    fn hostile_mode_runs_end_to_end() {
        let config = Config {
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(400),
            connections: 8,
            threads: 2,
            pool: 64,
            rows: 300,
            reps: 3,
            redeliveries: 30,
        };
        // Small enough for a debug build: the full flood hashes 1.2 GB per request there.
        let attack = hostile::Attack {
            slow_headers: 4,
            floods: 1,
            flood_values: 20,
            flood_body: 4096,
            huge_senders: 1,
            huge_body: 1024 * 1024,
        };
        let summary = run_hostile(&config, &attack).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(summary.contains("under attack / alone"), "{summary}");
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms = |n| Duration::from_millis(n);
        let sorted: Vec<_> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&sorted, 0.5), ms(50));
        assert_eq!(percentile(&sorted, 0.99), ms(99));
        assert_eq!(percentile(&sorted, 0.999), ms(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
