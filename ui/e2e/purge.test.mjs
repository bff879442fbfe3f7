// Data at rest from the window: Purge… counts what would go and confirms with that number, then
// deletes older-than-N-days or everything; the retention setting (days or forever) and the
// notifications' counts-only option are saved through Settings.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'purge' });

/**
 * Makes the delivery stored under `path` look received 400 days ago, by rewriting its arrival
 * time in the app's database: the test's stand-in for a year passing. (An import keeps its
 * fixture's claimed time apart and arrives now, so it cannot stand in for an old delivery.)
 */
function backdate(dataDir, path) {
  const sql = `UPDATE deliveries SET received_at = received_at - 400 * 86400000 WHERE path = '${path}';`;
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(dataDir, 'inspector.db'), sql]);
}

function rowCount(driver) {
  return driver.execute(`return document.querySelectorAll('[data-testid="delivery-row"]').length;`);
}

async function waitForRows(driver, n, what) {
  let seen = null;
  try {
    await driver.waitUntil(what, async () => (seen = await rowCount(driver)) === n);
  } catch (e) {
    e.message = `${e.message}\nRows on screen: ${seen}`;
    throw e;
  }
}

async function isChecked(driver, css) {
  return driver.execute('return arguments[0].checked;', [await driver.waitFor(css)]);
}

async function setDays(driver, css, days) {
  await driver.replaceText(await driver.waitFor(css), String(days), css);
}

async function closeSettings(driver) {
  await driver.clickWhenVisible(tid('close-settings'));
  await driver.waitForGone(tid('settings'));
}

describe('Purge… and the retention setting', () => {
  test('Purge… by age says how many will go, deletes only those; purging all empties the list', async () => {
    const { driver, port, dataDir } = app();
    for (const path of ['/recent-1', '/recent-2', '/old-delivery']) {
      const r = await postDelivery(port, Buffer.from(JSON.stringify({ path })), { path });
      assert.equal(r.status, 200, `the listener takes ${path} (body: ${r.text})`);
    }
    backdate(dataDir, '/old-delivery');
    await waitForRows(driver, 3, 'two recent deliveries and one old one listed');

    await driver.clickWhenVisible(tid('open-purge'));
    await setDays(driver, tid('purge-days-input'), 30);
    await driver.clickWhenVisible(tid('purge-count'));
    const text = await driver.waitFor(tid('purge-confirm-text'), { text: /1 delivery will be deleted/ });
    assert.match(await driver.text(text), /more than 30 days ago/, 'the confirmation says which deliveries');
    await driver.screenshot('purge-confirm.png');
    await driver.clickWhenVisible(tid('purge-confirm'));
    await driver.waitFor(tid('purge-result'), { text: /Deleted 1 delivery/ });
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('purge-dialog'));
    await waitForRows(driver, 2, 'the two recent deliveries stay');
    const listed = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="delivery-row"]')].map((r) => r.innerText).join('\\n');`,
    );
    assert.ok(!listed.includes('/old-delivery'), `the old delivery is gone from the list:\n${listed}`);

    await driver.clickWhenVisible(tid('open-purge'));
    await driver.clickWhenVisible(tid('purge-all'));
    await driver.clickWhenVisible(tid('purge-count'));
    await driver.waitFor(tid('purge-confirm-text'), { text: /2 deliveries will be deleted \(every stored delivery\)/ });
    // Back changes nothing; the confirmation is asked again.
    await driver.clickWhenVisible(tid('purge-back'));
    await driver.clickWhenVisible(tid('purge-count'));
    await driver.clickWhenVisible(tid('purge-confirm'));
    await driver.waitFor(tid('purge-result'), { text: /Deleted 2 deliveries/ });
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('purge-dialog'));
    await waitForRows(driver, 0, 'no delivery left after purging all');
  });

  test('the retention defaults to 30 days, is saved as N days or forever, and counts-only notifications too', async () => {
    const { driver } = app();
    await driver.clickWhenVisible(tid('open-settings'));
    const days = await driver.waitFor(tid('retention-days-input'));
    assert.equal(await driver.execute('return arguments[0].value;', [days]), '30', 'Persona’s 30 days by default');
    assert.equal(await isChecked(driver, tid('retention-forever')), false);

    await setDays(driver, tid('retention-days-input'), 0);
    await driver.clickWhenVisible(tid('retention-save'));
    await driver.waitFor('[data-testid="settings"] .field-error', { text: /between 1 and 36500/ });

    await setDays(driver, tid('retention-days-input'), 7);
    await driver.clickWhenVisible(tid('retention-save'));
    await driver.waitFor(tid('retention-saved'));
    await closeSettings(driver);
    await driver.clickWhenVisible(tid('open-settings'));
    assert.equal(
      await driver.execute('return arguments[0].value;', [await driver.waitFor(tid('retention-days-input'))]),
      '7',
      'the saved retention is what the settings show when reopened',
    );

    await driver.clickWhenVisible(tid('retention-forever'));
    await driver.clickWhenVisible(tid('retention-save'));
    await driver.waitFor(tid('retention-saved'));
    await driver.clickWhenVisible(tid('notification-counts-only-toggle'));
    await driver.waitUntil('counts-only to be on', () => isChecked(driver, tid('notification-counts-only-toggle')));
    await driver.screenshot('retention-settings.png');
    await closeSettings(driver);

    await driver.clickWhenVisible(tid('open-settings'));
    assert.equal(await isChecked(driver, tid('retention-forever')), true, 'forever is saved');
    assert.equal(
      await driver.execute('return arguments[0].disabled;', [await driver.waitFor(tid('retention-days-input'))]),
      true,
      'with forever, there are no days to type',
    );
    assert.equal(await isChecked(driver, tid('notification-counts-only-toggle')), true, 'counts-only is saved');
    await closeSettings(driver);
  });
});
