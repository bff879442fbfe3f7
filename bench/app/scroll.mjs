// Phase 4: scrolling 100 000 deliveries, rAF frame intervals against an idle baseline, and the
// time for rows to fill after jumps.

import { rmSync } from 'node:fs';

import { launchApp } from '../../ui/e2e/app.mjs';
import { tid } from '../../ui/e2e/window.mjs';
import { sleep } from './clock.mjs';
import { seedCopy } from './data-dirs.mjs';
import { killStrays, strays, threadTicks, threadUse, waitQuiet } from './processes.mjs';
import { figure, log, max, median, ms, pct, ratio, verdict } from './report.mjs';
import { JUMPS_RANDOM, MARKER_NAME, MARKER_VALUE, SEED_ROWS, STALL_MS, TARGET_SCROLL_RATIO } from './settings.mjs';

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

export async function scrolling() {
  log(`\n[4/4] scrolling ${SEED_ROWS.toLocaleString('en')} deliveries (WebDriver, in-page rAF timing)`);
  const dir = seedCopy('scroll-100k');
  const app = await launchApp({
    name: 'figures-scroll',
    // As the app ships (the window tests keep GPU compositing on for their screenshots).
    env: { PERSONA_INSPECTOR_DATA_DIR: dir, PERSONA_INSPECTOR_GPU_COMPOSITING: '0', [MARKER_NAME]: MARKER_VALUE },
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
      const threads = threadTicks(strays());
      const t0 = performance.now();
      const r = await driver.executeAsync(SCROLL_FRAMES, [stepPx, durationMs, from]);
      const cpu = threadUse(threads, threadTicks(strays()), performance.now() - t0);
      const s = frameStats(r.intervals);
      scrolls.push({ label, s, r });
      log(
        `  scroll ${label}, ${durationMs / 1000} s: ${frameText(s)}; frames showing placeholders ${r.withPlaceholders} of ${r.frames}, with blank slots ${r.blank}; scrolled ${Math.round(r.scrolledPx / 34)} rows\n` +
          `    CPU by thread (% of a core, settling included): ${cpu}`,
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
    // No screenshot: WebKitGTK never answers WebDriver's screenshot without GPU compositing.

    // The target: p95 at most TARGET_SCROLL_RATIO × the idle p95; no stall either.
    const criterion = (s) => s.max <= STALL_MS && s.p95 <= TARGET_SCROLL_RATIO * idle.p95;
    figure('idle frame interval (baseline)', `p50 ${ms(idle.p50)} / p95 ${ms(idle.p95)} / max ${ms(idle.max)}`);
    for (const { label, s, r } of scrolls) {
      figure(
        `scroll ${label}: frame p95 / idle p95`,
        ratio(s.p95, idle.p95),
        `<= ${TARGET_SCROLL_RATIO.toFixed(2)}x, max <= ${STALL_MS} ms`,
        verdict(criterion(s)),
      );
      figure(`  frame interval; frames with placeholders`, `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} / max ${ms(s.max)}; ${r.withPlaceholders} of ${r.frames}`);
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
