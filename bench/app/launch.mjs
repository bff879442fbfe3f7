// Phase 1: launch → interactive window, the app on an empty store and on a copy of the 100k seed,
// against a minimal Tauri app (bench/minimal-app: an empty window, same Tauri, same profile,
// reporting ready the same way), launched alternately so all three see the same background load.

import { rmSync } from 'node:fs';

import { sleep } from './clock.mjs';
import { emptyDir, seedCopy } from './data-dirs.mjs';
import { launchDirect } from './direct-launch.mjs';
import { figure, load, log, max, median, ms, ratio, verdict } from './report.mjs';
import { LAUNCHES, MINIMAL, TARGET_LAUNCH_MS, TARGET_LAUNCH_RATIO } from './settings.mjs';

const KINDS = ['minimal', 'empty', '100k'];

/** `name median, …` of the marks in each launch's interactive line, in their order; null without any. */
export function pageMarks(outputs) {
  const byName = new Map();
  for (const output of outputs) {
    const list = /window interactive \d+ ms after launch \(page, ms after launch: ([^)]*)\)/.exec(output)?.[1];
    for (const entry of list?.split(', ') ?? []) {
      const m = /^(.+) (-?\d+)$/.exec(entry);
      if (!m) continue;
      if (!byName.has(m[1])) byName.set(m[1], []);
      byName.get(m[1]).push(Number(m[2]));
    }
  }
  if (byName.size === 0) return null;
  return [...byName].map(([name, values]) => `${name} ${median(values).toFixed(0)}`).join(', ');
}
const LABELS = { minimal: 'minimal Tauri app', empty: 'empty store', '100k': '100k rows' };

export async function launches() {
  log(`\n[1/4] launch → interactive window (release binaries spawned directly, no WebDriver; the minimal Tauri app is ${MINIMAL})`);
  const dirs = { minimal: emptyDir('launch-minimal'), empty: emptyDir('launch-empty'), '100k': seedCopy('launch-100k') };
  const results = { minimal: [], empty: [], '100k': [] };
  const firsts = {};
  // One untimed launch of each first (page cache, the store's first open), then timed ones,
  // alternating so all see the same background load.
  for (let i = -1; i < LAUNCHES; i++) {
    for (const kind of KINDS) {
      const app = await launchDirect(dirs[kind], kind === 'minimal' ? { binary: MINIMAL } : {});
      await app.stop();
      if (i < 0) firsts[kind] = app;
      else results[kind].push(app);
      log(
        `  ${i < 0 ? 'warm-up' : `#${i + 1}     `} ${kind.padEnd(7)}  app ${ms(app.appMs).padStart(8)}   spawn→line ${ms(app.wallMs).padStart(8)}   web process started +${ms(app.webProcessMs)}   load ${load()}`,
      );
      await sleep(500);
    }
  }
  const stat = (kind, key) => results[kind].map((r) => r[key]);
  for (const kind of KINDS) {
    const app = stat(kind, 'appMs');
    const wall = stat(kind, 'wallMs');
    log(
      `  ${LABELS[kind]}: app-reported median ${ms(median(app))}, max ${ms(max(app))}; spawn→line median ${ms(median(wall))}, max ${ms(max(wall))} (${LAUNCHES} launches; first, untimed: ${ms(firsts[kind].appMs)})`,
    );
  }
  const minimal = median(stat('minimal', 'appMs'));
  const minimalWall = median(stat('minimal', 'wallMs'));
  figure(
    'launch → interactive, minimal Tauri app (baseline)',
    `median ${ms(minimal)} (spawn → line ${ms(minimalWall)})`,
  );
  for (const kind of ['empty', '100k']) {
    const app = median(stat(kind, 'appMs'));
    const wall = median(stat(kind, 'wallMs'));
    figure(
      `launch ${LABELS[kind]} / minimal Tauri app (median, app log)`,
      `${ratio(app, minimal)} (spawn → line ${ratio(wall, minimalWall)})`,
      `<= ${TARGET_LAUNCH_RATIO.toFixed(2)}x`,
      verdict(app <= TARGET_LAUNCH_RATIO * minimal),
    );
    figure(
      `  launch → interactive, ${LABELS[kind]} (app log; spawn → line)`,
      `median ${ms(app)} / max ${ms(max(stat(kind, 'appMs')))}; ${ms(wall)}`,
      `<= ${TARGET_LAUNCH_MS} ms`,
      verdict(app <= TARGET_LAUNCH_MS),
    );
  }
  // The app's own marks of its page (src-tauri/src/ready.rs logs them with the line above).
  for (const kind of ['empty', '100k']) {
    const marks = pageMarks(results[kind].map((r) => r.output()));
    if (marks !== null) figure(`  page marks, ${LABELS[kind]} (ms after launch, median)`, marks);
  }
  figure(
    '  of which: start → WebKit web process start',
    KINDS.map((k) => `${k} ${ms(median(stat(k, 'webProcessMs')))}`).join(' / ') + ' (median)',
  );
  for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
}
