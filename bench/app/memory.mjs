// Phase 2: idle memory (RSS and PSS) of the app and every process under it, and their CPU in
// the first seconds after the window is interactive, empty store and 100k rows.

import { rmSync } from 'node:fs';

import { sleep } from './clock.mjs';
import { emptyDir, seedCopy } from './data-dirs.mjs';
import { launchDirect } from './direct-launch.mjs';
import { descendants, memoryOf, processName, readStat, ticksOf, waitQuiet } from './processes.mjs';
import { figure, log, mb, median, ratio } from './report.mjs';
import { IDLE_MS, MEMORY_RUNS } from './settings.mjs';

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

export async function idleMemory() {
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
