// Issue 13 in the window: "Check my endpoint" sends Persona's cases to a real local handler (an
// HTTP server on port 0) and shows, for each, the verdict, the answer and the advice. A handler
// that verifies the common wrong way (a bare hex HMAC of the body, compared with the whole
// header, 401 otherwise) fails `signed` and `bare-hmac`, the overall line says it failed, and
// a failed case opens to the request it sent and the answer as recorded. A handler that
// verifies as Persona signs passes, its cases showing one by one while the check runs. No secret
// saved: the dialog says so and leads to Settings; a URL where nothing listens is refused with
// the reason; a URL without a scheme is refused in the form.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';


import { appPerFile, failFast, freePort, personaV1 } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'check-endpoint' });

const SECRET = { label: 'handler', value: 'wbhsec_e2e_check_endpoint_secret' };

/** How long a whole check may take: a dozen requests to a local server, each answered at once. */
const CHECK_MS = 30_000;

// ---- handlers ----------------------------------------------------------------------------------

const servers = [];

/**
 * A handler on port 0 that records every request and answers POSTs as `verify(request)` says
 * (true: 200, false: 401), after `gate(request, n)` resolves (n counts POSTs from 1). Anything
 * else (the check's first HEAD) gets 404, as a POST-only route would.
 */
async function handler(verify, gate = () => undefined) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      got.push(request);
      if (req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      await gate(request, got.filter((r) => r.method === 'POST').length);
      const ok = verify(request);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"received":true}' : '{"error":"Invalid signature"}');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  servers.push(server);
  return { got, url: `http://127.0.0.1:${server.address().port}/webhooks/persona` };
}

after(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});

/** The common mistake: the whole header compared with the hex HMAC-SHA256 of the raw body. */
function bareHmacVerify({ headers, body }) {
  const expected = createHmac('sha256', SECRET.value).update(body).digest('hex');
  return headers['persona-signature'] === expected;
}

/** As Persona signs: any `t=…,v1=…` pair of the header over "<t>.<raw body>", t at most 5 min old. */
function personaVerify({ headers, body }) {
  const header = headers['persona-signature'];
  if (typeof header !== 'string') return false;
  return header.split(' ').some((pair) => {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(pair);
    return m !== null && Math.abs(Date.now() / 1000 - Number(m[1])) < 300 && personaV1(body, SECRET.value, m[1]) === m[2];
  });
}

// ---- helpers -----------------------------------------------------------------------------------

async function openCheck(driver) {
  await driver.clickWhenVisible(tid('open-check'));
  return driver.waitFor(tid('check'), { what: 'the Check my endpoint dialog' });
}

/** Types `url` and runs the check. */
async function runCheck(driver, url) {
  await driver.replaceText(await driver.waitFor(tid('check-target')), url, 'the handler URL');
  await driver.choose(tid('check-secret'), SECRET.label);
  await driver.clickWhenVisible(tid('check-run'));
}

/** The cases on screen: name → { verdict, status, answer, advice }. */
function casesShown(driver) {
  return driver.execute(
    `return Object.fromEntries([...document.querySelectorAll('[data-testid="check-case"]')].map((r) => [
       r.getAttribute('data-name'),
       { verdict: r.getAttribute('data-verdict'), status: r.getAttribute('data-status'),
         shown: r.querySelector('[data-testid="check-verdict"]').innerText.trim(),
         answer: r.querySelector('[data-testid="check-answer"]').innerText.trim(),
         advice: r.querySelector('[data-testid="check-advice"]').innerText.trim() },
     ]));`,
  );
}

/** Waits for the check after `previousId` to be recorded and shown; returns its id. */
async function checkDone(driver, previousId = '') {
  const results = await driver.waitUntil(
    'the check to end and show its result',
    () =>
      driver.execute(
        `const r = document.querySelector('[data-testid="check-results"][data-state="done"]');
         return r && r.getAttribute('data-id') !== arguments[0] ? r.getAttribute('data-id') : null;`,
        [previousId],
      ),
    { timeoutMs: CHECK_MS },
  );
  return results;
}

/** A failed test may leave a dialog open over the window: closed for the next one. */
afterEach(() => app().driver.closeDialogs());

