// A Persona-Signature sent as two header lines (rotation pairs a proxy did not join): the
// Signature tab shows both lines, as the verdict reads both.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { appPerFile, fixtureBytes, personaSignature } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'signature-lines' });

/** POSTs `body` with the signature header lines `lines`, each its own header line. */
function postWithLines(port, body, lines) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: '/persona', method: 'POST', headers: { 'content-type': 'application/json', 'persona-signature': lines } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, id: Number(response.headers['x-inspector-delivery-id']) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

test('the Signature tab shows every Persona-Signature line', async () => {
  const { driver, port } = app();
  const body = fixtureBytes('docs-example.json');
  const lines = [personaSignature(body, 'wbhsec_new_secret'), personaSignature(body, 'wbhsec_old_secret')];
  const { status, id } = await postWithLines(port, body, lines);
  assert.equal(status, 200, 'the listener takes it');

  await driver.clickWhenVisible(`[data-testid="delivery-row"][data-id="${id}"]`, { what: `the row of delivery ${id}` });
  await driver.waitFor(`[data-testid="detail"][data-id="${id}"][data-state="loaded"]`, { what: 'the detail, loaded' });
  await driver.clickWhenVisible(tid('tab-signature'));
  await driver.waitFor(tid('signature-lines-note'), { text: 'Sent as 2 header lines', what: 'the note on two lines' });
  const shown = await driver.execute(
    `return [...document.querySelectorAll('[data-testid="signature-line"] code')].map((c) => c.textContent);`,
  );
  assert.deepEqual(shown, lines, 'each line is shown as sent');
  const pairs = await driver.execute(
    `return document.querySelectorAll('[data-testid="signature-pairs"] tbody tr').length;`,
  );
  assert.equal(pairs, 2, 'the verdict read a pair from each line');
  await driver.screenshot('signature-lines.png');
});
