// Scenario 5: the configured port is taken. The window opens anyway, says so, and listening on
// another port from the window works.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { freePort, launchApp, occupyPort, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

let blocker;
let app;

before(async () => {
  blocker = await occupyPort(0);
  app = await launchApp({ name: 'port-in-use', port: blocker.address().port });
});

after(async () => {
  await app?.close();
  await new Promise((r) => (blocker ? blocker.close(() => r()) : r()));
});

test('a taken port is reported in the window, and re-listening on a free port works', async () => {
  assert.ok(app, 'the app started');
  const { driver, port: taken } = app;

  const failed = await driver.waitFor(tid('listener-failed'), {
    text: String(taken),
    what: `listener-failed naming port ${taken}`,
  });
  const message = await driver.text(failed);
  assert.match(message, /in use/i, `listener-failed says the port is in use: ${JSON.stringify(message)}`);
  await driver.screenshot('port-in-use.png');

  // The port field may sit in the banner or in the settings.
  const visiblePortInput = await driver.execute(
    `const i = document.querySelector('[data-testid="port-input"]'); return !!i && i.getClientRects().length > 0;`,
  );
  if (!visiblePortInput) {
    const settings = await driver.findAll(tid('open-settings'));
    if (settings.length > 0) await driver.click(settings[0]);
  }
  const input = await driver.waitFor(tid('port-input'));
  const next = await freePort();
  await driver.replaceText(input, String(next), 'the port field');
  await driver.clickWhenVisible(tid('relisten-button'));

  await driver.waitFor(tid('listener-status'), {
    text: String(next),
    what: `listener-status naming the new port ${next}`,
  });
  const r = await postDelivery(next, '{"data":{"type":"event"}}');
  assert.equal(r.status, 200, `the listener on the new port ${next} answers 200 (body: ${r.text})`);
});