// ---- the tests ---------------------------------------------------------------------------------

describe('Check my endpoint', () => {
  /** The secret, saved once through the dialog's way to Settings: later tests build on it. */
  let saved = null;
  const secretSaved = () => (saved ??= saveSecret());
  const saveSecret = failFast('the secret was not saved', async () => {
    const { driver } = app();
    await openCheck(driver);
    await driver.waitFor(tid('check-no-secret'), { text: 'No secret is saved', what: 'the dialog saying no secret is saved' });
    const run = await driver.waitFor(tid('check-run'));
    assert.equal(await driver.execute('return arguments[0].disabled;', [run]), true, 'no check without a secret');
    await driver.clickWhenVisible(tid('check-open-settings'));
    await driver.waitFor(tid('settings'), { what: 'Settings, opened from the dialog' });
    await driver.sendKeys(await driver.waitFor(tid('secret-label-input')), SECRET.label);
    await driver.sendKeys(await driver.waitFor(tid('secret-value-input')), SECRET.value);
    await driver.clickWhenVisible(tid('secret-add'));
    await driver.waitFor(tid('secret-row'), { text: SECRET.label });
    await driver.clickWhenVisible(tid('close-settings'));
    await driver.waitForGone(tid('settings'));
  });

  let firstId = '';

  test('a handler that checks a bare HMAC of the body fails signed and bare-hmac, and a failed case opens to its request and answer', async () => {
    await secretSaved();
    const { driver } = app();
    const wrong = await handler(bareHmacVerify);
    await openCheck(driver);

    // A URL without its scheme is refused in the form: nothing is sent.
    await driver.replaceText(await driver.waitFor(tid('check-target')), '127.0.0.1:3000/hooks', 'the handler URL');
    await driver.clickWhenVisible(tid('check-run'));
    await driver.waitFor(tid('check-target-error'), { text: 'has no http://' });
    assert.equal(await driver.findAll(tid('check-results')).then((l) => l.length), 0, 'no check ran');

    await runCheck(driver, wrong.url);
    firstId = await checkDone(driver);

    const posts = wrong.got.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 12, 'one request per case, two for duplicate and out-of-order');
    const cases = await casesShown(driver);
    assert.deepEqual(Object.keys(cases).length, 10, `every case is shown: ${JSON.stringify(Object.keys(cases))}`);
    assert.equal(cases.signed.verdict, 'fail', `signed: ${JSON.stringify(cases.signed)}`);
    assert.equal(cases.signed.status, '401');
    assert.equal(cases.signed.shown, '✗ fail', 'the verdict is said, not only coloured');
    assert.match(cases.signed.advice, /\S/, 'with advice');
    assert.equal(cases['bare-hmac'].verdict, 'fail', `bare-hmac: ${JSON.stringify(cases['bare-hmac'])}`);
    assert.equal(cases['bare-hmac'].status, '200');
    assert.match(cases['bare-hmac'].advice, /bare hex HMAC/);
    // What such a handler gets right: a forged or unsigned delivery is refused.
    assert.equal(cases['other-secret'].verdict, 'pass');
    assert.equal(cases['no-signature'].verdict, 'pass');

    const overall = await driver.waitFor(tid('check-overall'));
    assert.equal(await driver.attribute(overall, 'data-passed'), 'false');
    assert.match(await driver.text(overall), /^Failed: 5 must-cases failed/);

    // The signed case, opened: the request as the handler received it, and its answer.
    const signedRequest = posts[0];
    await driver.clickWhenVisible(`[data-testid="check-case"][data-name="signed"] ${tid('check-case-toggle')}`);
    const details = await driver.waitFor(tid('check-case-details'), { what: 'the signed case opened' });
    const attempts = await driver.findAll(tid('check-attempt'));
    assert.equal(attempts.length, 1, 'one request');
    assert.equal(await driver.attribute(attempts[0], 'data-status'), '401');
    const sent = await driver.execute(
      `return [...arguments[0].querySelectorAll('.rd-headers tr')].map((tr) => [tr.querySelector('th').innerText.trim(), tr.querySelector('td code').innerText]);`,
      [details],
    );
    const signature = sent.find(([name]) => name.toLowerCase() === 'persona-signature');
    assert.ok(signature, `the headers sent include Persona-Signature: ${JSON.stringify(sent)}`);
    assert.equal(signature[1], signedRequest.headers['persona-signature'], 'as the handler received it');
    const [t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature[1]).slice(1);
    assert.equal(v1, personaV1(signedRequest.body, SECRET.value, t), 'signed as Persona signs');
    await driver.waitFor(`${tid('check-case-details')} ${tid('check-attempt-sent-body')}`, { what: 'the body sent' });
    await driver.waitFor(`${tid('check-case-details')} ${tid('check-attempt-response-body')}`, {
      text: 'Invalid signature',
      what: "the handler's answer body",
    });
    await driver.screenshot('check-endpoint-failed.png');

    // Recorded: listed, and opened again from the list.
    await driver.waitFor(`${tid('check-past-run')}[data-id="${firstId}"][data-passed="false"]`, { what: 'the check in the list' });
  });

  test('a URL where nothing listens is refused with the reason, and nothing is recorded', async () => {
    await secretSaved();
    const { driver } = app();
    await openCheck(driver);
    const closed = await freePort();
    await runCheck(driver, `http://127.0.0.1:${closed}/webhooks/persona`);
    const error = await driver.waitFor(tid('check-error'), { timeoutMs: CHECK_MS });
    assert.match(await driver.text(error), /^Not checked: could not reach .*is your app running\?/);
    const listed = await driver.findAll(tid('check-past-run'));
    assert.equal(listed.length, 1, 'only the first check is recorded');
  });

  test('a handler that verifies as Persona signs passes, its cases showing as they end', async () => {
    await secretSaved();
    const { driver } = app();
    // The second case waits until the window has shown the first one ended and the rest to come.
    let release;
    const released = new Promise((r) => (release = r));
    const right = await handler(personaVerify, (_, n) => (n === 2 ? released : undefined));
    await openCheck(driver);
    try {
      await runCheck(driver, right.url);
      await driver.waitFor('[data-testid="check-results"][data-state="running"] [data-testid="check-case"][data-name="signed"][data-verdict="pass"]', {
        what: 'the signed case shown as passed while the check runs',
        timeoutMs: CHECK_MS,
      });
      await driver.waitFor(`${tid('check-pending')}[data-name="rotation"] .spinner`, { what: 'rotation being sent' });
      const pending = await driver.execute(
        `return [...document.querySelectorAll('[data-testid="check-pending"]')].map((r) => r.getAttribute('data-name'));`,
      );
      assert.deepEqual(pending.slice(0, 2), ['rotation', 'bare-hmac'], 'the rest, in the order they run');
      assert.equal(pending.length, 9);
      await driver.waitFor(tid('check-progress'), { text: '1 of 10 cases done' });
      await driver.screenshot('check-endpoint-running.png');
    } finally {
      release();
    }
    await checkDone(driver, firstId);

    const cases = await casesShown(driver);
    const notPassed = Object.entries(cases).filter(([, c]) => c.verdict !== 'pass');
    assert.deepEqual(notPassed, [], 'every case passes');
    assert.equal(Object.keys(cases).length, 10);
    assert.equal(cases.duplicate.status, '200');
    assert.equal(cases['bare-hmac'].status, '401');
    assert.equal((await driver.findAll(tid('check-pending'))).length, 0, 'nothing left to come');
    const overall = await driver.waitFor(tid('check-overall'));
    assert.equal(await driver.attribute(overall, 'data-passed'), 'true');
    assert.match(await driver.text(overall), /^Passed: every must-case passed\./);
    await driver.screenshot('check-endpoint-passed.png');

    // The earlier, failed check opens again from the list, every case as recorded.
    await driver.clickWhenVisible(`${tid('check-past-run')}[data-id="${firstId}"]`);
    await driver.waitFor(`[data-testid="check-results"][data-id="${firstId}"]`, { what: 'the first check opened again' });
    const reopened = await casesShown(driver);
    assert.equal(reopened.signed.verdict, 'fail');
    assert.equal(reopened['bare-hmac'].verdict, 'fail');
  });
});
