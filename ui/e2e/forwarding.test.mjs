// Issue 4 in the window: the forward rule, turned on in the Forwarding dialog, sends each new
// capture to a real local HTTP server (port 0) with the exact bytes, and the list shows the
// result; failures are retried on Persona's schedule sped up (the retries carry the attempt
// headers moved on); the rule's event filter leaves other events alone. Bulk re-delivery of a
// selection goes out in event created-at order with a summary, and a run to a slow server can
// be cancelled.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, failFast, personaV1, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'forwarding' });

/** Persona signed with a secret the app does not know: the verdict does not matter here. */
const PERSONA_SECRET = 'wbhsec_persona_side_secret';

let serial = 0;

/** A Persona event envelope; `created` is its created-at. Bytes as Persona would send them. */
function event(name, created, tag = `e2e_${++serial}`) {
  const id = `evt_${tag}`;
  const body = JSON.stringify({
    data: {
      type: 'event',
      id,
      attributes: {
        name,
        'created-at': created,
        payload: { data: { type: 'inquiry', id: `inq_${tag}`, attributes: { status: 'completed' } }, included: [] },
      },
    },
  });
  return { id, body: Buffer.from(body, 'utf8') };
}

/** Stores `ev` through the app's listener, signed; resolves with its delivery id. */
async function capture(ev) {
  const r = await postDelivery(app().port, ev.body, { secret: PERSONA_SECRET });
  assert.equal(r.status, 200, `the listener stores the delivery (answer: ${r.text})`);
  assert.ok(r.deliveryId !== null, 'the listener names the delivery');
  return r.deliveryId;
}

// ---- targets that record what they receive -------------------------------------------------

const servers = [];

/**
 * An HTTP server on port 0 that records every request and answers as `answer(request, n)` says
 * ({ status, delayMs }; n counts from 1).
 */
async function recorder(answer = () => ({ status: 200 })) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      got.push(request);
      const { status, delayMs = 0 } = answer(request, got.length);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`{"n":${got.length}}`);
      }, delayMs);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  servers.push(server);
  return { got, url: `http://127.0.0.1:${server.address().port}` };
}

after(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});

const eventIdOf = (request) => JSON.parse(request.body.toString('utf8')).data.id;

// ---- helpers ---------------------------------------------------------------------------------

/** Opens the Forwarding dialog. */
async function openForwarding(driver) {
  await driver.clickWhenVisible(tid('open-forwarding'));
  return driver.waitFor(tid('forwarding'), { what: 'the Forwarding dialog' });
}

/** Sets a checkbox to `on` by clicking it when it is not. */
async function setChecked(driver, css, on) {
  const box = await driver.waitFor(css);
  if ((await driver.execute('return arguments[0].checked;', [box])) !== on) await driver.click(box);
  await driver.waitUntil(`${css} to be ${on ? 'checked' : 'unchecked'}`, async () =>
    (await driver.execute('return arguments[0].checked;', [box])) === on,
  );
}

/**
 * Picks `value` in a select that resets itself once picked (an "Add…" select): the option is
 * clicked, or if the driver won't, the change is made as a user's would be.
 */
async function pickOnce(driver, selectCss, value, picked) {
  const option = await driver.waitFor(selectCss).then(() =>
    driver.execute('return document.querySelector(arguments[0]);', [`${selectCss} option[value="${value}"]`]),
  );
  assert.ok(option, `${selectCss} offers ${value}`);
  await driver.click(option).catch(() => {});
  if (!(await picked())) {
    await driver.execute(
      `const s = document.querySelector(arguments[0]);
       Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(s, arguments[1]);
       s.dispatchEvent(new Event('change', { bubbles: true }));`,
      [selectCss, value],
    );
  }
}

/** Replaces the text of the input matching `css`. */
async function typeInto(driver, css, text) {
  const input = await driver.waitFor(css);
  await driver.replaceText(input, text, css);
}

/** Saves the Forwarding dialog and waits for it to close and the header to say `status`. */
async function saveForwarding(driver, status) {
  await driver.clickWhenVisible(tid('forward-save'));
  await driver.waitForGone(tid('forwarding'));
  await driver.waitFor(tid('open-forwarding'), { text: status, what: `the header's forwarding status "${status}"` });
}

