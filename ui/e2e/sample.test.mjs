// Issue 13 in the window: "Send a sample event…" picks an event by searching the catalog (typed,
// then moved with the arrow keys, sent with Enter) and sends it to this inspector, where it
// arrives in the list and opens; then, from the header, to a URL: a real HTTP server on port 0
// records the request, and the dialog shows the answer as the Re-deliver tab shows an attempt.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, personaV1 } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'sample' });

/** What signs a sample while no secret is saved (src/sample/mod.rs `EXAMPLE_SECRET`). */
const EXAMPLE_SECRET = 'wbhsec_example_not_from_persona';

// ---- a handler that records every request and answers 202 ------------------------------------

/** @type {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders, body: Buffer }[]} */
const received = [];
let handler = null;

before(async () => {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"queued":true}');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  handler = { server, url: `http://127.0.0.1:${server.address().port}/webhooks/persona` };
});

after(async () => {
  if (handler) await new Promise((r) => handler.server.close(r));
});

// ---- helpers -----------------------------------------------------------------------------------

/** The event the picker has chosen (its `data-name`). */
function chosen(driver) {
  return driver.execute(`return document.querySelector('[data-testid="sample-chosen"]')?.getAttribute('data-name') ?? null;`);
}

async function waitChosen(driver, name) {
  await driver.waitUntil(`the picker to choose ${name}`, async () => (await chosen(driver)) === name);
}

// ---- the tests ---------------------------------------------------------------------------------

test('a searched, keyboard-picked event sent to this inspector arrives in the list and opens', async () => {
  const { driver } = app();
  // A fresh inspector: the first-run guide offers the dialog beside its one-click sample.
  await driver.waitFor(tid('first-run'));
  await driver.waitFor(tid('send-sample-quick'), { text: 'inquiry.completed' });
  await driver.clickWhenVisible(tid('first-run-open-sample'));
  await driver.waitFor(tid('sample'));

  const search = await driver.waitFor(tid('sample-search'));
  await driver.replaceText(search, 'watchlist', 'the event search');
  // Only matching events are shown, under their catalog group; the best match is chosen.
  const shown = await driver.waitUntil('the list to show only events about watchlists', async () => {
    const s = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="sample-event"]')].map((e) => ({
         name: e.getAttribute('data-name'), group: e.closest('[data-testid="sample-group"]').getAttribute('data-group'),
         text: e.textContent }));`,
    );
    return s.length > 0 && s.every((e) => /watchlist/i.test(e.text)) ? s : null;
  });
  assert.ok(shown.some((e) => e.name === 'report/watchlist.matched'), JSON.stringify(shown));
  assert.ok(shown.every((e) => e.group === 'Report'), `all under Report: ${JSON.stringify(shown)}`);
  await waitChosen(driver, 'report/watchlist.matched');
  const description = await driver.text(await driver.waitFor(tid('sample-chosen')));
  assert.match(description, /matched against a watchlist/, 'the chosen event’s description is shown');

  // The arrow keys move the choice through what is shown and back; Enter sends.
  const names = shown.map((e) => e.name);
  const next = names[names.indexOf('report/watchlist.matched') + 1];
  assert.ok(next, `an event after report/watchlist.matched: ${names}`);
  await driver.pressKey(Key.ArrowDown);
  await waitChosen(driver, next);
  await driver.pressKey(Key.ArrowUp);
  await waitChosen(driver, 'report/watchlist.matched');
  assert.equal(
    await driver.execute('return document.activeElement?.getAttribute("data-testid");'),
    'sample-search',
    'focus stays in the search field',
  );
  await driver.screenshot('sample-picker.png');
  await driver.clickWhenVisible(tid('sample-to-here'));
  await driver.click(search);
  await driver.pressKey(Key.Enter);

  const result = await driver.waitFor(`${tid('sample-result')}[data-outcome="stored"]`, {
    timeoutMs: 15_000,
    what: 'the sample-result saying the sample was stored',
  });
  const id = await driver.attribute(result, 'data-delivery-id');
  assert.match(id, /^\d+$/, 'the result names the stored delivery');
  assert.match(await driver.text(result), new RegExp(`#${id}\\b[\\s\\S]*report/watchlist\\.matched`));
  await driver.clickWhenVisible(tid('sample-close'));
  await driver.waitForGone(tid('sample'));

  // It arrived in the list under that event name, and is open.
  await driver.waitFor(`[data-testid="delivery-row"][data-id="${id}"]`, {
    text: 'report/watchlist.matched',
    what: `delivery-row ${id} named report/watchlist.matched`,
  });
  const title = await driver.waitFor(`[data-testid="detail"][data-id="${id}"][data-state="loaded"] .dt-event-name`, {
    what: `the detail of delivery ${id}, loaded`,
  });
  // innerText: WebKitWebDriver's element text comes back empty for this clipped title.
  assert.equal((await driver.execute('return arguments[0].innerText;', [title])).trim(), 'report/watchlist.matched');
  await driver.screenshot('sample-stored.png');
});

