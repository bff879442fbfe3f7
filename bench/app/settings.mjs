// What a run of the desktop app's figures measures and against what: read from the environment
// (see figures.mjs for the variables) once, at import.

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';

import { ROOT } from '../../ui/e2e/app.mjs';

export const QUICK = process.env.BENCH_APP_QUICK === '1';
/** BENCH_APP_ONLY=payload,scroll: only these phases (launch, memory, payload, scroll, arrival). */
export const ONLY = process.env.BENCH_APP_ONLY ? process.env.BENCH_APP_ONLY.split(',').map((s) => s.trim()) : null;
export const BINARY = resolve(ROOT, process.env.PERSONA_INSPECTOR_APP ?? 'target/bench-app/persona-inspector-app');
/** The launch baseline: an empty Tauri window (bench/minimal-app), same Tauri, same profile. */
export const MINIMAL = resolve(ROOT, process.env.BENCH_APP_MINIMAL ?? 'target/bench-app/minimal-tauri-app');
export const SEED = resolve(ROOT, process.env.BENCH_APP_SEED ?? 'target/bench-app/seed-100k');
export const SEED_ROWS = 100_000;
export const LAUNCHES = Number(process.env.BENCH_APP_LAUNCHES) || (QUICK ? 2 : 7);
export const MEMORY_RUNS = QUICK ? 1 : 3;
export const IDLE_MS = 5_000;
export const PAYLOAD_ROUNDS = QUICK ? 2 : 5;
/** The 5 MB event, made by the benchmarks' payload generator (bench/src/payload.rs). */
export const PAYLOAD = resolve(ROOT, process.env.BENCH_APP_PAYLOAD ?? 'target/bench-app/payload-5mb.json');
/** After opening a delivery, how long "after the pre-parse" waits before the tab click. */
export const PREPARSED_WAIT_MS = 3_000;
export const JUMPS_RANDOM = QUICK ? 3 : 10;
export const TARGET_LAUNCH_MS = 1_000;
/** The launch target: the app at most this many times the minimal Tauri app (medians). */
export const TARGET_LAUNCH_RATIO = 1.25;
/** The idle memory target: app + WebKit processes, PSS. */
export const TARGET_IDLE_PSS_MIB = 200;
/** The scroll target: frame interval p95 at most this many times the idle p95. */
export const TARGET_SCROLL_RATIO = 2;
export const TARGET_TREE_MS = 300;
/** Row click → the detail's Overview painted, for the 5 MB delivery (issue 15). */
export const TARGET_OPEN_MS = 300;
/** The arrival phase: deliveries sent one at a time at this pace, then bursts sent at once. */
export const ARRIVAL_PACED = QUICK ? 30 : 150;
export const ARRIVAL_PER_SECOND = 5;
export const ARRIVAL_BURSTS = QUICK ? 2 : 5;
export const ARRIVAL_BURST_SIZE = 10;
/** The listener's answer at the sender → the row drawn in the window, p99 (issue 15). */
export const TARGET_ARRIVAL_P99_MS = 100;
/** A frame interval this long is a stall anyone sees (6 frames missed at 60 Hz). */
export const STALL_MS = 100;

// The harness (app.mjs) reads the binary from here.
process.env.PERSONA_INSPECTOR_APP = BINARY;
/** Every process this run starts carries it, so none can outlive the run unnoticed. */
export const MARKER = `PERSONA_BENCH_APP_RUN=${randomUUID()}`;
export const [MARKER_NAME, MARKER_VALUE] = MARKER.split('=');