/** The forward mark of delivery `id` once it satisfies `ok` (given its data and text). */
function forwardMark(driver, id, what, ok, timeoutMs = 10_000) {
  return driver.waitUntil(
    `the forward mark of delivery ${id}: ${what}`,
    async () => {
      const m = await driver.execute(
        `const el = document.querySelector('[data-testid="delivery-row"][data-id="' + arguments[0] + '"] [data-testid="forward-mark"]');
         return el && { outcome: el.getAttribute('data-outcome'), status: el.getAttribute('data-status'),
                        retry: el.getAttribute('data-retry'), pending: el.getAttribute('data-pending'),
                        tone: el.className, text: el.innerText, title: el.getAttribute('title') };`,
        [id],
      );
      return m && ok(m) ? m : null;
    },
    { timeoutMs },
  );
}

/** Waits until `list` holds at least `n` entries. */
function received(driver, list, n, what, timeoutMs = 10_000) {
  return driver.waitUntil(`${what} (${n} request${n === 1 ? '' : 's'} received)`, async () => list.length >= n, { timeoutMs });
}

/**
 * Clicks Start in the bulk dialog and waits for the run (or its refusal) to show. Should the app
 * die instead, the error says why with the panic it printed.
 */
async function startBulk(driver) {
  try {
    await driver.clickWhenVisible(tid('bulk-start'));
    await driver.waitFor(`${tid('bulk-run')}, ${tid('bulk-error')}`, { what: 'the bulk run, or why it was refused' });
  } catch (e) {
    const panic = /panicked at [^\n]*\n[^\n]*/.exec(app().output(400));
    if (panic) e.message = `the app crashed on Start: ${panic[0]}\n${e.message}`;
    throw e;
  }
}

/** The Re-deliver tab's history rows of the open delivery, newest first. */
function historyRows(driver) {
  return driver.execute(
    `return [...document.querySelectorAll('[data-testid="redelivery-row"]')].map((r) => ({
       origin: r.getAttribute('data-origin'), retry: r.getAttribute('data-retry'),
       status: r.getAttribute('data-status'), text: r.innerText }));`,
  );
}

/** Opens delivery `id` on its Re-deliver tab. */
async function openRedeliverTab(driver, id) {
  await driver.clickWhenVisible(`[data-testid="delivery-row"][data-id="${id}"]`, { what: `the row of delivery ${id}` });
  await driver.waitFor(`[data-testid="detail"][data-id="${id}"][data-state="loaded"]`, { what: `the detail of delivery ${id}` });
  await driver.clickWhenVisible(tid('tab-redeliver'));
  await driver.waitFor(tid('redelivery-history'), { what: 'the re-delivery history' });
}

async function closeDetail(driver) {
  const [close] = await driver.findAll(tid('detail-close'));
  if (close) await driver.click(close);
  await driver.waitForGone(tid('detail'));
}

/** A failed test may leave a dialog open over the window: closed for the next one. */
afterEach(() => app().driver.closeDialogs());

// ---- the forward rule ------------------------------------------------------------------------

