// Scenarios 2 and 3, on one app launch: a secret added through the settings UI makes a signed
// delivery "valid" (and one signed with another secret "invalid"); the valid delivery's detail
// view shows every tab, the payload tree and the included resources.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, failFast, fixtureBytes, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'deliveries' });

const SECRET = { label: 'e2e', value: 'wbhsec_e2e_secret' };
const WRONG_SECRET = 'wbhsec_not_the_configured_one';

const FIXTURE = 'inquiry-reusable-persona-created.json';
const fixture = JSON.parse(fixtureBytes(FIXTURE).toString('utf8'));
const EVENT_NAME = fixture.data.attributes.name;
const INQUIRY_ID = fixture.data.attributes.payload.data.id;
const INCLUDED_TYPES = fixture.data.attributes.payload.included.map((r) => r.type);

const OTHER = 'docs-example.json';
const OTHER_INQUIRY_ID = JSON.parse(fixtureBytes(OTHER).toString('utf8')).data.attributes.payload.data.id;

/** A badge text that says valid (and not invalid). */
const VALID = /^(?![\s\S]*invalid)[\s\S]*\bvalid\b/i;

// Both scenarios need the fixture delivered once; whichever test comes first sends it.
let fixtureSent = null;
function sendFixture() {
  fixtureSent ??= postDelivery(app().port, fixtureBytes(FIXTURE), { secret: SECRET.value }).then((r) => {
    assert.equal(r.status, 200, `the listener answers 200 to a delivery (body: ${r.text})`);
    return r;
  });
  return fixtureSent;
}

/**
 * The row of delivery `id`: by its data-id when rows carry one, else the row whose text holds
 * `marker` (a resource id only that delivery has).
 */
function rowSelectorScript() {
  return `
    const [id, marker] = arguments;
    const rows = [...document.querySelectorAll('[data-testid="delivery-row"]')];
    return rows.find((r) => r.getAttribute('data-id') === String(id))
      ?? rows.find((r) => !r.hasAttribute('data-id') && r.innerText.includes(marker))
      ?? null;`;
}

async function waitForRowBadge(driver, { deliveryId, marker, badge, what }) {
  let seen = null;
  try {
    return await driver.waitUntil(what, async () => {
      const row = await driver.execute(rowSelectorScript(), [deliveryId, marker]);
      if (!row) return null;
      const el = await driver.findIn(row, tid('signature-badge'));
      seen = await driver.text(el);
      return badge.test(seen) ? { row, text: seen } : null;
    });
  } catch (e) {
    if (seen !== null) e.message = `${e.message}\nThat row's signature-badge says: ${JSON.stringify(seen)}`;
    throw e;
  }
}

/** Closes the settings when they cover the list: their close button, else Escape. */
async function closeSettings(driver) {
  const [close] = await driver.findAll(tid('close-settings'));
  if (close) await driver.click(close);
  else await driver.pressKey(Key.Escape);
  await driver.waitForGone(tid('settings'));
}

