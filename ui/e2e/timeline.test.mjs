// A resource's timeline and an event's retry chain in the window. One inquiry's events are posted
// out of order (inquiry.approved, created later, arrives before inquiry.completed), the
// completion again as attempt 2 with a changed body, then inquiry.failed (a second outcome, and a
// status going back), and a verification that names the inquiry in a relationship. The timeline,
// opened from a delivery, lists them in created-at order with every arrival rank and flag; its
// rows open their deliveries (by click and by keyboard); the duplicate's Overview draws the retry
// chain; a resource id clicked in the Included tab opens its timeline; an unknown id says so.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, failFast, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'timeline' });

const INQUIRY = 'inq_E2eTimeline7Kq2';
const VERIFICATION = 'ver_E2eTimeline3Zp9';
const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);
/** Persona's wait before its first retry (its Webhooks overview, "Retry logic"). */
const FIRST_RETRY_S = 3;

function envelope({ eventId, name, createdS, type = 'inquiry', id = INQUIRY, status, extra = {}, relationships = {} }) {
  return JSON.stringify({
    data: {
      type: 'event',
      id: eventId,
      attributes: {
        name,
        'created-at': new Date(T0 + createdS * 1000).toISOString(),
        payload: {
          data: { type, id, attributes: { status, ...extra }, relationships },
          included: [],
        },
      },
    },
  });
}

const completed = { eventId: 'evt_tl_completed', name: 'inquiry.completed', createdS: 20, status: 'completed' };

/** In the order they are posted, which is the order they arrive in. */
const POSTS = [
  { key: 'created', body: envelope({ eventId: 'evt_tl_created', name: 'inquiry.created', createdS: 0, status: 'created' }) },
  { key: 'started', body: envelope({ eventId: 'evt_tl_started', name: 'inquiry.started', createdS: 10, status: 'pending' }) },
  { key: 'approved', body: envelope({ eventId: 'evt_tl_approved', name: 'inquiry.approved', createdS: 30, status: 'approved' }) },
  { key: 'completed', body: envelope(completed) },
  {
    key: 'again',
    body: envelope({ ...completed, extra: { 'reference-id': 'changed-on-the-way' } }),
    headers: { 'persona-webhook-attempts-made': '2', 'persona-webhook-attempts-left': '6' },
  },
  { key: 'failed', body: envelope({ eventId: 'evt_tl_failed', name: 'inquiry.failed', createdS: 40, status: 'failed' }) },
  {
    key: 'verification',
    body: envelope({
      eventId: 'evt_tl_verification',
      name: 'verification.passed',
      createdS: 15,
      type: 'verification/government-id',
      id: VERIFICATION,
      status: 'passed',
      relationships: { inquiry: { data: { type: 'inquiry', id: INQUIRY } } },
    }),
  },
];

/**
 * What src/story/timeline.rs makes of them: created-at order (the two completions tie, then go
 * by arrival), each arrival rank, and each flag.
 */
const EXPECTED = [
  { key: 'created', rank: 1, flags: [] },
  { key: 'started', rank: 2, flags: [] },
  // Arrived after the approval, created later: out of order, and back from approved.
  { key: 'completed', rank: 4, flags: ['out_of_order', 'status_regression'] },
  { key: 'again', rank: 5, flags: ['duplicate', 'out_of_order', 'status_regression'] },
  { key: 'approved', rank: 3, flags: ['conflicting_outcome'] },
  // A second outcome, and failed comes before approved in the inquiry's lifecycle.
  { key: 'failed', rank: 6, flags: ['conflicting_outcome', 'status_regression'] },
];

/** A phrase of each flag's sentence, as Rust gives it. */
const WHY = {
  out_of_order: 'Persona does not promise order',
  duplicate: 'do its work once',
  conflicting_outcome: 'final outcomes that contradict each other',
  status_regression: 'moves the resource backwards',
};

let posted = null;
/** Posts every delivery once, in order; resolves with their ids by key. */
function postAll() {
  posted ??= (async () => {
    const ids = {};
    for (const p of POSTS) {
      const r = await postDelivery(app().port, p.body, { headers: p.headers ?? {} });
      assert.equal(r.status, 200, `the listener stores ${p.key} (body: ${r.text})`);
      ids[p.key] = r.deliveryId;
    }
    // Every one drawn in the list before a test clicks there.
    await app().driver.waitUntil(`${POSTS.length} rows in the list`, async () =>
      (await app().driver.findAll(tid('delivery-row'))).length === POSTS.length,
    );
    return ids;
  })();
  return posted;
}