describe('forwarding new captures', () => {
  /** Turns forwarding on, once, with the first recorder: later tests build on it. */
  let on = null;
  const turnedOn = () => (on ??= turnOn());
  const turnOn = failFast('forwarding was not turned on', async () => {
    const target = await recorder();
    const { driver } = app();
    await driver.waitFor(tid('open-forwarding'), { text: 'Forwarding off', what: 'the header saying forwarding is off' });
    await openForwarding(driver);
    await setChecked(driver, tid('forward-enabled'), true);

    // The app's own listener is refused with the Rust side's sentence, shown in the dialog.
    await typeInto(driver, tid('forward-target'), `http://127.0.0.1:${app().port}/`);
    await driver.clickWhenVisible(tid('forward-save'));
    await driver.waitFor(tid('forward-error'), { text: 'own listener', what: 'the refusal: the target is the inspector itself' });

    await typeInto(driver, tid('forward-target'), `${target.url}/hooks`);
    await saveForwarding(driver, `Forwarding → ${target.url}/hooks`);
    return target;
  });

  test('a capture is forwarded byte for byte and its row shows → 200', async () => {
    const target = await turnedOn();
    const { driver } = app();
    const ev = event('inquiry.completed', '2026-01-01T10:00:00.000Z');
    const id = await capture(ev);

    await received(driver, target.got, 1, 'the forward of the capture');
    const got = target.got[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/hooks', 'sent to the target as typed');
    assert.ok(got.body.equals(ev.body), 'the exact captured bytes');
    const [t, v1] = String(got.headers['persona-signature']).split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, personaV1(ev.body, PERSONA_SECRET, t), "Persona's signature, kept");

    const mark = await forwardMark(driver, id, '→ 200, delivered', (m) => m.status === '200' && m.outcome === 'delivered');
    assert.equal(mark.text.trim(), '→ 200');
    assert.match(mark.tone, /fwd-good/, 'coloured as good');
    assert.match(mark.title, /Persona would count this as delivered/, `the tooltip says it in words: ${mark.title}`);
    await driver.screenshot('forwarding.png');
  });

  test('the event filter forwards only the chosen event names', async () => {
    const target = await turnedOn();
    const { driver } = app();
    await openForwarding(driver);
    const chip = `${tid('forward-event-chip')}[data-name="inquiry.approved"]`;
    await pickOnce(driver, tid('forward-event-add'), 'inquiry.approved', async () => (await driver.findAll(chip)).length > 0);
    await driver.waitFor(chip, { what: 'the chosen event as a chip' });
    await saveForwarding(driver, 'Forwarding →');

    const before = target.got.length;
    const skipped = await capture(event('inquiry.created', '2026-01-01T10:00:01.000Z'));
    const taken = event('inquiry.approved', '2026-01-01T10:00:02.000Z');
    const takenId = await capture(taken);
    await forwardMark(driver, takenId, '→ 200', (m) => m.status === '200');
    assert.equal(target.got.length, before + 1, 'one more request: only the chosen event');
    assert.equal(eventIdOf(target.got.at(-1)), taken.id);
    await driver.waitFor(`[data-testid="delivery-row"][data-id="${skipped}"]`);
    const [skippedMark] = await driver.findAll(`[data-testid="delivery-row"][data-id="${skipped}"] ${tid('forward-mark')}`);
    assert.equal(skippedMark, undefined, 'the other event was not forwarded and has no mark');

    // Every event again, for the tests below.
    await openForwarding(driver);
    await driver.clickWhenVisible(`${tid('forward-event-chip')}[data-name="inquiry.approved"] button`);
    await driver.waitFor(tid('forward-events-all'), { what: 'the event filter back to every capture' });
    await saveForwarding(driver, 'Forwarding →');
  });

  test('failures are retried at 100000× until the handler answers 200, with the attempt headers moved on', async () => {
    await turnedOn();
    const { driver } = app();
    // 500 for the first two requests of an event, then 200.
    const flaky = await recorder((_, n) => ({ status: n <= 2 ? 500 : 200 }));
    await openForwarding(driver);
    await typeInto(driver, tid('forward-target'), flaky.url);
    await setChecked(driver, tid('forward-retries'), true);
    await driver.choose(tid('forward-speedup'), 'custom');
    await typeInto(driver, tid('forward-speedup-custom'), '100000');
    await driver.waitFor(tid('forward-schedule'), { text: '0 ms, 0 ms, 7 ms, 40 ms', what: 'the schedule at 100000×' });
    await driver.screenshot('forwarding-dialog.png');
    await saveForwarding(driver, `Forwarding → ${flaky.url}`);

    const ev = event('inquiry.completed', '2026-01-01T10:00:03.000Z');
    const id = await capture(ev);
    await received(driver, flaky.got, 3, 'the first send and two retries');
    const mark = await forwardMark(driver, id, 'delivered on retry 2', (m) => m.outcome === 'delivered' && m.retry === '2');
    assert.equal(mark.text.trim(), '→ 200 · retry 2');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(flaky.got.length, 3, 'no retry after the 200');
    assert.deepEqual(flaky.got.map(eventIdOf), [ev.id, ev.id, ev.id], 'the same event each time: duplicates to the handler');
    assert.ok(flaky.got.every((g) => g.body.equals(ev.body)), 'the same bytes each time');
    assert.deepEqual(
      flaky.got.map((g) => [g.headers['persona-webhook-attempts-made'], g.headers['persona-webhook-attempts-left']]),
      [
        ['1', '7'],
        ['2', '6'],
        ['3', '5'],
      ],
      'each retry says one more attempt made, one fewer left',
    );

    await openRedeliverTab(driver, id);
    const rows = await driver.waitUntil('three history rows: the forward and two retries', async () => {
      const r = await historyRows(driver);
      return r.length === 3 ? r : null;
    });
    assert.deepEqual(
      rows.map((r) => [r.origin, r.retry, r.status]),
      [
        ['forward', '2', '200'],
        ['forward', '1', '500'],
        ['forward', '0', '500'],
      ],
      'newest first',
    );
    assert.match(rows[0].text, /retry 2/);
    assert.match(rows[2].text, /forward/);
    await closeDetail(driver);
  });

  test('a retry waiting is counted down, the open history follows it live, and turning forwarding off calls it off', async () => {
    await turnedOn();
    const { driver } = app();
    const failing = await recorder(() => ({ status: 503 }));
    await openForwarding(driver);
    await typeInto(driver, tid('forward-target'), failing.url);
    await driver.choose(tid('forward-speedup'), 'custom');
    // Retries after 3 ms, 64 ms, 0.7 s, then 4.1 s and 15.6 s: time to watch them.
    await typeInto(driver, tid('forward-speedup-custom'), '1000');
    await saveForwarding(driver, `Forwarding → ${failing.url}`);

    const id = await capture(event('inquiry.completed', '2026-01-01T10:00:04.000Z'));
    await received(driver, failing.got, 1, 'the first forward');
    await openRedeliverTab(driver, id);
    // Retry 4 comes about 4.9 s after the capture, with the tab already open.
    await driver.waitUntil(
      'the history to gain the row of retry 4 while it is shown',
      async () => (await historyRows(driver)).some((r) => r.retry === '4'),
      { timeoutMs: 15_000 },
    );
    await driver.waitFor(tid('redelivery-next-retry'), { text: 'retry 5 due at', what: 'when the next retry is due' });
    assert.equal((await driver.findAll(tid('redelivery-next-retry'))).length, 1, 'only the latest attempt has a retry to come');
    const waiting = await forwardMark(driver, id, 'a retry pending', (m) => m.pending === 'true' && m.retry === '4');
    assert.match(waiting.text, /^→ 503 · retry 5 in \d+ s$/, `a countdown to the next retry: ${waiting.text}`);
    assert.match(waiting.tone, /fwd-warn/);
    await driver.screenshot('forwarding-retry.png');

    await closeDetail(driver);
    await openForwarding(driver);
    await setChecked(driver, tid('forward-enabled'), false);
    await saveForwarding(driver, 'Forwarding off');
    const stopped = await forwardMark(driver, id, 'no retry pending any more', (m) => m.pending === 'false');
    assert.match(stopped.title, /No retry follows/);
    const count = failing.got.length;
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(failing.got.length, count, 'nothing more is sent');
  });
});