describe('scenario 2: a secret added in the settings verifies signed deliveries', () => {
  test('adding a secret through the settings shows it as a secret row, without its value', async () => {
    const { driver } = app();
    await driver.clickWhenVisible(tid('open-settings'));
    const label = await driver.waitFor(tid('secret-label-input'));
    await driver.sendKeys(label, SECRET.label);
    const value = await driver.waitFor(tid('secret-value-input'));
    await driver.sendKeys(value, SECRET.value);
    await driver.clickWhenVisible(tid('secret-add'));

    const row = await driver.waitFor(tid('secret-row'), { text: SECRET.label });
    const rowText = await driver.text(row);
    assert.ok(
      !rowText.includes(SECRET.value),
      `a secret row shows a preview, never the whole secret; it shows: ${JSON.stringify(rowText)}`,
    );
    await closeSettings(driver);
  });

  test('a delivery signed with the secret is "valid", one signed with another secret "invalid"', async () => {
    const { driver, port } = app();
    const valid = await sendFixture();
    assert.ok(valid.deliveryId !== null, 'the listener names the delivery (X-Inspector-Delivery-Id)');
    await waitForRowBadge(driver, {
      deliveryId: valid.deliveryId,
      marker: INQUIRY_ID,
      badge: VALID,
      what: `the delivery-row of delivery ${valid.deliveryId} (${INQUIRY_ID}, signed with "${SECRET.label}") with a signature-badge saying "valid"`,
    });

    const invalid = await postDelivery(port, fixtureBytes(OTHER), { secret: WRONG_SECRET });
    assert.equal(invalid.status, 200, `the listener answers 200 whatever the signature (body: ${invalid.text})`);
    await waitForRowBadge(driver, {
      deliveryId: invalid.deliveryId,
      marker: OTHER_INQUIRY_ID,
      badge: /invalid/i,
      what: `the delivery-row of delivery ${invalid.deliveryId} (${OTHER_INQUIRY_ID}, signed with a wrong secret) with a signature-badge saying "invalid"`,
    });
    await driver.screenshot('list.png');
  });
});

describe('scenario 3: the detail view of the valid delivery', () => {
  // When the detail does not open, the tab tests say so at once instead of each timing out.
  const openDetail = failFast('the detail view did not open', () => openDetailNow());

  async function openDetailNow() {
    const { driver } = app();
    const { deliveryId } = await sendFixture();
    const open = await driver.execute(
      `const d = document.querySelector('[data-testid="detail"]'); return !!d && d.getClientRects().length > 0;`,
    );
    if (open) return driver;
    const row = await driver.waitUntil(`the delivery-row of delivery ${deliveryId} (${INQUIRY_ID})`, () =>
      driver.execute(rowSelectorScript(), [deliveryId, INQUIRY_ID]),
    );
    await driver.click(row);
    await driver.waitFor(tid('detail'), { what: `the detail view after clicking the row of delivery ${deliveryId}` });
    return driver;
  }

  /** Clicks `tab-<name>`, waits for `ready` (an element or a text in the detail), screenshots. */
  async function showTab(name, { css = tid('detail'), text, what }) {
    const driver = await openDetail();
    await driver.clickWhenVisible(tid(`tab-${name}`));
    const el = await driver.waitFor(css, { text, what: `${what} after clicking tab-${name}` });
    await driver.screenshot(`${name}.png`);
    return { driver, el };
  }

  test('clicking the row opens the detail view', async () => {
    await openDetail();
  });

  test('Overview tab names the event', async () => {
    await showTab('overview', { text: EVENT_NAME, what: `the detail showing the event name ${EVENT_NAME}` });
  });

  test('Headers tab lists the Persona-Signature header', async () => {
    await showTab('headers', { text: /persona-signature/i, what: 'the detail listing the persona-signature header' });
  });

  test('Signature tab says the signature is valid', async () => {
    await showTab('signature', { text: VALID, what: 'the detail saying the signature is valid' });
  });

  test('Raw tab shows the body as received', async () => {
    await showTab('raw', { text: `"${INQUIRY_ID}"`, what: `the raw body (holding "${INQUIRY_ID}")` });
  });

  test('Payload tab shows the payload tree with the inquiry id', async () => {
    await showTab('payload', {
      css: tid('payload-tree'),
      text: INQUIRY_ID,
      what: `a payload-tree containing the inquiry id ${INQUIRY_ID}`,
    });
  });

  test('Included tab shows one card per included resource, and the account as not included', async (t) => {
    const { driver } = await showTab('included', {
      css: tid('included-card'),
      what: 'an included-card',
    });
    const cards = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="included-card"]')]
        .map((c) => ({ type: c.getAttribute('data-type'), included: c.getAttribute('data-included'), text: c.innerText }));`,
    );
    const types = cards.map((c) => c.type);
    await t.test('a card for each resource of payload.included', () => {
      for (const type of INCLUDED_TYPES) {
        assert.ok(
          types.includes(type),
          `an included-card with data-type="${type}" (payload.included holds ${JSON.stringify(INCLUDED_TYPES)}); cards' data-type: ${JSON.stringify(types)}`,
        );
      }
    });
    // This fixture's account is a relationship target Persona did not send: its card must say so.
    await t.test('the account, which Persona did not include, is marked not included with the API path', () => {
      const account = cards.find((c) => c.type === 'account');
      assert.ok(account, `a card for the account relationship; cards: ${JSON.stringify(types)}`);
      assert.equal(account.included, 'false', `the account card is marked not included: ${JSON.stringify(account)}`);
      assert.match(account.text, /\/api\/v1\/accounts\//, `the card gives the API path to fetch it: ${account.text}`);
    });
    // The attributes are not sent by get_delivery: the window reads them from its own parse of
    // the body's raw bytes, by index.
    await t.test("each included card shows its resource's attributes, as in the body", () => {
      const included = fixture.data.attributes.payload.included;
      let checked = 0;
      for (const [i, resource] of included.entries()) {
        const status = resource.attributes?.status;
        if (typeof status !== 'string') continue;
        const card = cards.find((c) => c.type === resource.type && c.included !== 'false');
        assert.ok(card, `included[${i}] (${resource.type}) has a card; cards: ${JSON.stringify(types)}`);
        assert.match(card.text, new RegExp(`status\\s*"?${status}`), `included[${i}]'s status in its card: ${card.text}`);
        checked += 1;
      }
      assert.ok(checked >= 1, 'at least one included card was checked for its status attribute');
    });
    // The session's relationship back to the inquiry points at payload.data itself. It sits in
    // the card's closed <details>, which WebKit leaves out of innerText: read textContent.
    await t.test('a link back to the primary resource is not called missing', async () => {
      const back = await driver.execute(
        `return [...document.querySelectorAll('[data-testid="relationship-target"]')]
          .filter((li) => li.textContent.includes(${JSON.stringify(INQUIRY_ID)}))
          .map((li) => ({ included: li.getAttribute('data-included'), text: li.textContent }));`,
      );
      assert.ok(back.length > 0, 'the session card lists its relationship to the inquiry');
      for (const link of back) {
        assert.equal(link.included, 'primary', `marked as the primary resource: ${JSON.stringify(link)}`);
        assert.doesNotMatch(link.text, /not included|GET /, `no "not included" or API path: ${link.text}`);
      }
    });
  });
});