test('a sample sent to a URL reaches the handler signed, and the dialog shows its answer', async () => {
  const { driver } = app();
  const rowsBefore = (await driver.findAll(tid('delivery-row'))).length;
  assert.ok(rowsBefore > 0, 'the first test stored a sample, so the header offers the dialog');
  await driver.clickWhenVisible(tid('open-sample'));
  await driver.waitFor(tid('sample'));

  // Chosen with the mouse this time.
  const search = await driver.waitFor(tid('sample-search'));
  await driver.replaceText(search, 'inquiry approved', 'the event search');
  await driver.clickWhenVisible('[data-testid="sample-event"][data-name="inquiry.approved"]');
  await waitChosen(driver, 'inquiry.approved');

  await driver.clickWhenVisible(tid('sample-to-url'));
  await driver.replaceText(await driver.waitFor(tid('sample-target')), handler.url, 'the URL field');
  await driver.choose(tid('sample-casing'), 'camel');
  const resourceId = 'inq_E2eStory000000000000001';
  await driver.replaceText(await driver.waitFor(tid('sample-resource-id')), resourceId, 'the resource id');
  await driver.waitFor(tid('sample-example-secret'), { what: 'the note that an example secret signs it' });
  await driver.clickWhenVisible(tid('sample-send'));

  const result = await driver.waitFor(`${tid('sample-result')}[data-status="202"]`, {
    timeoutMs: 15_000,
    what: 'the sample-result with the handler’s 202',
  });
  assert.equal(await driver.attribute(result, 'data-outcome'), 'success');
  const status = await driver.waitFor(tid('sample-attempt-status'));
  assert.equal((await driver.text(status)).trim(), '202 Accepted');
  await driver.clickWhenVisible(tid('sample-attempt-toggle'));
  await driver.waitFor(tid('sample-attempt-details'), { text: 'persona-signature' });
  assert.equal(
    (await driver.text(await driver.waitFor(tid('sample-resource')))).trim(),
    resourceId,
    'the result names the resource asked for',
  );
  await driver.screenshot('sample-url.png');

  // The handler got one POST, signed as Persona signs (with the example secret), in camelCase.
  assert.equal(received.length, 1, `one request: ${JSON.stringify(received.map((r) => r.url))}`);
  const [request] = received;
  assert.equal(request.method, 'POST');
  assert.equal(request.url, '/webhooks/persona');
  const signature = request.headers['persona-signature'];
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature ?? '');
  assert.ok(m, `a Persona-Signature header: ${signature}`);
  assert.equal(m[2], personaV1(request.body, EXAMPLE_SECRET, m[1]), 'the signature is over this body');
  const body = JSON.parse(request.body.toString('utf8'));
  assert.equal(body.data.attributes.name, 'inquiry.approved');
  assert.ok('createdAt' in body.data.attributes && !('created-at' in body.data.attributes), 'camelCase keys');
  assert.equal(body.data.attributes.payload.data.id, resourceId);

  // Nothing was stored here.
  await driver.clickWhenVisible(tid('sample-close'));
  await driver.waitForGone(tid('sample'));
  assert.equal((await driver.findAll(tid('delivery-row'))).length, rowsBefore, 'no new delivery in the list');
});
