// Phase 3: a 5 MB Persona event posted to the app and opened: row click → Overview painted, the
// bytes that cross IPC, and its Payload tab timed in the page to the frame that paints the tree's
// first rows, right after opening and after the pre-parse.

import { existsSync, readFileSync } from 'node:fs';

import { launchApp, postDelivery } from '../../ui/e2e/app.mjs';
import { tid } from '../../ui/e2e/window.mjs';
import { sleep } from './clock.mjs';
import { killStrays, strays, waitQuiet } from './processes.mjs';
import { figure, load, log, max, median, ms, ratio, verdict } from './report.mjs';
import {
  MARKER_NAME,
  MARKER_VALUE,
  PAYLOAD,
  PAYLOAD_ROUNDS,
  PREPARSED_WAIT_MS,
  TARGET_OPEN_MS,
  TARGET_TREE_MS,
} from './settings.mjs';

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
const mbytes = (n) => `${(n / 1e6).toFixed(2)} MB`;

export async function payloadTree() {
  log(`\n[3/4] a 5 MB payload: row click → Overview painted, and Payload tab click → the tree's first rows painted (WebDriver, in-page timing)`);
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
    // The detail's commands on their own: how much of "open" is the IPC round trip, and how many
    // bytes cross. A binary from before the body went raw has get_delivery only (base64 inside).
    const ipc = await driver.executeAsync(
      `const [id] = arguments; const done = arguments[arguments.length - 1];
      const invoke = window.__TAURI_INTERNALS__.invoke;
      (async () => {
        const t0 = performance.now();
        const [meta, body] = await Promise.all([
          invoke('get_delivery', { id }),
          invoke('delivery_body', { id }).catch(() => null),
        ]);
        const t1 = performance.now();
        done({ ms: t1 - t0, json: new TextEncoder().encode(JSON.stringify(meta)).length,
               raw: body === null ? null : body.byteLength });
      })().catch((e) => done({ error: String(e) }));`,
      [id],
    );
    const crossed = ipc.error ? NaN : ipc.json + (ipc.raw ?? 0);
    const ipcWords = ipc.error
      ? ''
      : ipc.raw === null
        ? `${mbytes(ipc.json)} JSON`
        : `${mbytes(ipc.json)} JSON + ${mbytes(ipc.raw)} raw body`;
    if (ipc.error) log(`  the detail's commands alone failed: ${ipc.error}`);
    else log(`  the detail's commands alone (invoked from the page, in parallel): ${ms(ipc.ms)}, ${ipcWords}`);
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
    figure(
      '5 MB: row click → Overview painted',
      `median ${ms(median(runs.overview))} / max ${ms(max(runs.overview))}`,
      `<= ${TARGET_OPEN_MS} ms`,
      verdict(median(runs.overview) <= TARGET_OPEN_MS),
    );
    figure('5 MB: row click → detail loaded (data-state)', `median ${ms(median(runs.open))} / max ${ms(max(runs.open))}`);
    if (!ipc.error) {
      figure('5 MB: bytes across IPC to open it (before: 12.7 MB JSON)', `${mbytes(crossed)}: ${ipcWords}`);
      figure('5 MB: the detail\'s commands alone', ms(ipc.ms));
    }
    figure('5 MB: Raw / Included tab first paint (pre-parsed)', `${ms(others.raw)} / ${ms(others.included)}`);
  } catch (e) {
    e.message = `${e.message}\n--- app output ---\n${app.output(30)}`;
    throw e;
  } finally {
    await app.close();
    await killStrays();
  }
}
