// ngrok awareness in the header, against a stand-in agent: a real HTTP server on port 0 that
// answers GET /api/tunnels with the JSON shape ngrok documents for its agent API ("List
// Tunnels"; tests/ngrok.rs has the same), told to the app by PERSONA_INSPECTOR_NGROK_API. The
// window asks every few seconds, so one launch sees the agent change: a tunnel to the listener's
// port (its https URL, a Copy button and where to paste it), tunnels to another port (a warning
// naming both ports and the command to run), and no agent (nothing at all).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { Key } from 'webdriverio';

import { freePort, launchApp } from './app.mjs';
import { tid } from './window.mjs';

/** The window asks every 3 s: a change shows within one round, plus the usual margin. */
const CHANGE_MS = 10_000;

/** A tunnel as the agent lists it (documented fields, metrics and all). */
function documented(name, publicUrl, addr) {
  return {
    name,
    ID: `tn_${name}`,
    uri: `/api/tunnels/${name}`,
    public_url: publicUrl,
    proto: publicUrl.startsWith('https') ? 'https' : 'http',
    config: { addr, inspect: true },
    metrics: {
      conns: { count: 0, gauge: 0, rate1: 0, rate5: 0, rate15: 0, p50: 0, p90: 0, p95: 0, p99: 0 },
      http: { count: 0, rate1: 0, rate5: 0, rate15: 0, p50: 0, p90: 0, p95: 0, p99: 0 },
    },
  };
}

/** What the stand-in answers: a tunnel list, or null for "no agent here" (404). */
let tunnels = null;
let asked = 0;
let agent = null;
let app = null;
let port = null;

before(async () => {
  agent = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/tunnels') asked += 1;
    if (req.method !== 'GET' || req.url !== '/api/tunnels' || tunnels === null) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ tunnels, uri: '/api/tunnels' }));
  });
  await new Promise((resolve, reject) => {
    agent.once('error', reject);
    agent.listen(0, '127.0.0.1', resolve);
  });
  port = await freePort();
  const url = `https://e2e-${port}.ngrok-free.app`;
  // Both of the agent's default tunnels for `ngrok http <port>`: http and https.
  tunnels = [
    documented('command_line (http)', url.replace('https:', 'http:'), `http://localhost:${port}`),
    documented('command_line', url, `http://localhost:${port}`),
  ];
  app = await launchApp({
    name: 'ngrok',
    port,
    env: { PERSONA_INSPECTOR_NGROK_API: `http://127.0.0.1:${agent.address().port}` },
  });
});

after(async () => {
  await app?.close();
  if (agent) await new Promise((r) => agent.close(r));
});

test('a tunnel to the listener: its https URL in the header, to copy and paste into Persona', async () => {
  const { driver } = app;
  const url = `https://e2e-${port}.ngrok-free.app`;
  const shown = await driver.waitFor(tid('ngrok-url'), { text: url, timeoutMs: CHANGE_MS });
  assert.equal((await driver.text(shown)).trim(), url, 'the https one of the two');
  const hint = await driver.waitFor(tid('ngrok-hint'));
  assert.equal(await driver.text(hint), 'paste this into Persona’s dashboard (Integration → Webhooks)');
  assert.ok(asked > 0, 'the window asked the stand-in agent');

  await driver.clickWhenVisible(tid('ngrok-url-copy'));
  const state = await driver.waitUntil('the Copy button to react', async () => {
    const s = await driver.attribute(await driver.waitFor(tid('ngrok-url-copy')), 'data-state');
    return s === 'idle' ? null : s;
  });
  if (state === 'yes') {
    // Pasted with Ctrl+V into a text field of the window (the Import box), as a user would.
    await driver.clickWhenVisible(tid('open-import'));
    const box = await driver.waitFor(tid('import-text'));
    await driver.click(box);
    await driver.sendKeys(box, `${Key.Control}v${Key.NULL}`);
    const pasted = await driver.waitUntil('the paste', async () => (await driver.execute('return arguments[0].value;', [box])) || null);
    assert.equal(pasted, url, 'the clipboard held the URL');
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('import-dialog'));
  } else {
    assert.equal(state, 'select', 'without clipboard access the URL is selected to copy by hand');
  }
  await driver.screenshot('ngrok-tunnel.png');
});

test('tunnels to another port: a warning naming both ports and what to run; then no agent, nothing', async () => {
  const { driver } = app;
  tunnels = [documented('app', 'https://elsewhere.ngrok-free.app', 'http://localhost:3000')];
  const warning = await driver.waitFor(tid('ngrok-elsewhere-text'), { text: 'ngrok forwards to 3000', timeoutMs: CHANGE_MS });
  assert.equal(await driver.text(warning), `ngrok forwards to 3000, not ${port} — run ngrok http ${port}`);
  await driver.waitForGone(tid('ngrok-tunnel'));
  await driver.screenshot('ngrok-elsewhere.png');

  tunnels = null;
  const before = asked;
  await driver.waitForGone(tid('ngrok-elsewhere'), { timeoutMs: CHANGE_MS });
  await driver.waitForGone(tid('ngrok-tunnel'));
  assert.ok(asked > before, 'it went on asking');
  // The listener line is back to the command that would start a tunnel.
  await driver.waitFor(tid('listener-status'), { text: String(port) });
});
