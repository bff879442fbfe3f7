// Scenario 4: a delivery is attacker-controlled text (the listener is on the internet).
// Markup in its values, keys, headers and signature is shown as text, never run or rendered.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

import { appPerFile, failFast, nowSeconds, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'xss' });

const IMG = `<img src=x onerror="document.title='pwned'">`;
const SCRIPT = '<script>window.__pwned=1</script>';
// What survives any display, even a JSON-quoted one ("…\"…"): no quote characters inside.
const IMG_VISIBLE = '<img src=x onerror=';
const SCRIPT_VISIBLE = SCRIPT;

const RESOURCE_ID = `inq_xss${IMG}`;
const BODY = JSON.stringify(
  {
    data: {
      type: 'event',
      id: `evt_xss${SCRIPT}`,
      attributes: {
        name: 'inquiry.approved',
        'created-at': new Date().toISOString(),
        payload: {
          data: {
            type: 'inquiry',
            id: RESOURCE_ID,
            attributes: {
              status: IMG,
              'name-first': SCRIPT,
              [IMG]: 'an attribute named with an img tag',
              [SCRIPT]: { [IMG]: SCRIPT },
            },
            relationships: { account: { data: { type: 'account', id: `act_${SCRIPT}` } } },
          },
          included: [{ type: 'account', id: `act_${SCRIPT}`, attributes: { [SCRIPT]: IMG, 'reference-id': IMG } }],
        },
      },
    },
  },
  null,
  2,
);

let titleAtStart;
let deliveryId;

/** Everything an injection would leave behind, anywhere in the window. */
async function injectionTraces(driver) {
  return driver.execute(`
    const detail = document.querySelector('[data-testid="detail"]');
    const rows = [...document.querySelectorAll('[data-testid="delivery-row"]')];
    return {
      title: document.title,
      pwned: typeof window.__pwned === 'undefined' ? 'undefined' : String(window.__pwned),
      imgInDetail: detail ? detail.querySelectorAll('img').length : 0,
      imgInList: rows.reduce((n, r) => n + r.querySelectorAll('img').length, 0),
      imgWithSrcX: document.querySelectorAll('img[src="x"]').length,
      onerrorAttributes: document.querySelectorAll('[onerror]').length,
      scriptsWithPwned: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
    };`);
}

async function assertNoInjection(driver, where) {
  const traces = await injectionTraces(driver);
  const clean = {
    title: titleAtStart,
    pwned: 'undefined',
    imgInDetail: 0,
    imgInList: 0,
    imgWithSrcX: 0,
    onerrorAttributes: 0,
    scriptsWithPwned: 0,
  };
  if (!isDeepStrictEqual(traces, clean)) {
    const shot = await driver.failureScreenshot(`injection-${where}`);
    assert.deepEqual(traces, clean, `markup from the delivery was rendered or run (${where}); screenshot: ${shot}`);
  }
}

describe('scenario 4: markup in a delivery is shown as text', () => {
  before(async () => {
    const { driver, port } = app();
    titleAtStart = await driver.execute('return document.title;');
    const r = await postDelivery(port, BODY, {
      headers: { 'x-xss-probe': IMG, 'persona-signature': `t=${nowSeconds()},v1=${IMG}` },
    });
    assert.equal(r.status, 200, `the listener answers 200 (body: ${r.text})`);
    deliveryId = r.deliveryId;
  });

  test('the list shows the markup as text', async () => {
    const { driver } = app();
    await driver.waitFor(tid('delivery-row'), {
      text: IMG_VISIBLE,
      what: `a delivery-row showing the resource id ${JSON.stringify(RESOURCE_ID)} as text`,
    });
    await assertNoInjection(driver, 'list');
  });

  // When the detail does not open, the tab tests say so at once instead of each timing out.
  const openDetail = failFast('the detail view did not open', () => openDetailNow());

  async function openDetailNow() {
    const { driver } = app();
    const open = await driver.execute(
      `const d = document.querySelector('[data-testid="detail"]'); return !!d && d.getClientRects().length > 0;`,
    );
    if (!open) {
      const row = await driver.waitUntil(`the delivery-row of delivery ${deliveryId}`, () =>
        driver.execute(
          `const rows = [...document.querySelectorAll('[data-testid="delivery-row"]')];
           return rows.find((r) => r.getAttribute('data-id') === String(arguments[0]))
             ?? rows.find((r) => r.innerText.includes(arguments[1])) ?? null;`,
          [deliveryId, IMG_VISIBLE],
        ),
      );
      await driver.click(row);
      await driver.waitFor(tid('detail'));
    }
    return driver;
  }

  const tabs = [
    { tab: 'payload', css: tid('payload-tree'), texts: [IMG_VISIBLE, SCRIPT_VISIBLE] },
    { tab: 'raw', css: tid('detail'), texts: [IMG_VISIBLE, SCRIPT_VISIBLE, "document.title='pwned'"] },
    { tab: 'headers', css: tid('detail'), texts: [IMG_VISIBLE] },
    { tab: 'overview', css: tid('detail'), texts: [] },
    { tab: 'signature', css: tid('detail'), texts: [] },
    { tab: 'included', css: tid('detail'), texts: [] },
    // The resource id and the status, as the timeline lists them.
    { tab: 'timeline', css: tid('timeline-row'), texts: [IMG_VISIBLE] },
  ];
  for (const { tab, css, texts } of tabs) {
    test(`the ${tab} tab shows the markup as text and runs nothing`, async () => {
      const driver = await openDetail();
      await driver.clickWhenVisible(tid(`tab-${tab}`));
      await driver.waitFor(css);
      for (const text of texts) {
        await driver.waitFor(css, { text, what: `${css} showing ${JSON.stringify(text)} literally (tab-${tab})` });
      }
      await assertNoInjection(driver, `tab-${tab}`);
    });
  }

  test('after everything was shown, nothing ran', async () => {
    const { driver } = app();
    await assertNoInjection(driver, 'at the end');
    await driver.screenshot('xss.png');
  });
});
