//! The summary tables printed at the end of a run, one per mode: what was measured, against
//! which target, and whether it was met.

use std::fmt::Write as _;
use std::time::Duration;

use crate::config::Config;
use crate::stats::{ms, percentile, verdict};
use crate::{hostile, http, queries, redelivery};

pub fn every_phase(
    config: &Config,
    web: &http::Figures,
    store: &queries::Figures,
    redelivery: &redelivery::Figures,
) -> String {
    let mut t = String::new();
    row(&mut t, ["SUMMARY", "measured", "target", ""]);
    storage_rows(&mut t, web, store);
    redelivery_rows(&mut t, redelivery);
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

/// `--storage`: the capture and store phases' rows alone.
pub fn storage_only(config: &Config, web: &http::Figures, store: &queries::Figures) -> String {
    let mut t = String::new();
    row(&mut t, ["SUMMARY", "measured", "target", ""]);
    storage_rows(&mut t, web, store);
    let _ = writeln!(
        t,
        "({} cores, {} connections, {:.1} s per HTTP phase, {} query repetitions)",
        config.threads,
        config.connections,
        config.measure.as_secs_f64(),
        config.reps,
    );
    t
}

/// Capture against bare, what it wrote, the database's size and the queries.
fn storage_rows(t: &mut String, web: &http::Figures, store: &queries::Figures) {
    let (bare, capture) = (&web.bare, &web.capture);
    let ratio = capture.throughput() / bare.throughput();
    let p99 = capture.percentile(0.99);
    let mut line = |cells: [&str; 4]| row(t, cells);
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
    let p99_ratio = p99.as_secs_f64() / bare.percentile(0.99).as_secs_f64();
    line([
        "capture p99 / bare p99",
        &format!("{p99_ratio:.2}x"),
        "<= 2x",
        verdict(p99_ratio <= 2.0),
    ]);
    let amplification = web.write_amplification();
    line([
        "write amplification (all files)",
        &amplification.map_or("n/a (no /proc/self/io)".into(), |a| format!("{a:.2}x")),
        "<= 2.0x",
        verdict(amplification.is_some_and(|a| a <= 2.0)),
    ]);
    line([
        "  bytes written / body bytes",
        &format!(
            "{:.0} MB / {:.0} MB",
            web.written.unwrap_or(0) as f64 / 1e6,
            capture.body_bytes as f64 / 1e6
        ),
        "",
        "",
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
    let size_ratio = store.database_bytes as f64 / store.body_bytes.max(1) as f64;
    line([
        "database size at rest / body bytes",
        &format!("{size_ratio:.2}x"),
        "<= 0.35x",
        verdict(size_ratio <= 0.35),
    ]);
    line([
        "  db + search.db + WALs at rest / bodies",
        &format!(
            "{:.0} MB / {:.0} MB",
            store.database_bytes as f64 / 1e6,
            store.body_bytes as f64 / 1e6
        ),
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
}

/// `--redelivery`: that phase's rows alone.
pub fn redelivery_only(config: &Config, figures: &redelivery::Figures) -> String {
    let mut t = String::new();
    row(&mut t, ["SUMMARY", "measured", "target", ""]);
    redelivery_rows(&mut t, figures);
    let _ = writeln!(
        t,
        "({} cores, {} re-delivery sends each way)",
        config.threads, config.redeliveries
    );
    t
}

/// `--hostile`: normal deliveries alone against under attack, and how the listener answered
/// the hostile requests.
pub fn hostile(config: &Config, f: &hostile::Figures) -> String {
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
    t
}

fn redelivery_rows(t: &mut String, f: &redelivery::Figures) {
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

fn row(t: &mut String, cells: [&str; 4]) {
    // `write!` to a String cannot fail.
    let _ = writeln!(
        t,
        "{:<34} {:>32}  {:<18} {}",
        cells[0], cells[1], cells[2], cells[3]
    );
}
