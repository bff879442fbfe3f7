// The desktop app's performance figures, measured on the real release binary under a display
// (`make bench-app`, which runs this file as
// `xvfb-run -a dbus-run-session -- node bench/app/figures.mjs`), driven through the window
// tests' harness (ui/e2e/app.mjs, ui/e2e/window.mjs). Figures and how they are taken are
// described in BENCHMARKS.md ("Desktop app"); in short:
//
//   1. launch → interactive window: the binary spawned directly (no WebDriver), on an empty
//      data directory and on a copy of a 100 000-delivery one, alternating with a minimal Tauri
//      app (bench/minimal-app); each logs `window interactive <N> ms after launch` once its
//      first frame is up (the app: its first list; N from the start of its main), and this
//      script also times spawn → that line. The figure is the app's median over the minimal's.
//   2. idle memory: the app and every process under it (WebKitWebProcess, WebKitNetworkProcess),
//      RSS and PSS from /proc/<pid>/smaps_rollup, 5 s after the window is interactive and once
//      they are quiet (WebKit keeps painting for a while with 100k rows), empty store and 100k,
//      and the minimal Tauri app's (WebKit's floor).
//   3. a 5 MB payload's tree: through WebDriver, POST a ~5 MB Persona event (written by
//      `bench --payload-into`, the benchmarks' one payload generator), open it, and time in
//      the page from the Payload tab's click to the frame that paints the tree's first rows, both
//      right after opening (the body is decoded and parsed on the click) and after the detail
//      view's background pre-parse.
//   4. scrolling 100 000 deliveries: rAF frame intervals while a script scrolls the list by a
//      fixed step per frame (against an idle-frame baseline taken just before), and the time for
//      rows to fill after jumping to the middle, the end and random places.
//   5. arrival → row on screen: deliveries POSTed a few a second and in bursts; for each, the
//      listener's answer at the sender → the frame that draws its row (arrival.mjs).
//
// Environment: PERSONA_INSPECTOR_APP (the binary; default target/bench-app/persona-inspector-app,
// the private copy `make bench-app` takes of target/release/persona-inspector-app),
// BENCH_APP_MINIMAL (the minimal Tauri app; default target/bench-app/minimal-tauri-app),
// BENCH_APP_SEED (the 100k data directory; default target/bench-app/seed-100k),
// BENCH_APP_PAYLOAD (the 5 MB event; default target/bench-app/payload-5mb.json),
// BENCH_APP_LAUNCHES (timed launches per store; default 7), BENCH_APP_QUICK=1 (fewer repetitions:
// a smoke run, not figures to quote), BENCH_APP_ONLY=launch,memory,payload,scroll,arrival (some phases).
//
// This file is the entry point: it checks what a run needs, runs the phases (launch.mjs,
// memory.mjs, payload.mjs, scroll.mjs, arrival.mjs) and prints the summary.

import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { now } from './clock.mjs';
import { WORK } from './data-dirs.mjs';
import { launches } from './launch.mjs';
import { idleMemory } from './memory.mjs';
import { payloadTree } from './payload.mjs';
import { arrivalToRow } from './arrival.mjs';
import { killStrays } from './processes.mjs';
import { busy, load, log, summary, timedPhase } from './report.mjs';
import { scrolling } from './scroll.mjs';
import { BINARY, LAUNCHES, MINIMAL, ONLY, PAYLOAD_ROUNDS, QUICK, SEED, SEED_ROWS } from './settings.mjs';

function preflight() {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error('No display: run `make bench-app`, or `xvfb-run -a dbus-run-session -- node bench/app/figures.mjs`.');
  }
  try {
    accessSync(BINARY, constants.X_OK);
  } catch {
    throw new Error(
      `No app binary at ${BINARY}: \`make bench-app\` builds it (npm --prefix ui run build && npx --prefix ui tauri build --no-bundle, then a private copy). A plain cargo build cannot load the UI.`,
    );
  }
  const wants = (phase) => ONLY === null || ONLY.includes(phase);
  if (wants('launch') || wants('memory')) {
    try {
      accessSync(MINIMAL, constants.X_OK);
    } catch {
      throw new Error(
        `No minimal Tauri app at ${MINIMAL}: \`make bench-app\` builds it (cargo build --release -p persona-inspector-minimal-app --features tauri/custom-protocol, then a private copy).`,
      );
    }
  }
  if (['launch', 'memory', 'scroll'].some(wants) && !existsSync(join(SEED, 'inspector.db'))) {
    throw new Error(
      `No 100k-row data directory at ${SEED}: \`make bench-app\` seeds it (cargo run --release --locked -p persona-inspector-bench --bin bench -- --seed-into DIR --rows ${SEED_ROWS}).`,
    );
  }
}

async function main() {
  preflight();
  const built = statSync(BINARY).mtime.toISOString().replace('T', ' ').slice(0, 19);
  log(
    `persona-inspector desktop app figures${QUICK ? ' (QUICK: a smoke run, not figures to quote)' : ''}\n` +
      `binary ${BINARY} (built ${built} UTC)\n` +
      `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${load()}; display ${process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY} ` +
      `(Xvfb: no GPU, WebKit renders in software)`,
  );
  const started = now();
  try {
    const phases = { launch: launches, memory: idleMemory, payload: payloadTree, scroll: scrolling, arrival: arrivalToRow };
    for (const [name, phase] of Object.entries(phases)) {
      if (ONLY === null || ONLY.includes(name)) await timedPhase(name, phase);
    }
  } finally {
    await killStrays().catch((e) => log(`warning: ${e.message}`));
    rmSync(WORK, { recursive: true, force: true });
  }
  const widths = [0, 1, 2].map((i) => Math.max(...summary.map((r) => r[i].length), ['SUMMARY', 'measured', 'target'][i].length));
  const line = (r) => `${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd();
  log(`\n${line(['SUMMARY', 'measured', 'target', ''])}`);
  for (const r of summary) log(line(r));
  log(
    `(${cpus().length} shared cores, Xvfb without GPU: WebKit composites in software; ${LAUNCHES} launches per store, ` +
      `${PAYLOAD_ROUNDS} payload rounds; load at the end ${load()}; ${((now() - started) / 1000).toFixed(0)} s in all)\n` +
      `(machine CPU busy, all processes: ${Object.entries(busy).map(([k, v]) => `${k} ${v.toFixed(0)}%`).join(', ')})`,
  );
}

main().catch((e) => {
  console.error(`\nbench-app failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});
