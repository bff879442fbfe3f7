// Phase "arrival": deliveries POSTed to the app's listener, a few a second and then in bursts;
// for each, the time from the moment the listener's answer reaches the sender (this script) to
// the frame that draws its row in the real window. Both ends are on this machine and read the
// same wall clock (Date.now()); the page notes a row when a MutationObserver sees it in the list
// and stamps it in the task after the next animation frame (that frame's paint has been issued),
// as the payload phase does.

import { fixtureBytes, launchApp, postDelivery } from '../../ui/e2e/app.mjs';
import { tid } from '../../ui/e2e/window.mjs';
import { sleep } from './clock.mjs';
import { killStrays, strays, waitQuiet } from './processes.mjs';
import { figure, load, log, max, ms, pct, verdict } from './report.mjs';
import {
  ARRIVAL_BURST_SIZE,
  ARRIVAL_BURSTS,
  ARRIVAL_PACED,
  ARRIVAL_PER_SECOND,
  MARKER_NAME,
  MARKER_VALUE,
  TARGET_ARRIVAL_P99_MS,
} from './settings.mjs';

/** Installs the observer: window.__rowsDrawn maps a delivery id to when its row was drawn. */
const WATCH_ROWS = `
  const done = arguments[arguments.length - 1];
  const drawn = (window.__rowsDrawn = new Map());
  const seen = new Set();
  const check = () => {
    for (const row of document.querySelectorAll('[data-testid="delivery-row"][data-id]')) {
      const id = Number(row.dataset.id);
      if (seen.has(id)) continue;
      seen.add(id);
      requestAnimationFrame(() => setTimeout(() => drawn.set(id, Date.now()), 0));
    }
  };
  check();
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true });
  done(Date.now());`;

/** A Persona event of the project's fixtures with its own event id, so each row is its own. */
function bodyFor(template, n) {
  return Buffer.from(template.replace(/"evt_[A-Za-z0-9]+"/, `"evt_BENCHARRIVAL${String(n).padStart(6, '0')}"`), 'utf8');
}

export async function arrivalToRow() {
  log(
    `\n[arrival] arrival → row on screen: ${ARRIVAL_PACED} deliveries at ${ARRIVAL_PER_SECOND}/s, then ${ARRIVAL_BURSTS} bursts of ${ARRIVAL_BURST_SIZE} at once ` +
      `(the listener's answer at the sender → the frame that draws the row; Date.now() on both ends)`,
  );
  const template = fixtureBytes('docs-example.json').toString('utf8');
  const app = await launchApp({ name: 'figures-arrival', env: { [MARKER_NAME]: MARKER_VALUE } });
  try {
    const { driver } = app;
    // A first delivery turns the first-run guide into the list; it is not timed.
    const first = await postDelivery(app.port, bodyFor(template, 0));
    await driver.waitFor(`${tid('delivery-row')}[data-id="${first.deliveryId}"]`, { timeoutMs: 15_000 });
    const settled = await waitQuiet(strays);
    log(`  ${settled.quiet ? 'quiet' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(1)} s`);
    await driver.executeAsync(WATCH_ROWS);

    const answered = new Map(); // id → { at, kind }
    const send = async (n, kind) => {
      const r = await postDelivery(app.port, bodyFor(template, n));
      if (r.status !== 200 || r.deliveryId === null) throw new Error(`the listener answered ${r.status}: ${r.text}`);
      answered.set(r.deliveryId, { at: r.answeredAt, kind });
    };
    let n = 1;
    const start = Date.now();
    for (let i = 0; i < ARRIVAL_PACED; i++) {
      await sleep(Math.max(0, start + (i * 1000) / ARRIVAL_PER_SECOND - Date.now()));
      await send(n++, 'paced');
    }
    for (let b = 0; b < ARRIVAL_BURSTS; b++) {
      await sleep(1000);
      await Promise.all(Array.from({ length: ARRIVAL_BURST_SIZE }, () => send(n++, 'burst')));
    }
    await sleep(1000); // the last rows' frames
    const drawn = new Map(await driver.execute('return [...window.__rowsDrawn];'));

    const all = [];
    const byKind = { paced: [], burst: [] };
    let missing = 0;
    for (const [id, { at, kind }] of answered) {
      const d = drawn.get(id);
      if (d === undefined) {
        missing += 1;
        continue;
      }
      all.push(d - at);
      byKind[kind].push(d - at);
    }
    const line = (v) => `p50 ${ms(pct(v, 0.5))} / p99 ${ms(pct(v, 0.99))} / max ${ms(max(v))} (${v.length})`;
    log(`  paced: ${line(byKind.paced)}`);
    log(`  bursts: ${line(byKind.burst)}`);
    log(`  all: ${line(all)}; ${missing} rows never seen drawn; load ${load()}`);
    if (missing > 0) log(`  warning: ${missing} of ${answered.size} rows were never seen in the list`);

    figure(
      'arrival → row drawn, p50 / p99 (all deliveries)',
      `p50 ${ms(pct(all, 0.5))} / p99 ${ms(pct(all, 0.99))}`,
      `p99 <= ${TARGET_ARRIVAL_P99_MS} ms`,
      verdict(missing === 0 && pct(all, 0.99) <= TARGET_ARRIVAL_P99_MS),
    );
    figure('  paced / bursts, p99', `${ms(pct(byKind.paced, 0.99))} / ${ms(pct(byKind.burst, 0.99))}`);
  } catch (e) {
    e.message = `${e.message}\n--- app output ---\n${app.output(30)}`;
    throw e;
  } finally {
    await app.close();
    await killStrays();
  }
}
