//! How the store's body dictionary v2 was chosen: dictionaries of 16, 32 and 64 KB trained on
//! the catalog's samples, each at zstd levels 1, 2 and 3, measured on held-out samples (seeds
//! not trained on) and on this bench's own bodies, against v1 and no dictionary. Run it in
//! release (the timings of an unoptimised zstd say nothing):
//!
//! ```sh
//! nice cargo test --release -p persona-inspector-bench dictionary_choice -- --ignored --nocapture
//! ```

use std::time::Instant;

use zstd::bulk::Compressor;

use crate::payload::{Event, Rng, event_body};

const NOW: i64 = 1_700_000_000_000;

const V1: &[u8] = include_bytes!("../../src/store/body_dict_v1.bin");

/// Bodies as the storage bench seeds them: 3-6 KB inquiry events with an included
/// government ID verification and its checks.
fn bench_bodies(n: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(2);
    (0..n)
        .map(|_| {
            let (event_id, resource_id) = (rng.id("evt"), rng.id("inq"));
            let size = 3000 + rng.below(3000);
            let event = Event {
                name: "inquiry.approved",
                event_id: &event_id,
                resource_id: &resource_id,
                account_id: "act_BenchAccount0000000000001",
                created_at_ms: NOW,
                size,
            };
            event_body(&mut rng, &event)
        })
        .collect()
}

/// Compressed bytes over raw bytes, and microseconds per body (the fastest of fifteen passes),
/// with one reused context (as the store compresses).
fn measure(dictionary: Option<&[u8]>, level: i32, bodies: &[Vec<u8>]) -> (f64, f64) {
    let mut compressor = match dictionary {
        Some(dictionary) => Compressor::with_dictionary(level, dictionary),
        None => Compressor::new(level),
    }
    .expect("a compressor");
    let (mut stored, mut raw) = (0, 0);
    // Once to warm up, then timed.
    for body in bodies {
        stored += compressor.compress(body).expect("compressed").len();
        raw += body.len();
    }
    // The fastest of fifteen passes: the machine is shared, and other work only ever adds time.
    let micros = (0..15)
        .map(|_| {
            let started = Instant::now();
            for body in bodies {
                std::hint::black_box(compressor.compress(body).expect("compressed"));
            }
            started.elapsed().as_secs_f64() * 1e6 / bodies.len() as f64
        })
        .fold(f64::INFINITY, f64::min);
    (stored as f64 / raw as f64, micros)
}

#[test]
#[ignore = "a measurement, run by hand in release"]
fn dictionary_choice() {
    let training = persona_inspector::sample::training_bodies(NOW).expect("samples");
    let held_out = persona_inspector::sample::held_out_bodies(NOW).expect("samples");
    let bench = bench_bodies(2_000);
    // The held-out government ID verifications (as in store/body.rs's bound test).
    let government_id: Vec<Vec<u8>> = (2_000..2_400)
        .filter_map(|seed| {
            let options = persona_inspector::sample::Options {
                seed: Some(seed),
                ..persona_inspector::sample::Options::new("verification.passed", NOW)
            };
            let sample = persona_inspector::sample::generate(&options).expect("a sample");
            (sample.resource.kind == "verification/government-id").then_some(sample.body)
        })
        .collect();
    println!(
        "{} training samples, {} held-out samples ({:.0} B average), {} bench bodies ({:.0} B average)",
        training.len(),
        held_out.len(),
        held_out.iter().map(Vec::len).sum::<usize>() as f64 / held_out.len() as f64,
        bench.len(),
        bench.iter().map(Vec::len).sum::<usize>() as f64 / bench.len() as f64
    );
    let with_checks = |bodies: &[Vec<u8>]| {
        bodies
            .iter()
            .filter(|b| String::from_utf8_lossy(b).contains("id_tamper_detection"))
            .count()
    };
    println!(
        "government ID checks lists: {} training samples, {} held-out",
        with_checks(&training),
        with_checks(&held_out)
    );
    let mut dictionaries: Vec<(String, Option<Vec<u8>>)> = vec![
        ("none".into(), None),
        ("v1 16 KB".into(), Some(V1.to_vec())),
    ];
    for kb in [16, 32, 64] {
        let trained = zstd::dict::from_samples(&training, kb * 1024).expect("trained");
        dictionaries.push((format!("v2 {kb} KB"), Some(trained)));
    }
    println!(
        "| dictionary | level | held-out samples | µs/body | held-out government ID ({}) | bench bodies | µs/body |",
        government_id.len()
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, dictionary) in &dictionaries {
        for level in [1, 2, 3] {
            let (held, held_us) = measure(dictionary.as_deref(), level, &held_out);
            let (checks, _) = measure(dictionary.as_deref(), level, &government_id);
            let (ours, ours_us) = measure(dictionary.as_deref(), level, &bench);
            println!(
                "| {name} | {level} | {held:.3}x | {held_us:.1} | {checks:.3}x | {ours:.3}x | {ours_us:.1} |"
            );
        }
    }
}