describe('Send a sample event: a signed sample whose account is included', () => {
  test('the dialog sends an inquiry.completed that is valid with the configured secret and shows its included account', async () => {
    const { driver } = app();
    await driver.clickWhenVisible(tid('open-sample'));
    const search = await driver.waitFor(tid('sample-search'));
    await driver.replaceText(search, 'inquiry.completed', 'the event search');
    await driver.waitFor('[data-testid="sample-chosen"][data-name="inquiry.completed"]', {
      what: 'the picker choosing inquiry.completed',
    });
    await driver.clickWhenVisible(tid('sample-to-here'));
    await driver.clickWhenVisible(tid('sample-send'));
    const result = await driver.waitFor('[data-testid="sample-result"][data-outcome="stored"]', {
      timeoutMs: 15_000,
      what: 'the sample-result saying the sample was stored',
    });
    const id = await driver.attribute(result, 'data-delivery-id');
    await driver.clickWhenVisible(tid('sample-close'));
    await driver.waitForGone(tid('sample'));
    const { row } = await waitForRowBadge(driver, {
      deliveryId: id,
      marker: 'inquiry.completed',
      badge: VALID,
      what: `delivery-row ${id} (the sample inquiry.completed) with a valid badge`,
    });
    await driver.click(row);
    await driver.clickWhenVisible(tid('tab-included'));
    await driver.waitFor('[data-testid="included-card"][data-type="account"]:not([data-included="false"])', {
      what: 'an included-card for the account Persona included (data-type="account", not marked not-included)',
    });
    await driver.screenshot('test-event-included.png');
  });
});