/**
 * Opens delivery `id` from its list row and waits until it is loaded. The click goes to the row's
 * time cell: the middle of a repeated event's row is its "×2" mark, which filters instead. A row
 * drawn again between finding and clicking it (a burst of arrivals) is found again.
 */
async function openFromList(driver, id) {
  const css = `[data-testid="delivery-row"][data-id="${id}"] .time`;
  await driver.waitUntil(`a click on the list row of delivery ${id}`, async () => {
    const cell = await driver.waitFor(css, { what: `the list row of delivery ${id}` });
    await cell.click(); // a stale reference throws: found again on the next round
    return true;
  });
  await detailLoaded(driver, id);
}

function detailLoaded(driver, id) {
  return driver.waitFor(`[data-testid="detail"][data-id="${id}"][data-state="loaded"]`, {
    what: `the detail of delivery ${id}, loaded`,
  });
}

/** Waits for the timeline of `resource` with `count` rows, and reads them. */
async function timelineRows(driver, resource, count) {
  await driver.waitFor(`[data-testid="timeline"][data-resource-id="${resource}"][data-state="loaded"]`, {
    what: `the timeline of ${resource}, loaded`,
  });
  return driver.waitUntil(`${count} timeline rows`, async () => {
    const rows = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="timeline-row"]')].map((r) => ({
        id: Number(r.getAttribute('data-delivery-id')),
        rank: Number(r.getAttribute('data-rank')),
        flags: r.getAttribute('data-flags').split(' ').filter(Boolean).sort(),
        badges: [...r.querySelectorAll('[data-testid="timeline-flag"]')].map((b) => ({ flag: b.getAttribute('data-flag'), title: b.title, text: b.innerText })),
        rankText: r.querySelector('[data-testid="timeline-rank"]').textContent,
        overtaken: r.querySelector('[data-testid="timeline-overtaken"]')?.innerText ?? null,
        lane: r.querySelector('.st-dot').style.left,
        current: r.getAttribute('data-current') === 'true',
        text: r.innerText,
      }));`,
    );
    return rows.length === count ? rows : null;
  });
}

const ORDINAL = ['', '1st', '2nd', '3rd', '4th', '5th', '6th'];

describe('a resource timeline and a retry chain', () => {
  const ready = failFast('the deliveries were not posted', () => postAll());

  test('the timeline, opened from a delivery, lists every event in created-at order with its arrival rank and flags', async (t) => {
    const { driver } = app();
    const ids = await ready();
    await openFromList(driver, ids.approved);
    await driver.clickWhenVisible(tid('tab-timeline'));
    const rows = await timelineRows(driver, INQUIRY, EXPECTED.length);
    await driver.screenshot('timeline.png');

    await t.test('created-at order', () => {
      assert.deepEqual(
        rows.map((r) => r.id),
        EXPECTED.map((e) => ids[e.key]),
        `rows by created-at: ${EXPECTED.map((e) => e.key).join(', ')}`,
      );
    });
    await t.test('arrival ranks, as badges and on the lane', () => {
      assert.deepEqual(
        rows.map((r) => r.rank),
        EXPECTED.map((e) => e.rank),
      );
      assert.deepEqual(
        rows.map((r) => r.rankText),
        EXPECTED.map((e) => ORDINAL[e.rank]),
      );
      // Six ranks spread over the lane: 0 %, 20 %, … 100 %.
      assert.deepEqual(
        rows.map((r) => parseFloat(r.lane)),
        EXPECTED.map((e) => (e.rank - 1) * 20),
      );
      assert.deepEqual(
        rows.map((r) => r.overtaken),
        EXPECTED.map((e) => (e.key === 'completed' || e.key === 'again' ? 'arrived after 1 event created later' : null)).map(
          (s) => (s === null ? null : `↑ ${s}`),
        ),
      );
    });
    await t.test('every flag on its row, each badge explained', () => {
      for (const [i, e] of EXPECTED.entries()) {
        const row = rows[i];
        assert.deepEqual(row.flags, [...e.flags].sort(), `flags of ${e.key}`);
        assert.deepEqual(row.badges.map((b) => b.flag).sort(), [...e.flags].sort(), `badges of ${e.key}`);
        for (const b of row.badges) assert.ok(b.title.includes(WHY[b.flag]), `${e.key}'s ${b.flag} badge says why: ${b.title}`);
      }
    });
    await t.test('the opened delivery is marked', () => {
      assert.deepEqual(
        rows.filter((r) => r.current).map((r) => r.id),
        [ids.approved],
      );
    });
    await t.test('the legend explains each flag present, with the deliveries that carry it', async () => {
      const legend = await driver.execute(
        `return [...document.querySelectorAll('[data-testid="timeline-legend-item"]')].map((i) => ({ flag: i.getAttribute('data-flag'), text: i.innerText }));`,
      );
      assert.deepEqual(
        legend.map((l) => l.flag),
        ['out_of_order', 'duplicate', 'conflicting_outcome', 'status_regression'],
      );
      for (const l of legend) {
        assert.ok(l.text.includes(WHY[l.flag]), `${l.flag}: ${l.text}`);
        const carriers = EXPECTED.filter((e) => e.flags.includes(l.flag)).map((e) => `#${ids[e.key]}`);
        assert.ok(l.text.includes(`(${carriers.join(', ')})`), `${l.flag} names ${carriers}: ${l.text}`);
      }
      const summary = await driver.waitFor(tid('timeline-summary'));
      assert.match(await driver.text(summary), /6 deliveries about it[\s\S]*did not arrive in that order/);
    });
    await t.test('the verification that names the inquiry is listed apart', async () => {
      const mentions = await driver.execute(
        `return [...document.querySelectorAll('[data-testid="timeline-mention"]')].map((m) => ({ id: Number(m.getAttribute('data-delivery-id')), text: m.innerText }));`,
      );
      assert.equal(mentions.length, 1, JSON.stringify(mentions));
      assert.equal(mentions[0].id, ids.verification);
      assert.match(mentions[0].text, /verification\.passed[\s\S]*ver_E2eTimeline3Zp9[\s\S]*a relationship/);
    });
  });

  test('a row opens its delivery, in the list and the detail, and the timeline stays', async () => {
    const { driver } = app();
    const ids = await ready();
    const row = await driver.waitFor(`[data-testid="timeline-row"][data-delivery-id="${ids.again}"] button`);
    await driver.click(row);
    await detailLoaded(driver, ids.again);
    await driver.waitFor(`[data-testid="delivery-row"][data-id="${ids.again}"][aria-selected="true"]`, {
      what: 'the duplicate selected in the list',
    });
    const rows = await timelineRows(driver, INQUIRY, EXPECTED.length);
    assert.deepEqual(
      rows.filter((r) => r.current).map((r) => r.id),
      [ids.again],
      'the timeline marks the delivery now open',
    );
  });

  test('↑/↓ move between rows and Enter opens one', async () => {
    const { driver } = app();
    const ids = await ready();
    await timelineRows(driver, INQUIRY, EXPECTED.length);
    await driver.execute(`document.querySelector('[data-testid="timeline-row"] button').focus();`);
    await driver.pressKey(Key.ArrowDown);
    await driver.pressKey(Key.ArrowDown);
    const focused = await driver.execute(
      `return document.activeElement?.closest('[data-testid="timeline-row"]')?.getAttribute('data-delivery-id') ?? null;`,
    );
    assert.equal(Number(focused), ids.completed, 'two rows down from the first is the first completion');
    await driver.pressKey(Key.Enter);
    await detailLoaded(driver, ids.completed);
    await driver.waitFor(`[data-testid="timeline-row"][data-delivery-id="${ids.completed}"][data-current="true"]`, {
      what: 'the completion marked as the delivery open',
    });
  });

  test("the duplicate's Overview draws the retry chain: attempts, Persona's wait, the changed body", async (t) => {
    const { driver } = app();
    const ids = await ready();
    await openFromList(driver, ids.again);
    await driver.clickWhenVisible(tid('tab-overview'));
    await driver.waitFor(tid('retry-chain'));
    const chain = await driver.execute(
      `return [...document.querySelectorAll('[data-testid="chain-row"]')].map((r) => ({
        id: Number(r.getAttribute('data-delivery-id')),
        attempt: r.getAttribute('data-attempt'),
        expected: r.getAttribute('data-expected'),
        sameBody: r.getAttribute('data-same-body'),
        current: r.getAttribute('data-current'),
        attempts: r.querySelector('[data-testid="chain-attempts"]').innerText,
        expectedText: r.querySelector('[data-testid="chain-expected"]').innerText,
        since: r.querySelector('[data-testid="chain-since"]').innerText,
        body: r.querySelector('[data-testid="chain-body"]').innerText,
      }));`,
    );
    await driver.execute(`document.querySelector('[data-testid="retry-chain"]').scrollIntoView();`);
    await driver.screenshot('retry-chain.png');
    await t.test('the copies in arrival order, with their attempt headers', () => {
      assert.deepEqual(
        chain.map((c) => [c.id, c.attempt, c.attempts]),
        [
          [ids.completed, '1', '1 made, 7 left'],
          [ids.again, '2', '2 made, 6 left'],
        ],
      );
    });
    await t.test("Persona's wait before attempt 2 beside the time measured", () => {
      assert.deepEqual(
        chain.map((c) => c.expected),
        ['', String(FIRST_RETRY_S)],
      );
      assert.equal(chain[1].expectedText, `about ${FIRST_RETRY_S} s`);
      assert.match(chain[0].since, /first copy/);
      assert.match(chain[1].since, /^\d+(\.\d)? (ms|s)\b/, `the time since the first copy: ${chain[1].since}`);
    });
    await t.test('the changed body is flagged, the current copy marked', async () => {
      assert.deepEqual(
        chain.map((c) => [c.sameBody, c.current]),
        [
          ['true', 'false'],
          ['false', 'true'],
        ],
      );
      assert.match(chain[0].body, /✓ same/);
      assert.match(chain[1].body, /✗ body differs/i);
      await driver.waitFor(tid('chain-body-differs'), { text: '1 copy has a different body' });
      await driver.waitFor(tid('chain-notes'), { text: `#${ids.again}` });
    });
    await t.test('a copy opens on a click', async () => {
      await driver.clickWhenVisible(`[data-testid="chain-row"][data-delivery-id="${ids.completed}"] [data-testid="chain-open"]`);
      await detailLoaded(driver, ids.completed);
      await driver.waitFor(`[data-testid="chain-row"][data-delivery-id="${ids.completed}"][data-current="true"]`, {
        what: 'the first copy marked as the delivery open',
      });
    });
  });

  test('a resource id clicked in the Included tab opens its timeline', async () => {
    const { driver } = app();
    const ids = await ready();
    await openFromList(driver, ids.verification);
    await driver.clickWhenVisible(tid('tab-included'));
    await driver.clickWhenVisible(`[data-testid="relationship-target"] [data-testid="resource-link"][data-resource-id="${INQUIRY}"]`);
    await driver.waitFor(`${tid('tab-timeline')}[aria-selected="true"]`, { what: 'the Timeline tab selected' });
    await timelineRows(driver, INQUIRY, EXPECTED.length);
    await driver.waitFor(`[data-testid="timeline-mention"][data-delivery-id="${ids.verification}"][data-current="true"]`, {
      what: 'the verification marked among the mentions',
    });
    // Back to the verification's own resource: one row, nothing to flag.
    await driver.clickWhenVisible(tid('timeline-own'));
    const rows = await timelineRows(driver, VERIFICATION, 1);
    assert.deepEqual(
      rows.map((r) => [r.id, r.rank, r.flags, r.current]),
      [[ids.verification, 1, [], true]],
    );
  });

  test("the Overview's resource id opens the timeline; an id nothing names says so", async () => {
    const { driver } = app();
    const ids = await ready();
    await openFromList(driver, ids.failed);
    await driver.clickWhenVisible(tid('tab-overview'));
    await driver.clickWhenVisible(`${tid('overview')} [data-testid="resource-link"][data-resource-id="${INQUIRY}"]`);
    await timelineRows(driver, INQUIRY, EXPECTED.length);
    const input = await driver.waitFor(tid('timeline-lookup-input'));
    await driver.replaceText(input, 'inq_nobodyKnowsThis', 'the resource id field');
    await driver.pressKey(Key.Enter);
    await driver.waitFor('[data-testid="timeline"][data-resource-id="inq_nobodyKnowsThis"][data-state="loaded"]');
    await driver.waitFor(tid('timeline-empty'), { text: 'No stored delivery is about inq_nobodyKnowsThis, and none names it' });
    assert.equal((await driver.findAll(tid('timeline-row'))).length, 0, 'no rows');
  });
});
