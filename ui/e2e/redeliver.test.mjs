// Issue 4 in the window: a captured delivery is re-delivered with one click to a real local HTTP
// server (port 0) that records what it receives, and the result row appears; a closed port gives
// a row saying nothing is listening. Then edit and re-send, re-signed with a secret added in
// Settings (the preview's signature is checked against the edited body, and so is what the
// server received), copy as curl, and importing a fixture. The delivery was signed with a secret
// the app does not know, so re-signing it asks first, naming the verdict: sent without the
// opt-in it keeps its own signature and the row says why.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, failFast, fixtureBytes, freePort, personaV1, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'redeliver' });

const FIXTURE = 'inquiry-reusable-persona-created.json';
const BODY = fixtureBytes(FIXTURE);
/** Persona signed it with a secret the app does not know: the verdict does not matter here. */
const PERSONA_SECRET = 'wbhsec_persona_side_secret';
const SECRET = { label: 'handler', value: 'wbhsec_e2e_redeliver_secret' };

// ---- a target that records every request and answers 200 -----------------------------------

/** @type {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders, body: Buffer }[]} */
const received = [];
let target = null;

before(async () => {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json', 'x-recorder': 'yes' });
      res.end('{"ok":true,"from":"recorder"}');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  target = { server, url: `http://127.0.0.1:${server.address().port}` };
});

after(async () => {
  if (target) await new Promise((r) => target.server.close(r));
});

// ---- helpers ---------------------------------------------------------------------------------

let posted = null;

/** Posts the fixture (once) and resolves with its delivery id. */
function deliveryId() {
  posted ??= postDelivery(app().port, BODY, { secret: PERSONA_SECRET }).then((r) => {
    assert.equal(r.status, 200, `the listener stores the delivery (answer: ${r.text})`);
    assert.ok(r.deliveryId !== null, 'the listener names the delivery');
    return r.deliveryId;
  });
  return posted;
}

/** Opens the delivery's detail view on the Re-deliver tab, unless it is already showing. */
const openRedeliver = failFast('the Re-deliver tab did not open', async () => {
  const { driver } = app();
  const id = await deliveryId();
  const showing = await driver.execute(
    `const p = document.querySelector('[data-testid="detail"][data-id="' + arguments[0] + '"] [data-testid="panel-redeliver"] [data-testid="redeliver-target"]');
     return !!p && p.getClientRects().length > 0;`,
    [id],
  );
  if (showing) return driver;
  const [detail] = await driver.findAll(`[data-testid="detail"][data-id="${id}"]`);
  if (!detail) {
    await driver.clickWhenVisible(`[data-testid="delivery-row"][data-id="${id}"]`, {
      what: `the delivery-row of delivery ${id}`,
    });
  }
  await driver.waitFor(`[data-testid="detail"][data-id="${id}"][data-state="loaded"]`, {
    what: `the detail view of delivery ${id}, loaded`,
  });
  await driver.clickWhenVisible(tid('tab-redeliver'));
  await driver.waitFor(`${tid('panel-redeliver')} ${tid('redeliver-target')}`, {
    what: 'the Re-deliver panel with its target URL field',
  });
  return driver;
});

/** Replaces the target URL field's text with `url`. */
async function typeTarget(driver, url) {
  const input = await driver.waitFor(tid('redeliver-target'));
  await driver.replaceText(input, url, 'the target field');
  // The preview (debounced) names the final URL once the URL is valid.
  await driver.waitUntil(`the preview's final URL for ${url}`, async () => {
    const shown = await driver.execute(
      `return document.querySelector('[data-testid="redeliver-preview-url"]')?.getAttribute('data-url') ?? null;`,
    );
    return shown !== null && shown.startsWith(url);
  });
}

/** The history rows, newest first, as { id, status, failure, text }. */
function historyRows(driver) {
  return driver.execute(
    `return [...document.querySelectorAll('[data-testid="redelivery-row"]')].map((r) => ({
       id: r.getAttribute('data-id'), status: r.getAttribute('data-status'),
       failure: r.getAttribute('data-failure'), outcome: r.getAttribute('data-outcome'), text: r.innerText }));`,
  );
}

/** Sends and waits until the history holds one more row; returns the newest. `answer`: the
 * confirmation's button to click ("keep" or "resign") when re-signing asks first. */
async function sendAndWait(driver, what, answer = null) {
  const before = (await historyRows(driver)).length;
  await driver.clickWhenVisible(tid('redeliver-send'));
  if (answer !== null) await driver.clickWhenVisible(tid(`redeliver-confirm-${answer}`));
  return driver.waitUntil(`a new redelivery-row (${what})`, async () => {
    const rows = await historyRows(driver);
    return rows.length > before ? rows[0] : null;
  }, { timeoutMs: 15_000 });
}

// ---- the scenario ----------------------------------------------------------------------------

