// The desktop app's performance figures, measured on the real release binary under a display
// (`make bench-app`, which runs this file as
// `xvfb-run -a dbus-run-session -- node bench/app/figures.mjs`), driven through the window
// tests' harness (ui/e2e/app.mjs, ui/e2e/window.mjs). Figures and how they are taken are
// described in BENCHMARKS.md ("Desktop app"); in short:
//
//   1. launch → interactive window: the binary spawned directly (no WebDriver), once on an empty
//      data directory and once on a copy of a 100 000-delivery one, interleaved; the app logs
//      `window interactive <N> ms after launch` when its first list is on screen (N from the start
//      of its run()), and this script also times spawn → that line.
//   2. idle memory: the app and every process under it (WebKitWebProcess, WebKitNetworkProcess),
//      RSS and PSS from /proc/<pid>/smaps_rollup, 5 s after the window is interactive and once
//      they are quiet (WebKit keeps painting for a while with 100k rows), empty store and 100k.
//   3. a 5 MB payload's tree: through WebDriver, POST a ~5 MB Persona event (written by
//      `bench --payload-into`, the benchmarks' one payload generator), open it, and time in
//      the page from the Payload tab's click to the frame that paints the tree's first rows, both
//      right after opening (the body is decoded and parsed on the click) and after the detail
//      view's background pre-parse.
//   4. scrolling 100 000 deliveries: rAF frame intervals while a script scrolls the list by a
//      fixed step per frame (against an idle-frame baseline taken just before), and the time for
//      rows to fill after jumping to the middle, the end and random places.
//
// Environment: PERSONA_INSPECTOR_APP (the binary; default target/bench-app/persona-inspector-app,
// the private copy `make bench-app` takes of target/release/persona-inspector-app),
// BENCH_APP_SEED (the 100k data directory; default target/bench-app/seed-100k),
// BENCH_APP_PAYLOAD (the 5 MB event; default target/bench-app/payload-5mb.json),
// BENCH_APP_LAUNCHES (timed launches per store; default 7), BENCH_APP_QUICK=1 (fewer repetitions:
// a smoke run, not figures to quote), BENCH_APP_ONLY=launch,memory,payload,scroll (some phases).

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

import { launchApp, postDelivery, ROOT } from '../../ui/e2e/app.mjs';
import { tid } from '../../ui/e2e/window.mjs';

const QUICK = process.env.BENCH_APP_QUICK === '1';
/** BENCH_APP_ONLY=payload,scroll: only these phases (launch, memory, payload, scroll). */
const ONLY = process.env.BENCH_APP_ONLY ? process.env.BENCH_APP_ONLY.split(',').map((s) => s.trim()) : null;
const BINARY = resolve(ROOT, process.env.PERSONA_INSPECTOR_APP ?? 'target/bench-app/persona-inspector-app');
const SEED = resolve(ROOT, process.env.BENCH_APP_SEED ?? 'target/bench-app/seed-100k');
const SEED_ROWS = 100_000;
const LAUNCHES = Number(process.env.BENCH_APP_LAUNCHES) || (QUICK ? 2 : 7);
const MEMORY_RUNS = QUICK ? 1 : 3;
const IDLE_MS = 5_000;
const PAYLOAD_ROUNDS = QUICK ? 2 : 5;
/** The 5 MB event, made by the benchmarks' payload generator (bench/src/payload.rs). */
const PAYLOAD = resolve(ROOT, process.env.BENCH_APP_PAYLOAD ?? 'target/bench-app/payload-5mb.json');
/** After opening a delivery, how long "after the pre-parse" waits before the tab click. */
const PREPARSED_WAIT_MS = 3_000;
const JUMPS_RANDOM = QUICK ? 3 : 10;
const TARGET_LAUNCH_MS = 1_000;
const TARGET_TREE_MS = 300;
/** A frame interval this long is a stall anyone sees (6 frames missed at 60 Hz). */
const STALL_MS = 100;

// The harness (app.mjs) reads the binary from here.
process.env.PERSONA_INSPECTOR_APP = BINARY;
/** Every process this run starts carries it, so none can outlive the run unnoticed. */
const MARKER = `PERSONA_BENCH_APP_RUN=${randomUUID()}`;
const [MARKER_NAME, MARKER_VALUE] = MARKER.split('=');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

// ---- statistics and formatting ------------------------------------------------------------

