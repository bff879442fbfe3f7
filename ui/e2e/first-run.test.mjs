// Scenario 1: a fresh launch on a free port shows where it listens and how to expose it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { appPerFile } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'first-run' });

test('a fresh launch shows the listener port and the first-run view with the ngrok command', async () => {
  const { driver, port } = app();
  const status = await driver.waitFor(tid('listener-status'), { text: String(port) });
  assert.match(await driver.text(status), new RegExp(`\\b${port}\\b`), 'listener-status names the port');

  await driver.waitFor(tid('first-run'));
  const command = await driver.waitFor(tid('ngrok-command'), { text: `ngrok http ${port}` });
  assert.equal((await driver.text(command)).trim(), `ngrok http ${port}`, 'the ngrok command to copy');
  await driver.screenshot('first-run.png');
});