/// Packs: `group` consecutive bench bodies in one frame (dictionary v2) at `level`; their
/// bytes over the bodies', microseconds to compress one pack per body, and microseconds to
/// decompress a whole pack (what reading one body of it costs), the fastest of five passes.
fn packs(level: i32, group: usize, bodies: &[Vec<u8>]) -> (f64, f64, f64) {
    const V2: &[u8] = include_bytes!("../../src/store/body_dict_v2.bin");
    let mut c = Compressor::with_dictionary(level, V2).expect("c");
    let mut d = zstd::bulk::Decompressor::with_dictionary(V2).expect("d");
    let joined: Vec<Vec<u8>> = bodies.chunks(group).map(|chunk| chunk.concat()).collect();
    let raw: usize = bodies.iter().map(Vec::len).sum();
    let frames: Vec<Vec<u8>> = joined.iter().map(|j| c.compress(j).expect("x")).collect();
    let stored: usize = frames.iter().map(Vec::len).sum();
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed().as_secs_f64() * 1e6
            })
            .fold(f64::INFINITY, f64::min)
    };
    let compress_us = best(&mut || {
        for j in &joined {
            std::hint::black_box(c.compress(j).expect("x"));
        }
    }) / bodies.len() as f64;
    let decompress_us = best(&mut || {
        for (f, j) in frames.iter().zip(&joined) {
            std::hint::black_box(d.decompress(f, j.len()).expect("d"));
        }
    }) / frames.len() as f64;
    (stored as f64 / raw as f64, compress_us, decompress_us)
}

/// What chose the pack's size and level (store/packs.rs):
/// `nice cargo test --release -p persona-inspector-bench pack_choice -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, run by hand in release"]
fn pack_choice() {
    let bench = bench_bodies(2_048);
    println!(
        "| bodies a pack | level | stored / bodies | µs to pack, a body | µs to open a pack |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for group in [1, 4, 8, 16, 32] {
        for level in [1, 2, 3, 5] {
            let (ratio, c_us, d_us) = packs(level, group, &bench);
            println!("| {group} | {level} | {ratio:.3}x | {c_us:.1} | {d_us:.0} |");
        }
    }
}

#[test]
#[ignore = "a measurement, run by hand in release"]
fn level_and_grouping() {
    const V2: &[u8] = include_bytes!("../../src/store/body_dict_v2.bin");
    let bench = bench_bodies(2_000);
    let raw: usize = bench.iter().map(Vec::len).sum();
    for level in [2, 3, 5, 9, 15, 19, 22] {
        let (ratio, us) = measure(Some(V2), level, &bench[..400]);
        println!("v2 level {level}: {ratio:.3}x {us:.0} us/body");
    }
    for group in [4, 16, 64] {
        for level in [3, 9, 19] {
            let mut c = Compressor::with_dictionary(level, V2).expect("c");
            let mut stored = 0;
            for chunk in bench.chunks(group) {
                let joined: Vec<u8> = chunk.concat();
                stored += c.compress(&joined).expect("x").len();
            }
            println!(
                "groups of {group}, level {level}: {:.3}x",
                stored as f64 / raw as f64
            );
        }
    }
}
