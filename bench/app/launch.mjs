// Phase 1: launch → interactive window, on an empty store and on a copy of the 100k seed,
// interleaved, the release binary spawned directly.

import { rmSync } from 'node:fs';

import { sleep } from './clock.mjs';
import { emptyDir, seedCopy } from './data-dirs.mjs';
import { launchDirect } from './direct-launch.mjs';
import { figure, load, log, max, median, ms, ratio, verdict } from './report.mjs';
import { LAUNCHES, TARGET_LAUNCH_MS } from './settings.mjs';

export async function launches() {
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