describe('re-delivery in the detail view', () => {
  test('one click sends the exact stored bytes to a local server and a row shows 200', async () => {
    const driver = await openRedeliver();
    await typeTarget(driver, `${target.url}/webhooks/persona`);
    const row = await sendAndWait(driver, 'to the recording server');
    assert.equal(row.status, '200', `the newest row shows the server's 200: ${JSON.stringify(row)}`);
    assert.equal(row.outcome, 'success', `200 within 5 s is what Persona accepts: ${JSON.stringify(row)}`);
    assert.match(row.text, /200 OK/, `the row says "200 OK": ${row.text}`);
    assert.match(row.text, /signature kept/, `the row names the signing mode: ${row.text}`);

    assert.equal(received.length, 1, 'the server received exactly one request');
    const got = received[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/webhooks/persona', 'the target URL as typed (no original path appended)');
    assert.ok(got.body.equals(BODY), `the server received the exact stored body (${got.body.length} bytes, stored ${BODY.length})`);
    const kept = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(got.headers['persona-signature']));
    assert.ok(kept, `a Persona-Signature was sent: ${got.headers['persona-signature']}`);
    assert.equal(kept[2], personaV1(BODY, PERSONA_SECRET, kept[1]), 'it is the one Persona made over these bytes, kept');
  });

  test('a closed port gives a newest row saying nothing is listening', async () => {
    const driver = await openRedeliver();
    const closed = await freePort();
    await typeTarget(driver, `http://127.0.0.1:${closed}/webhooks/persona`);
    const row = await sendAndWait(driver, 'to a closed port');
    assert.equal(row.failure, 'not_listening', `the newest row is the refused connection: ${JSON.stringify(row)}`);
    assert.match(row.text, /nothing is listening on 127\.0\.0\.1:\d+/i, `the row says why in words: ${row.text}`);
    const rows = await historyRows(driver);
    assert.deepEqual(
      rows.map((r) => r.status || r.failure),
      ['not_listening', '200'],
      'newest first: the failure above the 200',
    );

    // Expand the 200 row: headers sent, the server's answer.
    const toggles = await driver.findAll(`${tid('redelivery-row')}[data-status="200"] ${tid('redelivery-toggle')}`);
    assert.equal(toggles.length, 1, 'one 200 row to expand');
    await driver.click(toggles[0]);
    await driver.waitFor(tid('redelivery-response-body'), {
      text: '"from":"recorder"',
      what: "the expanded row's response body, as text",
    });
    await driver.waitFor(tid('redelivery-details'), { text: 'x-recorder', what: 'the response headers in the expanded row' });
    await driver.screenshot('redeliver.png');
  });

  test('an unusable URL is refused as typed, before anything is sent', async () => {
    const driver = await openRedeliver();
    const input = await driver.waitFor(tid('redeliver-target'));
    await driver.replaceText(input, 'localhost:3000/hooks', 'the target field');
    await driver.waitFor(tid('redeliver-target-error'), { text: 'http://', what: 'the URL check saying to write http://' });
    const count = received.length;
    await driver.clickWhenVisible(tid('redeliver-send'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, count, 'nothing was sent');
  });

  test('edit and re-send, re-signed with a secret from Settings: the preview signs the edited body live', async () => {
    let driver = await openRedeliver();
    // A secret to re-sign with, added the way a user would.
    await driver.clickWhenVisible(tid('open-settings'));
    await driver.sendKeys(await driver.waitFor(tid('secret-label-input')), SECRET.label);
    await driver.sendKeys(await driver.waitFor(tid('secret-value-input')), SECRET.value);
    await driver.clickWhenVisible(tid('secret-add'));
    await driver.waitFor(tid('secret-row'), { text: SECRET.label });
    await driver.clickWhenVisible(tid('close-settings'));
    await driver.waitForGone(tid('settings'));

    driver = await openRedeliver();
    await typeTarget(driver, `${target.url}/hooks`);
    const keepPath = await driver.waitFor(tid('redeliver-keep-path'));
    if (!(await driver.execute('return arguments[0].checked;', [keepPath]))) await driver.click(keepPath);
    await driver.choose(tid('redeliver-signing'), `resign:${SECRET.label}`);

    await driver.clickWhenVisible(tid('redeliver-edit'));
    const area = await driver.waitFor(tid('redeliver-body'), { what: 'the body editor' });
    const edited = '{"edited":true,"name":"Zoë"}';
    await driver.replaceText(area, edited, 'the body editor');
    await driver.waitFor(`${tid('redeliver-json')}[data-valid="true"]`, { what: 'the JSON check saying valid' });

    // The preview's fresh signature is over the edited bytes.
    const signature = await driver.waitUntil('a preview signature made over the edited body with the secret', async () => {
      const [el] = await driver.findAll(tid('redeliver-preview-signature'));
      if (!el) return null;
      const value = await driver.text(el);
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(value.trim());
      return m && m[2] === personaV1(edited, SECRET.value, m[1]) ? value : null;
    });
    assert.ok(signature);

    // Persona's signature on it does not verify with the app's secret: re-signing asks first,
    // and says why. Cancel sends nothing.
    await driver.clickWhenVisible(tid('redeliver-send'));
    await driver.waitFor(tid('redeliver-confirm-reason'), {
      text: 'its signature is invalid',
      what: 'the confirmation naming the verdict',
    });
    await driver.screenshot('redeliver-confirm.png');
    const count = received.length;
    await driver.clickWhenVisible(tid('redeliver-confirm-cancel'));
    await driver.waitForGone(tid('redeliver-confirm'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, count, 'cancelled: nothing was sent');

    // Sent without the opt-in: the original signature goes, and the row says why.
    const kept = await sendAndWait(driver, 'the edited request, not re-signed', 'keep');
    assert.match(kept.text, /signature kept/, `recorded as kept: ${kept.text}`);
    assert.match(kept.text, /not re-signed because its signature is invalid/i, `the row says why: ${kept.text}`);
    const original = String(received.at(-1).headers['persona-signature']);
    const [ot, ov1] = original.split(',').map((p) => p.split('=')[1]);
    assert.equal(ov1, personaV1(BODY, PERSONA_SECRET, ot), `the server got Persona's own signature: ${original}`);

    const row = await sendAndWait(driver, 'the edited, re-signed request', 'resign');
    assert.equal(row.status, '200', `the edited request got 200: ${JSON.stringify(row)}`);
    assert.doesNotMatch(row.text, /not re-signed/, `opted in: ${row.text}`);
    assert.match(row.text, /re-signed with “handler”/, `the row names the secret: ${row.text}`);
    assert.match(row.text, /edited body/, `the row marks the edited body: ${row.text}`);

    const got = received.at(-1);
    assert.equal(got.url, '/hooks/persona', 'the original path appended to the target');
    assert.equal(got.body.toString('utf8'), edited, 'the server received the edited body, UTF-8 encoded');
    const [t, v1] = String(got.headers['persona-signature']).split(',').map((p) => p.split('=')[1]);
    assert.equal(v1, personaV1(got.body, SECRET.value, t), 'the signature received verifies with the secret');
    assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 60, `the timestamp is fresh (t=${t})`);
    await driver.waitFor(tid('redeliver-last'), { text: '200 OK', what: 'the result by the form: 200 OK' });
    await driver.execute(`document.querySelector('[data-testid="panel-redeliver"]').scrollTop = 0;`);
    await driver.screenshot('redeliver-edit.png');
  });

  test('Copy as curl copies (or shows) the command', async () => {
    const driver = await openRedeliver();
    await driver.clickWhenVisible(tid('copy-curl'));
    const state = await driver.waitUntil('copy-curl to finish (copied, or the text shown to copy)', async () => {
      const s = await driver.execute(
        `const b = document.querySelector('[data-testid="copy-curl"]');
         const t = document.querySelector('[data-testid="copy-curl-error"] textarea');
         return { state: b.getAttribute('data-state'), text: t ? t.value : null,
                  // Not "error": the WebDriver client reads a value with that key as a failure.
                  note: document.querySelector('[data-testid="copy-curl-error"]')?.innerText ?? null };`,
      );
      return s.state === 'copied' || s.state === 'manual' || s.state === 'failed' ? s : null;
    });
    assert.notEqual(state.state, 'failed', `the curl command was made: ${state.note}`);
    if (state.state === 'manual') assert.match(state.text, /^curl /m, 'the shown text is a curl command');
  });
});

describe('import a fixture', () => {
  test('pasted fixture JSON is imported and listed; a bad one says why', async () => {
    const { driver } = app();
    const [close] = await driver.findAll(tid('detail-close'));
    if (close) await driver.click(close);
    await driver.clickWhenVisible(tid('open-import'));
    const area = await driver.waitFor(tid('import-text'));
    await driver.sendKeys(area, '{"format":"something-else"}');
    await driver.clickWhenVisible(tid('import-submit'));
    await driver.waitFor(tid('import-error'), { what: 'the import error for a bad fixture' });

    const fixture = JSON.stringify({
      format: 'persona-inspector-fixture',
      version: 1,
      delivery: {
        received_at: '2026-01-02T03:04:05.678Z',
        method: 'POST',
        path: '/imported',
        headers: [['content-type', 'application/json']],
        body_base64: Buffer.from('{"imported":true}').toString('base64'),
      },
    });
    await driver.replaceText(area, fixture, 'the import box');
    await driver.clickWhenVisible(tid('import-submit'));
    const result = await driver.waitFor(tid('import-result'), { text: /Imported 1 delivery \(#\d+\)/ });
    const id = Number(/#(\d+)/.exec(await driver.text(result))[1]);
    await driver.screenshot('import.png');
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('import-dialog'));
    await driver.waitFor(`[data-testid="delivery-row"][data-id="${id}"] [data-testid="source-badge"][data-source="imported"]`, {
      text: 'imported',
      what: `the imported delivery #${id} in the list, with its badge`,
    });
    await driver.clickWhenVisible(`[data-testid="delivery-row"][data-id="${id}"]`);
    await driver.waitFor(`[data-testid="detail"][data-id="${id}"] [data-testid="source-badge"][data-source="imported"]`, {
      what: `the detail of #${id} with its imported badge`,
    });
  });
});