// ---- bulk re-delivery ----------------------------------------------------------------------

describe('bulk re-delivery', () => {
  test('a Shift-click selection goes out in event created-at order, with a summary', async () => {
    const { driver } = app();
    await driver.waitFor(tid('open-forwarding'), { text: 'Forwarding off' });
    const target = await recorder();
    // Arrival order A, B, C; created-at order B, C, A.
    const a = event('inquiry.completed', '2026-02-01T10:00:03.000Z');
    const b = event('inquiry.completed', '2026-02-01T10:00:01.000Z');
    const c = event('inquiry.completed', '2026-02-01T10:00:02.000Z');
    const ids = [];
    for (const ev of [a, b, c]) ids.push(await capture(ev));
    const [idA, , idC] = ids;

    // Newest first: C at the top, A two rows below. Tick C, Shift-click A's box.
    const boxC = await driver.waitFor(`[data-testid="delivery-row"][data-id="${idC}"] ${tid('row-check')}`);
    await driver.click(boxC);
    await driver.waitFor(`${tid('selection-bar')}[data-count="1"]`, { what: '1 selected' });
    const boxA = await driver.waitFor(`[data-testid="delivery-row"][data-id="${idA}"] ${tid('row-check')}`);
    await driver.clickWithKey(boxA, Key.Shift);
    await driver.waitFor(`${tid('selection-bar')}[data-count="3"]`, { what: 'a Shift-click range of 3 selected' });
    const checked = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="delivery-row"][data-checked="true"]')].map((r) => Number(r.getAttribute('data-id')));`,
    );
    assert.deepEqual(checked.sort(), [...ids].sort(), 'exactly the three new rows');
    await driver.findAll(tid('detail')).then((d) => assert.equal(d.length, 0, 'selecting opened nothing'));

    await driver.clickWhenVisible(tid('open-bulk'));
    await driver.waitFor(tid('bulk'), { what: 'the bulk Re-deliver dialog' });
    const scope = await driver.waitFor(tid('bulk-scope-selected'));
    assert.equal(await driver.execute('return arguments[0].checked;', [scope]), true, 'the selection is the scope');
    // Signed with a secret the app does not know: the dialog says so before anything starts.
    await driver.waitFor(`${tid('bulk-unverified')}[data-n="3"]`, {
      text: /3 of 3 are not signed by Persona \(3 unchecked\)/,
      what: 'the count of deliveries Persona did not sign',
    });
    await driver.click(await driver.waitFor(tid('bulk-order-created')));
    await typeInto(driver, tid('bulk-target'), `${target.url}/bulk`);
    await startBulk(driver);

    await driver.waitFor(tid('bulk-headline'), { text: 'All 3 delivered', what: 'the end: all 3 delivered' });
    const summary = await driver.text(await driver.waitFor(tid('bulk-summary')));
    assert.match(summary, /3 delivered/, `the summary: ${summary}`);
    const bar = await driver.waitFor(tid('bulk-progress-text'));
    assert.equal(await driver.attribute(bar, 'data-done'), '3');
    assert.deepEqual(target.got.map(eventIdOf), [b.id, c.id, a.id], 'sent in created-at order, not arrival order');
    assert.ok(target.got.every((g) => g.url === '/bulk'));
    assert.ok(
      [a, b, c].every((ev) => target.got.some((g) => g.body.equals(ev.body))),
      'each sent with its exact bytes',
    );
    await driver.screenshot('bulk-done.png');
    await driver.clickWhenVisible(tid('bulk-done'));
    await driver.waitForGone(tid('bulk'));

    // The keyboard: Escape clears the selection, x picks the focused row.
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('selection-bar'));
  });

  test('the x key toggles the focused row, and a filter that matches nothing is refused with the reason', async () => {
    const { driver } = app();
    const list = await driver.waitFor(tid('delivery-list'));
    await driver.execute('arguments[0].focus();', [list]);
    await driver.pressKey('j'); // the top row
    await driver.pressKey('x');
    await driver.waitFor(`${tid('selection-bar')}[data-count="1"]`, { what: 'x picked the focused row' });
    await driver.pressKey('x');
    await driver.waitForGone(tid('selection-bar'));

    await typeInto(driver, tid('filter-resource'), 'inq_nothing_here');
    await driver.pressKey(Key.Enter);
    await driver.waitFor('.filters-status', { text: '0 deliveries match' });
    await driver.clickWhenVisible(tid('open-bulk'));
    const scope = await driver.waitFor(tid('bulk-scope-filter'));
    assert.equal(await driver.execute('return arguments[0].checked;', [scope]), true, 'no selection: the filter is the scope');
    await driver.waitFor(`${tid('bulk-matching')}[data-count="0"]`, { what: 'the count of matching deliveries: 0' });
    await startBulk(driver);
    await driver.waitFor(tid('bulk-error'), { text: 'nothing to send', what: "startBulk's refusal in the dialog" });
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('bulk'));
    await driver.clickWhenVisible(tid('clear-filters'));
  });

  test('a run to a slow handler is cancelled after the request in flight', async () => {
    const { driver } = app();
    const slow = await recorder(() => ({ status: 200, delayMs: 1_000 }));
    const events = [];
    for (let i = 0; i < 5; i++) events.push(event('inquiry.expired', `2026-03-01T10:00:0${i}.000Z`));
    const ids = [];
    for (const ev of events) ids.push(await capture(ev));
    await driver.waitFor(`[data-testid="delivery-row"][data-id="${ids.at(-1)}"]`);

    await driver.choose(tid('filter-event'), 'inquiry.expired');
    await driver.waitFor('.filters-status', { text: '5 deliveries match' });
    await driver.clickWhenVisible(tid('open-bulk'));
    await driver.waitFor(`${tid('bulk-matching')}[data-count="5"]`, { what: 'all 5 matching the filter' });
    await driver.click(await driver.waitFor(tid('bulk-order-received')));
    await typeInto(driver, tid('bulk-target'), slow.url);
    await startBulk(driver);

    await received(driver, slow.got, 1, 'the first request, answered after 1 s');
    await driver.clickWhenVisible(tid('bulk-cancel'));
    await driver.waitFor(tid('bulk-stopping'), { text: 'stopping after the current request', what: 'the stopping note' });
    await driver.waitFor(tid('bulk-headline'), { text: 'Cancelled', what: 'the end of the cancelled run', timeoutMs: 10_000 });
    const summary = await driver.text(await driver.waitFor(tid('bulk-summary')));
    assert.match(summary, /cancelled with \d+ left/, `the summary says it was cancelled: ${summary}`);
    const cancelled = await driver.execute(
      `return Number(document.querySelector('[data-testid="bulk-counts"] [data-key="cancelled"]')?.getAttribute('data-n') ?? -1);`,
    );
    assert.ok(cancelled >= 3, `at least 3 left unsent (${cancelled})`);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.ok(slow.got.length < 5, `fewer than 5 were sent (${slow.got.length})`);
    assert.equal(slow.got.length, 5 - cancelled, 'the server got what was not cancelled');
    assert.deepEqual(slow.got.map(eventIdOf), events.slice(0, slow.got.length).map((e) => e.id), 'in the order received');
    await driver.screenshot('bulk-cancelled.png');
    await driver.clickWhenVisible(tid('bulk-done'));
    await driver.waitForGone(tid('bulk'));
  });
});

