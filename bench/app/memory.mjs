// Phase 2: idle memory (RSS and PSS) of the app and every process under it, and their CPU in
// the first seconds after the window is interactive: empty store, 100k rows, and the minimal
// Tauri app (what WebKit and Tauri cost with nothing in the window: the floor).

import { rmSync } from 'node:fs';

import { sleep } from './clock.mjs';
import { emptyDir, seedCopy } from './data-dirs.mjs';
import { launchDirect } from './direct-launch.mjs';
import { descendants, memoryOf, processName, readStat, ticksOf, waitQuiet } from './processes.mjs';
import { figure, log, mb, median, ratio, verdict } from './report.mjs';
import { IDLE_MS, MEMORY_RUNS, MINIMAL, TARGET_IDLE_PSS_MIB } from './settings.mjs';

const KINDS = ['empty', '100k', 'minimal'];
const LABELS = { minimal: 'minimal Tauri app', empty: 'empty store', '100k': '100k rows' };
/** The parts the figure is broken into: the app's own process, then WebKit's by name. */
const PARTS = ['app', 'WebKitWebProcess', 'WebKitNetworkProcess'];

/** RSS and PSS (KiB) of `root` and the processes under it, summed and per part. */
function memoryOfAll(root) {
  let rss = 0;
  let pss = 0;
  const parts = [];
  const pssOf = {};
  for (const pid of descendants(root)) {
    let m;
    try {
      m = memoryOf(pid);
    } catch {
      continue; // gone
    }
    rss += m.rss;
    pss += m.pss;
    const name = processName(pid);
    const part = pid === root ? 'app' : name;
    pssOf[part] = (pssOf[part] ?? 0) + m.pss;
    parts.push(`${name} ${mb(m.rss)}/${mb(m.pss)}`);
  }
  return { rss, pss, parts, pssOf };
}

export async function idleMemory() {
  log(
    `\n[2/4] idle memory: the app and the processes under it, RSS/PSS from smaps_rollup, ${IDLE_MS / 1000} s after its window is interactive ` +
      `and once they use < 5% of a core; the minimal Tauri app the same way`,
  );
  const dirs = { empty: emptyDir('memory-empty'), '100k': seedCopy('memory-100k'), minimal: emptyDir('memory-minimal') };
  const totals = { empty: [], '100k': [], minimal: [] };
  for (let run = 0; run < MEMORY_RUNS; run++) {
    for (const kind of KINDS) {
      const app = await launchDirect(dirs[kind], kind === 'minimal' ? { binary: MINIMAL } : {});
      try {
        const cpuBefore = new Map(descendants(app.pid).map((pid) => [pid, readStat(pid).cpuTicks]));
        await sleep(IDLE_MS);
        const at5 = memoryOfAll(app.pid);
        // CPU in those first seconds, per process (a tick is 10 ms: % of a core = ticks × 1000 / ms).
        const cpu = descendants(app.pid).map((pid) => {
          const used = ticksOf([pid]) - (cpuBefore.get(pid) ?? 0);
          return { name: processName(pid), pct: (used * 1_000) / IDLE_MS };
        });
        const cpuTotal = cpu.reduce((a, c) => a + c.pct, 0);
        const settled = await waitQuiet(() => descendants(app.pid));
        const idle = memoryOfAll(app.pid);
        totals[kind].push({ ...idle, at5, cpuTotal, settled });
        log(
          `  ${kind.padEnd(7)} #${run + 1}: PSS ${mb(idle.pss)}, RSS ${mb(idle.rss)} [${idle.parts.join(', ')}] (RSS/PSS each)\n` +
            `            in the first ${IDLE_MS / 1000} s: CPU ${cpuTotal.toFixed(0)}% of a core [${cpu.map((c) => `${c.name} ${c.pct.toFixed(0)}%`).join(', ')}]; ` +
            `PSS at ${IDLE_MS / 1000} s ${mb(at5.pss)}; ${settled.quiet ? `quiet ${(settled.waitedMs / 1000).toFixed(1)} s later` : `still busy after ${(settled.waitedMs / 1000).toFixed(0)} s more`}`,
        );
      } finally {
        await app.stop();
      }
      await sleep(500);
    }
  }
  const pick = (kind, key) => median(totals[kind].map((t) => t[key]));
  const partsText = (kind) => PARTS.map((p) => `${p} ${mb(median(totals[kind].map((t) => t.pssOf[p] ?? 0)))}`).join(' + ');
  for (const kind of KINDS) {
    const pss = pick(kind, 'pss');
    figure(
      `idle memory, ${LABELS[kind]} (app + WebKit processes, PSS)`,
      `${mb(pss)} (RSS ${mb(pick(kind, 'rss'))})`,
      kind === 'minimal' ? '' : `<= ${TARGET_IDLE_PSS_MIB} MiB`,
      kind === 'minimal' ? '' : verdict(pss <= TARGET_IDLE_PSS_MIB * 1024),
    );
    figure(`  PSS per process (median)`, partsText(kind));
    figure(`  CPU in the first ${IDLE_MS / 1000} s after interactive`, `median ${pick(kind, 'cpuTotal').toFixed(0)}% of a core`);
  }
  figure('idle PSS 100k rows / empty store', ratio(pick('100k', 'pss'), pick('empty', 'pss')));
  figure('idle PSS empty store / minimal Tauri app', ratio(pick('empty', 'pss'), pick('minimal', 'pss')));
  for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
}