/** Nearest-rank percentile of `values` (0 < p ≤ 1). */
function pct(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
const median = (v) => pct(v, 0.5);
const max = (v) => (v.length === 0 ? NaN : Math.max(...v));
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 1 : 0)} ms` : 'n/a');
const mb = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The machine's CPU counters (all processes): to say how busy it was around a phase. */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { idle: f[3] + f[4], total: f.slice(0, 8).reduce((a, b) => a + b, 0), steal: f[7] };
}
const busy = {};
/** Runs `phase`, noting how busy the whole machine was (every process, ours too) meanwhile. */
async function timedPhase(name, phase) {
  const before = cpuTimes();
  try {
    return await phase();
  } finally {
    const after = cpuTimes();
    const total = after.total - before.total;
    busy[name] = total > 0 ? (100 * (total - (after.idle - before.idle))) / total : NaN;
    log(`  (machine CPU busy ${busy[name].toFixed(0)}% during this phase, all processes; steal ${total > 0 ? ((100 * (after.steal - before.steal)) / total).toFixed(1) : '?'}%)`);
  }
}

function log(...args) {
  console.log(...args);
}

/** Rows for the final summary: [name, measured, target, verdict]. */
const summary = [];
function figure(name, measured, target = '', verdict = '') {
  summary.push([name, measured, target, verdict]);
}
const verdict = (ok) => (ok ? 'met' : 'NOT met');

// ---- processes -----------------------------------------------------------------------------

function readStat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // Fields from 3 on (state is field 3): ppid 4, pgrp 5, utime 14, stime 15.
  // starttime (field 22): clock ticks after boot, 10 ms apart.
  return { ppid: Number(rest[1]), pgrp: Number(rest[2]), cpuTicks: Number(rest[11]) + Number(rest[12]), startTicks: Number(rest[19]) };
}

function allPids() {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

/** `root` and every process below it. */
function descendants(root) {
  const children = new Map();
  for (const pid of allPids()) {
    try {
      const { ppid } = readStat(pid);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch {
      // gone
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function processName(pid) {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0.split('/').pop() || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Rss and Pss (KiB) from smaps_rollup. */
function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('Rss'), pss: field('Pss') };
}

/** Processes (not us) whose environment carries this run's marker. */
function strays() {
  const needle = `${MARKER}\0`;
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle);
    } catch {
      return false;
    }
  });
}

async function killStrays() {
  for (let i = 0; i < 30; i++) {
    const left = strays();
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(100);
  }
  throw new Error(`processes of this run would not die: ${strays().join(', ')}`);
}

/** CPU ticks (1/100 s) used so far by `pids` together; vanished ones count 0. */
function ticksOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += readStat(pid).cpuTicks;
    } catch {
      // gone
    }
  }
  return sum;
}

/**
 * Waits until the processes `pids()` use under `thresholdPct` of a core over a second (WebKit
 * keeps painting tiles in the background after a launch), at most `maxMs`. Resolves with how
 * long it waited and whether they went quiet.
 */
async function waitQuiet(pids, { thresholdPct = 5, maxMs = 30_000 } = {}) {
  const started = now();
  while (now() - started < maxMs) {
    const set = pids();
    const before = ticksOf(set);
    const t = now();
    await sleep(1_000);
    // A tick is 10 ms of CPU: percent of one core = ticks × 10 ms / elapsed ms × 100.
    const pctUsed = ((ticksOf(set) - before) * 1_000) / (now() - t);
    if (pctUsed < thresholdPct) return { waitedMs: now() - started, quiet: true };
  }
  return { waitedMs: now() - started, quiet: false };
}

const groups = new Set();
process.on('exit', () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * Spawns the app binary directly (its own process group) on `dataDir` under the display, and
 * resolves once it logs that its window is interactive: { pid, appMs, wallMs, stop() }.
 */
async function launchDirect(dataDir, { timeoutMs = 60_000 } = {}) {
  const started = now();
  const child = spawn(BINARY, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PERSONA_INSPECTOR_DATA_DIR: dataDir,
      PERSONA_INSPECTOR_PORT: '0',
      NO_AT_BRIDGE: '1', // as in the GUI tests: no accessibility bus of GTK's own to start
      NO_COLOR: '1',
      [MARKER_NAME]: MARKER_VALUE,
    },
  });
  groups.add(child.pid);
  let output = '';
  let exited = null;
  const exit = new Promise((r) => child.once('exit', (code, signal) => r((exited = { code, signal }))));
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "window interactive" line within ${timeoutMs} ms; output:\n${output.slice(-3000)}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      // tracing writes to stdout; stderr is read too, in case that changes.
      const m = /window interactive (\d+) ms after launch/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveReady({ appMs: Number(m[1]), wallMs: now() - started });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('error', reject);
    exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${JSON.stringify(exited)}) before its window was interactive:\n${output.slice(-3000)}`));
    });
  });
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone
      }
      const done = await Promise.race([exit.then(() => true), sleep(3_000).then(() => false)]);
      if (!done) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
        await exit;
      }
    }
    try {
      process.kill(-child.pid, 'SIGKILL'); // anything of the group still there
    } catch {
      // none
    }
    groups.delete(child.pid);
    await killStrays();
  };
  try {
    const r = await ready;
    // When WebKit's web process started, after the app's own start (10 ms resolution): the app's
    // side of the launch (GTK, the engine, the webview) against WebKit's (the page, the UI).
    let webProcessMs = NaN;
    try {
      const appStart = readStat(child.pid).startTicks;
      const web = descendants(child.pid).find((pid) => processName(pid) === 'WebKitWebProcess');
      if (web !== undefined) webProcessMs = (readStat(web).startTicks - appStart) * 10;
    } catch {
      // gone
    }
    return { pid: child.pid, ...r, webProcessMs, stop, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---- data directories ----------------------------------------------------------------------

const WORK = join(ROOT, 'target', 'bench-app', `run-${process.pid}`);

function emptyDir(name) {
  mkdirSync(WORK, { recursive: true });
  return mkdtempSync(join(WORK, `${name}-`));
}

/** A private copy of the 100k seed (a launch may write to its data directory). */
function seedCopy(name) {
  const dir = emptyDir(name);
  const t = now();
  cpSync(SEED, dir, { recursive: true });
  log(`  (copied the 100k seed to ${dir} in ${((now() - t) / 1000).toFixed(1)} s)`);
  return dir;
}

// ---- 1. launch to interactive --------------------------------------------------------------

async function launches() {
  log(`\n[1/4] launch → interactive window (release binary spawned directly, no WebDriver)`);
  const stores = { empty: emptyDir('launch-empty'), '100k': seedCopy('launch-100k') };
  const results = { empty: [], '100k': [] };
  const firsts = {};
  // One untimed launch of each first (page cache, the store's first open), then timed ones,
  // alternating so both see the same background load.
  for (let i = -1; i < LAUNCHES; i++) {
    for (const store of ['empty', '100k']) {
      const app = await launchDirect(stores[store]);
      await app.stop();
      if (i < 0) firsts[store] = app;
      else results[store].push(app);
      log(
        `  ${i < 0 ? 'warm-up' : `#${i + 1}     `} ${store.padEnd(5)}  app ${ms(app.appMs).padStart(8)}   spawn→line ${ms(app.wallMs).padStart(8)}   web process started +${ms(app.webProcessMs)}   load ${load()}`,
      );
      await sleep(500);
    }
  }
  const stat = (store, key) => results[store].map((r) => r[key]);
  for (const store of ['empty', '100k']) {
    const label = store === 'empty' ? 'empty store' : '100k rows';
    const app = stat(store, 'appMs');
    const wall = stat(store, 'wallMs');
    log(
      `  ${label}: app-reported median ${ms(median(app))}, max ${ms(max(app))}; spawn→line median ${ms(median(wall))}, max ${ms(max(wall))} (${LAUNCHES} launches; first, untimed: ${ms(firsts[store].appMs)})`,
    );
    figure(
      `launch → interactive, ${label} (app log)`,
      `median ${ms(median(app))} / max ${ms(max(app))}`,
      `<= ${TARGET_LAUNCH_MS} ms`,
      verdict(median(app) <= TARGET_LAUNCH_MS),
    );
    figure(
      `launch → interactive, ${label} (spawn → line)`,
      `median ${ms(median(wall))} / max ${ms(max(wall))}`,
      `<= ${TARGET_LAUNCH_MS} ms`,
      verdict(median(wall) <= TARGET_LAUNCH_MS),
    );
  }
  figure(
    '  of which: app start → WebKit web process start',
    `empty ${ms(median(stat('empty', 'webProcessMs')))} / 100k ${ms(median(stat('100k', 'webProcessMs')))} (median)`,
  );
  figure('launch 100k rows / empty store (median, app log)', ratio(median(stat('100k', 'appMs')), median(stat('empty', 'appMs'))));
  for (const dir of Object.values(stores)) rmSync(dir, { recursive: true, force: true });
}

// ---- 2. idle memory ------------------------------------------------------------------------

/** RSS and PSS (KiB) of `pids` summed, with one "name rss/pss" note per process. */
function memoryOfAll(pids) {
  let rss = 0;
  let pss = 0;
  const parts = [];
  for (const pid of pids) {
    let m;
    try {
      m = memoryOf(pid);
    } catch {
      continue; // gone
    }
    rss += m.rss;
    pss += m.pss;
    parts.push(`${processName(pid)} ${mb(m.rss)}/${mb(m.pss)}`);
  }
  return { rss, pss, parts };
}

async function idleMemory() {
  log(
    `\n[2/4] idle memory: the app and the processes under it, RSS/PSS from smaps_rollup, ${IDLE_MS / 1000} s after its window is interactive ` +
      `and once they use < 5% of a core`,
  );
  const stores = { empty: emptyDir('memory-empty'), '100k': seedCopy('memory-100k') };
  const totals = { empty: [], '100k': [] };
  for (let run = 0; run < MEMORY_RUNS; run++) {
    for (const store of ['empty', '100k']) {
      const app = await launchDirect(stores[store]);
      try {
        const cpuBefore = new Map(descendants(app.pid).map((pid) => [pid, readStat(pid).cpuTicks]));
        await sleep(IDLE_MS);
        const at5 = memoryOfAll(descendants(app.pid));
        // CPU in those first seconds, per process (a tick is 10 ms: % of a core = ticks × 1000 / ms).
        const cpu = descendants(app.pid).map((pid) => {
          const used = ticksOf([pid]) - (cpuBefore.get(pid) ?? 0);
          return { name: processName(pid), pct: (used * 1_000) / IDLE_MS };
        });
        const cpuTotal = cpu.reduce((a, c) => a + c.pct, 0);
        const settled = await waitQuiet(() => descendants(app.pid));
        const idle = memoryOfAll(descendants(app.pid));
        totals[store].push({ ...idle, at5, cpuTotal, settled });
        log(
          `  ${store.padEnd(5)} #${run + 1}: PSS ${mb(idle.pss)}, RSS ${mb(idle.rss)} [${idle.parts.join(', ')}] (RSS/PSS each)\n` +
            `            in the first ${IDLE_MS / 1000} s: CPU ${cpuTotal.toFixed(0)}% of a core [${cpu.map((c) => `${c.name} ${c.pct.toFixed(0)}%`).join(', ')}]; ` +
            `PSS at ${IDLE_MS / 1000} s ${mb(at5.pss)}; ${settled.quiet ? `quiet ${(settled.waitedMs / 1000).toFixed(1)} s later` : `still busy after ${(settled.waitedMs / 1000).toFixed(0)} s more`}`,
        );
      } finally {
        await app.stop();
      }
      await sleep(500);
    }
  }
  const pick = (store, key) => median(totals[store].map((t) => t[key]));
  for (const store of ['empty', '100k']) {
    const label = store === 'empty' ? 'empty store' : '100k rows';
    figure(`idle memory, ${label} (app + WebKit processes)`, `PSS ${mb(pick(store, 'pss'))} / RSS ${mb(pick(store, 'rss'))}`);
    figure(
      `  CPU in the first ${IDLE_MS / 1000} s after interactive`,
      `median ${pick(store, 'cpuTotal').toFixed(0)}% of a core`,
    );
  }
  figure('idle PSS 100k rows / empty store', ratio(pick('100k', 'pss'), pick('empty', 'pss')));
  for (const dir of Object.values(stores)) rmSync(dir, { recursive: true, force: true });
}

// ---- 3. a 5 MB payload's tree --------------------------------------------------------------

/**
 * Opens delivery `id` in the page and times it, then clicks the `tab` tab and times its first
 * paint: at once when the detail has loaded (waitBeforeTabMs = 0: before the detail view's
 * pre-parse, which starts 150 ms later), or `waitBeforeTabMs` after the Overview was painted.
 */
const OPEN_AND_TAB = `
  const [id, tab, waitBeforeTabMs, rowsCss] = arguments;
  const done = arguments[arguments.length - 1];
  const t = {};
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  // The first task after a frame: that frame's paint has been issued.
  const afterFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const fail = (why) => done({ error: why, t });
  /** Resolves (with its time) when test() holds, checked on every DOM change. */
  const when = (test, timeoutMs) => new Promise((resolve) => {
    if (test()) return resolve(performance.now());
    const mo = new MutationObserver(() => { if (test()) { mo.disconnect(); resolve(performance.now()); } });
    mo.observe(document.body, { subtree: true, childList: true, attributes: true });
    setTimeout(() => { mo.disconnect(); resolve(null); }, timeoutMs);
  });
  const clickTab = () => {
    const tabEl = document.querySelector('[data-testid="tab-' + tab + '"]');
    if (!tabEl) return false;
    t.tabClick = performance.now();
    tabEl.click();
    t.clickReturned = performance.now();
    return true;
  };
  (async () => {
    const row = document.querySelector('[data-testid="delivery-row"][data-id="' + id + '"]');
    if (!row) return fail('no row for delivery ' + id);
    if (document.querySelector('[data-testid="detail"]')) return fail('a detail view is already open');
    await frame();
    t.click = performance.now();
    row.click();
    // Loaded: the detail's data-state turns "loaded", seen by a MutationObserver (a microtask
    // after React's commit), so "right after opening" clicks well before the pre-parse.
    const loaded = () => document.querySelector('[data-testid="detail"][data-state="loaded"]');
    t.loaded = await when(loaded, 30000);
    if (t.loaded === null) return fail('the detail did not load in 30 s');
    if (waitBeforeTabMs > 0) {
      await afterFrame();
      t.overviewPainted = performance.now();
      await new Promise((r) => setTimeout(r, waitBeforeTabMs));
      await afterFrame(); // click in a task between frames, where a user's click lands
    }
    const inDom = when(() => document.querySelector(rowsCss), 30000);
    if (!clickTab()) return fail('no tab-' + tab);
    t.rowsInDom = await inDom;
    if (t.rowsInDom === null) return fail('no ' + rowsCss + ' within 30 s');
    await frame();
    t.rowsFrame = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    t.painted = performance.now();
    t.rows = document.querySelectorAll(rowsCss).length;
    done({ t });
  })().catch((e) => fail(String(e && e.stack || e)));`;

const CLOSE_DETAIL = `
  const done = arguments[arguments.length - 1];
  const b = document.querySelector('[data-testid="detail-close"]');
  if (b) b.click();
  const tick = () => document.querySelector('[data-testid="detail"]') ? requestAnimationFrame(tick) : done(true);
  tick();`;

const TREE_ROWS = '[data-testid="payload-tree"] [role="treeitem"]';

async function payloadTree() {
  log(`\n[3/4] a 5 MB payload: Payload tab click → the tree's first rows painted (WebDriver, in-page timing)`);
  if (!existsSync(PAYLOAD)) {
    throw new Error(
      `No payload at ${PAYLOAD}: \`make bench-app\` writes it, or \`cargo run --release -p persona-inspector-bench --bin bench -- --payload-into ${PAYLOAD}\`.`,
    );
  }
  const body = readFileSync(PAYLOAD);
  if (body.length < 5 * 1024 * 1024) throw new Error(`the payload at ${PAYLOAD} is ${body.length} bytes, under 5 MiB`);
  const included = JSON.parse(body.toString('utf8')).data.attributes.payload.included.length;
  log(`  body: ${(body.length / 1e6).toFixed(2)} MB, inquiry.approved with ${included} included resources`);
  const app = await launchApp({ name: 'figures-payload', env: { [MARKER_NAME]: MARKER_VALUE } });
  try {
    const { driver } = app;
    const posted = await postDelivery(app.port, body);
    if (posted.status !== 200 || posted.deliveryId === null) {
      throw new Error(`the listener answered ${posted.status} to the 5 MB delivery: ${posted.text}`);
    }
    const id = posted.deliveryId;
    await driver.waitFor(`${tid('delivery-row')}[data-id="${id}"]`, { timeoutMs: 15_000 });
    const settled = await waitQuiet(strays);
    log(`  ${settled.quiet ? 'quiet' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(1)} s`);

    const runs = { cold: [], warm: [], coldJs: [], warmJs: [], open: [], overview: [] };
    const measure = async (tab, waitMs, rowsCss) => {
      const r = await driver.executeAsync(OPEN_AND_TAB, [id, tab, waitMs, rowsCss]);
      await driver.executeAsync(CLOSE_DETAIL);
      if (r.error) throw new Error(`opening delivery ${id}, tab ${tab}: ${r.error} (${JSON.stringify(r.t)})`);
      await sleep(500);
      return r.t;
    };
    // Driver round trips have a timeout of 30 s; the warm wait stays far below it.
    for (let round = 0; round < PAYLOAD_ROUNDS; round++) {
      const cold = await measure('payload', 0, TREE_ROWS);
      const warm = await measure('payload', PREPARSED_WAIT_MS, TREE_ROWS);
      runs.cold.push(cold.painted - cold.tabClick);
      runs.coldJs.push(cold.rowsInDom - cold.tabClick);
      runs.warmJs.push(warm.rowsInDom - warm.tabClick);
      runs.warm.push(warm.painted - warm.tabClick);
      runs.open.push(warm.loaded - warm.click);
      runs.overview.push(warm.overviewPainted - warm.click);
      log(
        `  round ${round + 1}: right after opening ${ms(cold.painted - cold.tabClick)} (rows in the DOM after ${ms(cold.rowsInDom - cold.tabClick)}, tab clicked ${ms(cold.tabClick - cold.loaded)} after load); ` +
          `after pre-parse ${ms(warm.painted - warm.tabClick)} (in the DOM after ${ms(warm.rowsInDom - warm.tabClick)}); ` +
          `row click → loaded ${ms(warm.loaded - warm.click)}, → Overview painted ${ms(warm.overviewPainted - warm.click)}; ${warm.rows} tree rows; load ${load()}`,
      );
    }
    // The detail's one command on its own: how much of "open" is the IPC round trip.
    const ipc = await driver.executeAsync(
      `const [id] = arguments; const done = arguments[arguments.length - 1];
      const t0 = performance.now();
      window.__TAURI_INTERNALS__.invoke('get_delivery', { id }).then(
        (d) => { const t1 = performance.now(); done({ ms: t1 - t0, chars: JSON.stringify(d).length }); },
        (e) => done({ error: String(e) }));`,
      [id],
    );
    if (ipc.error) log(`  get_delivery alone failed: ${ipc.error}`);
    else log(`  get_delivery alone (invoke from the page): ${ms(ipc.ms)}, answer ${(ipc.chars / 1e6).toFixed(1)} MB as JSON`);
    // Other tabs on the same body, after the pre-parse: not targets, but where time could hide.
    const others = {};
    for (const [tab, css] of [
      ['raw', `${tid('raw-body')} .dt-vrow, ${tid('raw-body')}`],
      ['included', tid('included-card')],
    ]) {
      const t = await measure(tab, PREPARSED_WAIT_MS, css);
      others[tab] = t.painted - t.tabClick;
      log(`  ${tab} tab after pre-parse: ${ms(others[tab])} (in the DOM after ${ms(t.rowsInDom - t.tabClick)})`);
    }
    await driver.screenshot('bench-app-payload.png').catch(() => {});

    figure(
      '5 MB tree first paint, tab clicked right after opening',
      `median ${ms(median(runs.cold))} / max ${ms(max(runs.cold))}`,
      `<= ${TARGET_TREE_MS} ms`,
      verdict(median(runs.cold) <= TARGET_TREE_MS),
    );
    figure(
      '5 MB tree first paint, tab clicked after the pre-parse',
      `median ${ms(median(runs.warm))} / max ${ms(max(runs.warm))}`,
      `<= ${TARGET_TREE_MS} ms`,
      verdict(median(runs.warm) <= TARGET_TREE_MS),
    );
    figure('5 MB: right after opening / after pre-parse', ratio(median(runs.cold), median(runs.warm)));
    figure(
      '5 MB: tab click → tree rows in the DOM (cold / pre-parsed)',
      `${ms(median(runs.coldJs))} / ${ms(median(runs.warmJs))}`,
    );
    figure('5 MB: row click → detail loaded (getDelivery)', `median ${ms(median(runs.open))} / max ${ms(max(runs.open))}`);
    if (!ipc.error) figure('5 MB: get_delivery invoke alone', `${ms(ipc.ms)} (${(ipc.chars / 1e6).toFixed(1)} MB JSON)`);
    figure('5 MB: row click → Overview painted', `median ${ms(median(runs.overview))} / max ${ms(max(runs.overview))}`);
    figure('5 MB: Raw / Included tab first paint (pre-parsed)', `${ms(others.raw)} / ${ms(others.included)}`);
  } catch (e) {
    e.message = `${e.message}\n--- app output ---\n${app.output(30)}`;
    throw e;
  } finally {
    await app.close();
    await killStrays();
  }
}

// ---- 4. scrolling 100 000 deliveries -------------------------------------------------------

/** Shared in-page helpers: the scroller and what its viewport shows. */
const LIST_HELPERS = `
  const list = document.querySelector('[data-testid="delivery-list"]');
  const scroller = (() => {
    // The list's scrolling element: the container itself, else the nearest one inside or above.
    const scrolls = (el) => el && el.scrollHeight > el.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(el).overflowY);
    if (scrolls(list)) return list;
    for (const el of list.querySelectorAll('*')) if (scrolls(el)) return el;
    for (let el = list.parentElement; el; el = el.parentElement) if (scrolls(el)) return el;
    return list;
  })();
  // What the viewport shows, slot by slot: rows sit at top = index × row height, so each row
  // slot the viewport spans is either a filled row, a placeholder, or nothing yet (blank).
  const view = () => {
    const rows = scroller.querySelectorAll('.row');
    const h = (rows[0] && rows[0].offsetHeight) || 34;
    const at = new Map();
    for (const el of rows) {
      const i = Math.round(parseFloat(el.style.top) / h);
      at.set(i, el.classList.contains('row-placeholder') ? 'placeholder' : el.getAttribute('data-testid') === 'delivery-row' ? 'filled' : 'other');
    }
    const total = Math.round(scroller.scrollHeight / h);
    const first = Math.floor(scroller.scrollTop / h);
    const last = Math.min(Math.ceil((scroller.scrollTop + scroller.clientHeight) / h), total) - 1;
    let filled = 0, placeholders = 0, blank = 0;
    for (let i = first; i <= last; i++) {
      const kind = at.get(i);
      if (kind === 'filled') filled++;
      else if (kind === 'placeholder') placeholders++;
      else blank++;
    }
    return { filled, placeholders, blank, slots: last - first + 1 };
  };`;

const IDLE_FRAMES = `
  const [durationMs] = arguments;
  const done = arguments[arguments.length - 1];
  const stamps = [];
  const start = performance.now();
  const step = (ts) => {
    stamps.push(ts);
    if (performance.now() - start < durationMs) requestAnimationFrame(step);
    else done({ intervals: stamps.slice(1).map((t, i) => t - stamps[i]) });
  };
  requestAnimationFrame(step);`;

const SCROLL_FRAMES = `${LIST_HELPERS}
  const [stepPx, durationMs, startFraction] = arguments;
  const done = arguments[arguments.length - 1];
  scroller.scrollTop = Math.round((scroller.scrollHeight - scroller.clientHeight) * startFraction);
  const stamps = [];
  let withPlaceholders = 0, blank = 0, frames = 0;
  const top0 = scroller.scrollTop;
  let start = null;
  const step = (ts) => {
    // What this frame shows (the previous step's scroll, rendered).
    if (start !== null) {
      const v = view();
      frames++;
      if (v.placeholders > 0) withPlaceholders++;
      if (v.blank > 0) blank++;
    } else start = performance.now();
    stamps.push(ts);
    if (performance.now() - start < durationMs) {
      scroller.scrollTop += stepPx;
      requestAnimationFrame(step);
    } else {
      done({
        intervals: stamps.slice(1).map((t, i) => t - stamps[i]),
        frames, withPlaceholders, blank,
        scrolledPx: scroller.scrollTop - top0,
      });
    }
  };
  // Let the jump to the start position settle (rows filled) before timing.
  const settle = () => { const v = view(); return v.placeholders === 0 && v.blank === 0; };
  const t0 = performance.now();
  const wait = () => (settle() || performance.now() - t0 > 10000 ? requestAnimationFrame(step) : requestAnimationFrame(wait));
  requestAnimationFrame(wait);`;

const JUMP = `${LIST_HELPERS}
  const [fraction] = arguments;
  const done = arguments[arguments.length - 1];
  const target = Math.round((scroller.scrollHeight - scroller.clientHeight) * fraction);
  requestAnimationFrame(() => {
    const t0 = performance.now();
    scroller.scrollTop = target;
    let shown = null;
    const check = () => {
      const v = view();
      const t = performance.now() - t0;
      if (shown === null && v.blank === 0) shown = t;
      if (v.placeholders === 0 && v.blank === 0) {
        // That frame paints the filled rows; the next task comes after it.
        setTimeout(() => done({ filledMs: performance.now() - t0, rowsMs: shown, slots: v.slots, scrollTop: scroller.scrollTop,
          firstId: (document.elementFromPoint(scroller.getBoundingClientRect().left + 40, scroller.getBoundingClientRect().top + 5)?.closest('[data-testid="delivery-row"]')?.getAttribute('data-id')) ?? null }), 0);
      } else if (t > 20000) done({ error: 'rows not filled within 20 s', view: v });
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });`;

function frameStats(intervals) {
  return {
    p50: pct(intervals, 0.5),
    p95: pct(intervals, 0.95),
    p99: pct(intervals, 0.99),
    max: max(intervals),
    stalls: intervals.filter((x) => x > STALL_MS).length,
    over50: intervals.filter((x) => x > 50).length,
    n: intervals.length,
  };
}
const frameText = (s) =>
  `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / p99 ${ms(s.p99)} / max ${ms(s.max)} over ${s.n} frames (${s.over50} > 50 ms, ${s.stalls} > ${STALL_MS} ms)`;

async function scrolling() {
  log(`\n[4/4] scrolling ${SEED_ROWS.toLocaleString('en')} deliveries (WebDriver, in-page rAF timing)`);
  const dir = seedCopy('scroll-100k');
  const app = await launchApp({
    name: 'figures-scroll',
    env: { PERSONA_INSPECTOR_DATA_DIR: dir, [MARKER_NAME]: MARKER_VALUE },
  });
  try {
    const { driver } = app;
    await driver.waitFor(tid('delivery-row'), { timeoutMs: 30_000 });
    const info = await driver.execute(`${LIST_HELPERS}
      return { scrollHeight: scroller.scrollHeight, clientHeight: scroller.clientHeight, isList: scroller === list,
               status: (document.body.innerText.match(/[\\d,\\u202f\\u00a0 ]+ deliveries/) || [''])[0].trim() };`);
    log(`  list: ${info.status || '(no count shown)'}; scroll height ${info.scrollHeight} px, viewport ${info.clientHeight} px${info.isList ? '' : ' (scrolling element found around the list)'}`);
    // WebKit paints tiles in the background for seconds after the list shows: start from quiet.
    const settled = await waitQuiet(strays);
    log(`  ${settled.quiet ? 'quiet' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(1)} s (the app, WebKit and the driver under 5% of a core)`);

    const idle = frameStats((await driver.executeAsync(IDLE_FRAMES, [3_000])).intervals);
    log(`  idle baseline (3 s, no input): ${frameText(idle)}`);

    const scrolls = [];
    for (const [label, stepPx, durationMs, from] of [
      ['1 row per frame (34 px)', 34, 5_000, 0],
      ['10 rows per frame (340 px)', 340, 4_000, 0.3],
    ]) {
      const r = await driver.executeAsync(SCROLL_FRAMES, [stepPx, durationMs, from]);
      const s = frameStats(r.intervals);
      scrolls.push({ label, s, r });
      log(
        `  scroll ${label}, ${durationMs / 1000} s: ${frameText(s)}; frames showing placeholders ${r.withPlaceholders} of ${r.frames}, with blank slots ${r.blank}; scrolled ${Math.round(r.scrolledPx / 34)} rows`,
      );
      await sleep(1_000);
    }

    const jumps = [];
    const jumpTo = async (label, fraction) => {
      const r = await driver.executeAsync(JUMP, [fraction]);
      if (r.error) throw new Error(`jump to ${label}: ${r.error} ${JSON.stringify(r.view)}`);
      jumps.push({ label, ...r });
      log(`  jump to ${label}: rows filled after ${ms(r.filledMs)} (rows or placeholders in place after ${ms(r.rowsMs)}); first row id ${r.firstId}`);
      await sleep(800);
    };
    await driver.executeAsync(SCROLL_FRAMES, [0, 0, 0]); // back to the top, settled
    await jumpTo('the middle', 0.5);
    await jumpTo('the end', 1);
    await jumpTo('the top', 0);
    let x = 12345;
    for (let i = 0; i < JUMPS_RANDOM; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const f = (x % 10_000) / 10_000;
      await jumpTo(`${(f * 100).toFixed(1)}%`, f);
    }
    await driver.screenshot('bench-app-scroll.png').catch(() => {});

    const criterion = (s) => s.max <= STALL_MS && s.p95 <= 2 * idle.p95;
    figure('idle frame interval (baseline)', `p50 ${ms(idle.p50)} / p95 ${ms(idle.p95)} / max ${ms(idle.max)}`);
    for (const { label, s, r } of scrolls) {
      figure(
        `scroll ${label}: frame interval`,
        `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / max ${ms(s.max)}`,
        `max <= ${STALL_MS} ms, p95 <= 2x idle`,
        verdict(criterion(s)),
      );
      figure(`  p95 vs idle p95; frames with placeholders`, `${ratio(s.p95, idle.p95)}; ${r.withPlaceholders} of ${r.frames}`);
    }
    const byLabel = (l) => jumps.find((j) => j.label === l);
    figure('jump to the middle: rows filled', ms(byLabel('the middle').filledMs));
    figure('jump to the end: rows filled', ms(byLabel('the end').filledMs));
    const random = jumps.filter((j) => j.label.endsWith('%')).map((j) => j.filledMs);
    figure(`jump to ${random.length} random places: rows filled`, `median ${ms(median(random))} / max ${ms(max(random))}`);
  } catch (e) {
    e.message = `${e.message}\n--- app output ---\n${app.output(30)}`;
    throw e;
  } finally {
    await app.close();
    await killStrays();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main ----------------------------------------------------------------------------------

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
  if (!existsSync(join(SEED, 'inspector.db'))) {
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
    const phases = { launch: launches, memory: idleMemory, payload: payloadTree, scroll: scrolling };
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