// ---- re-signing only what Persona signed ----------------------------------------------------

describe('re-signing what Persona did not sign', () => {
  const SECRET = { label: 'mine', value: 'wbhsec_e2e_forwarding_secret' };

  test('the forward rule keeps an invalid capture’s signature until its setting says otherwise', async () => {
    const { driver } = app();
    await closeDetail(driver);
    // The bulk tests leave a filter on: every capture shows again.
    await driver.clickWhenVisible(tid('clear-filters'));
    // A secret to re-sign with. Captures are signed with another one: their verdict is invalid.
    await driver.clickWhenVisible(tid('open-settings'));
    await driver.sendKeys(await driver.waitFor(tid('secret-label-input')), SECRET.label);
    await driver.sendKeys(await driver.waitFor(tid('secret-value-input')), SECRET.value);
    await driver.clickWhenVisible(tid('secret-add'));
    await driver.waitFor(tid('secret-row'), { text: SECRET.label });
    await driver.clickWhenVisible(tid('close-settings'));
    await driver.waitForGone(tid('settings'));

    const target = await recorder();
    await openForwarding(driver);
    await setChecked(driver, tid('forward-enabled'), true);
    await setChecked(driver, tid('forward-retries'), false);
    await typeInto(driver, tid('forward-target'), `${target.url}/resign`);
    await driver.choose(tid('forward-signing'), `resign:${SECRET.label}`);
    const optIn = await driver.waitFor(tid('forward-resign-unverified'), { what: 'the opt-in, once re-signing is chosen' });
    assert.equal(await driver.execute('return arguments[0].checked;', [optIn]), false, 'off by default');
    await saveForwarding(driver, `Forwarding → ${target.url}/resign`);

    const first = event('inquiry.completed', '2026-04-01T10:00:00.000Z');
    const id = await capture(first);
    await received(driver, target.got, 1, 'the forward of an invalid capture');
    const [t, v1] = String(target.got[0].headers['persona-signature']).split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, personaV1(first.body, PERSONA_SECRET, t), 'sent with its own signature, not signed with the user’s secret');
    await openRedeliverTab(driver, id);
    const rows = await driver.waitUntil('the forward in the history, saying why it was not re-signed', async () => {
      const r = await historyRows(driver);
      return r.length > 0 && /not re-signed because its signature is invalid/i.test(r[0].text) ? r : null;
    });
    assert.match(rows[0].text, /signature kept/, `recorded as kept: ${rows[0].text}`);
    await closeDetail(driver);

    await openForwarding(driver);
    await setChecked(driver, tid('forward-resign-unverified'), true);
    await driver.waitFor(tid('forward-resign-unverified-note'), { text: 'Anyone who finds the listener', what: 'the warning' });
    await saveForwarding(driver, `Forwarding → ${target.url}/resign`);
    const second = event('inquiry.completed', '2026-04-01T10:00:01.000Z');
    await capture(second);
    await received(driver, target.got, 2, 'the forward with the opt-in on');
    const [t2, v2] = String(target.got[1].headers['persona-signature']).split(',').map((p) => p.split('=')[1]);
    assert.equal(v2, personaV1(second.body, SECRET.value, t2), 'opted in: re-signed with the user’s secret');

    await openForwarding(driver);
    await setChecked(driver, tid('forward-enabled'), false);
    await saveForwarding(driver, 'Forwarding off');
  });
});
