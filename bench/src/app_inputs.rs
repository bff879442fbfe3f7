//! What the desktop app's figures (bench/app/figures.mjs) start from, made by this bench's
//! payload generator: the 5 MB event (`--payload-into`) and the 100k data directory
//! (`--seed-into`).

use std::path::Path;

use crate::failure::{Context, Result};
use crate::{payload, queries};

/// `--payload-into`: an `inquiry.approved` event whose inquiry relates to government-id
/// verifications, all included with their checks, about `bytes` long; the same bytes every run.
pub fn write_payload(file: &Path, bytes: usize) -> Result<()> {
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

/// `--seed-into`: `rows` deliveries stored in the data directory `dir`, kept whatever their age.
pub fn seed_into(dir: &Path, rows: usize) -> Result<()> {
    let store = persona_inspector::store::Store::open(dir).context("open the data directory")?;
    let started = std::time::Instant::now();
    queries::seed(&store, rows)?;
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
        rows,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
