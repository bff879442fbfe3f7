// HAR export and import in the window. Two deliveries — a JSON one with a query string, and one
// whose body is not UTF-8 — saved as HAR from the detail view, from a selection and from a filter
// (WebKit saves each download in a Downloads folder of this test's own, through XDG_CONFIG_HOME);
// each file is read here and checked against the HAR 1.2 fields the tools read, bodies byte for
// byte. The selection's file is then imported back through Import… and its rows appear.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Key } from 'webdriverio';

import { appPerFile, downloadsFolder, failFast, postDelivery, waitForDownload } from './app.mjs';
import { tid } from './window.mjs';

const downloads = downloadsFolder('har');
const app = appPerFile({ before, after }, { name: 'har', env: downloads.env });
after(() => downloads.remove());

const row = (id) => `[data-testid="delivery-row"][data-id="${id}"]`;

/** A JSON body with text outside ASCII and a word the text filter can find. */
const JSON_BODY = JSON.stringify({ data: { type: 'event', id: 'evt_har_1', attributes: { name: 'zebrafish', note: 'café ✓' } } });
/** Not UTF-8: 0xFF, 0xFE and 0x80 cannot appear in UTF-8 text; a NUL too. */
const BINARY_BODY = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0x0a, 0x41]);

const HAR_1_2 = (bytes) => {
  const har = JSON.parse(bytes.toString('utf8'));
  if (har?.log?.version !== '1.2') throw new Error(`not a HAR 1.2 log: ${bytes.toString('utf8').slice(0, 80)}`);
  return har;
};

/** Posts both deliveries once; resolves with their ids. */
const posted = failFast('posting the two deliveries', async () => {
  const { port, driver } = app();
  const json = await postDelivery(port, JSON_BODY, { path: '/persona?source=e2e&n=1' });
  const binary = await postDelivery(port, BINARY_BODY, { path: '/binary', headers: { 'content-type': 'application/octet-stream' } });
  for (const r of [json, binary]) assert.equal(r.status, 200, `the listener stored it (answer: ${r.text})`);
  await driver.waitFor(row(binary.deliveryId), { what: `the binary delivery #${binary.deliveryId} in the list` });
  await driver.waitFor(row(json.deliveryId), { what: `the JSON delivery #${json.deliveryId} in the list` });
  return { jsonId: json.deliveryId, binaryId: binary.deliveryId };
});
let once = null;
const deliveries = () => (once ??= posted());

/** The HAR 1.2 fields every entry must have, as the tools read them. */
function assertEntryShape(entry, what) {
  assert.equal(typeof entry.startedDateTime, 'string', `${what}: startedDateTime`);
  assert.ok(!Number.isNaN(Date.parse(entry.startedDateTime)), `${what}: startedDateTime is a date (${entry.startedDateTime})`);
  assert.equal(typeof entry.time, 'number', `${what}: time`);
  const r = entry.request;
  assert.equal(r.method, 'POST', `${what}: request.method`);
  assert.equal(r.httpVersion, 'HTTP/1.1', `${what}: request.httpVersion`);
  for (const field of ['cookies', 'headers', 'queryString']) assert.ok(Array.isArray(r[field]), `${what}: request.${field} is an array`);
  assert.equal(r.headersSize, -1, `${what}: request.headersSize`);
  for (const h of r.headers) assert.deepEqual(Object.keys(h).filter((k) => !k.startsWith('_')).sort(), ['name', 'value'], `${what}: a header`);
  const res = entry.response;
  assert.equal(res.status, 200, `${what}: response.status is the listener's answer`);
  for (const field of ['cookies', 'headers']) assert.ok(Array.isArray(res[field]), `${what}: response.${field} is an array`);
  assert.equal(typeof res.content, 'object', `${what}: response.content`);
  assert.equal(typeof res.content.mimeType, 'string', `${what}: response.content.mimeType`);
  assert.deepEqual(entry.cache, {}, `${what}: cache`);
  for (const t of ['send', 'wait', 'receive']) assert.equal(typeof entry.timings[t], 'number', `${what}: timings.${t}`);
}

function header(entry, name) {
  return entry.request.headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function assertJsonEntry(entry, id, port) {
  assertEntryShape(entry, `#${id}`);
  assert.equal(entry._deliveryId, id, 'the JSON delivery’s id');
  assert.equal(entry.request.url, `http://127.0.0.1:${port}/persona?source=e2e&n=1`, 'the URL it was sent to');
  assert.deepEqual(entry.request.queryString, [
    { name: 'source', value: 'e2e' },
    { name: 'n', value: '1' },
  ]);
  assert.equal(header(entry, 'content-type'), 'application/json');
  assert.equal(entry.request.bodySize, Buffer.byteLength(JSON_BODY), 'bodySize in bytes');
  assert.equal(entry.request.postData.mimeType, 'application/json');
  assert.equal(entry.request.postData.text, JSON_BODY, 'the body exactly, as text');
}

function assertBinaryEntry(entry, id) {
  assertEntryShape(entry, `#${id}`);
  assert.equal(entry._deliveryId, id, 'the binary delivery’s id');
  assert.equal(entry.request.bodySize, BINARY_BODY.length);
  assert.equal(entry.request.postData?.text, undefined, 'a body that is not UTF-8 is not postData.text');
  // As HTTP Toolkit keeps a request body HAR's postData cannot hold.
  assert.equal(entry.request._requestBodyStatus, 'discarded:not-representable');
  assert.equal(entry.request._content.encoding, 'base64');
  assert.equal(entry.request._content.size, BINARY_BODY.length);
  assert.deepEqual(Buffer.from(entry.request._content.text, 'base64'), BINARY_BODY, 'the body exactly, in base64');
}

describe('export as HAR', () => {
  test('one delivery from the detail view: HAR 1.2, the exact body, in the Downloads folder', async () => {
    const { driver, port } = app();
    const { jsonId } = await deliveries();
    await driver.clickWhenVisible(row(jsonId));
    await driver.waitFor(`${tid('detail')}[data-id="${jsonId}"][data-state="loaded"]`);
    const before = downloads.files();
    await driver.clickWhenVisible(tid('save-har'));
    const note = await driver.waitFor(tid('save-har-done'), { text: `Saved persona-delivery-${jsonId}.har` });
    assert.match(await driver.text(note), /to your Downloads folder/);
    await driver.screenshot('har-save-one.png');
    const { name, value: har } = await waitForDownload(downloads, before, HAR_1_2);
    assert.equal(name, `persona-delivery-${jsonId}.har`, 'saved under the name the window gave');
    assert.equal(har.log.creator.name, 'persona-inspector');
    assert.equal(typeof har.log.creator.version, 'string');
    assert.equal(har.log.entries.length, 1);
    assertJsonEntry(har.log.entries[0], jsonId, port);
    await driver.clickWhenVisible(tid('detail-close'));
    await driver.waitForGone(tid('detail'));
  });

  test('the selected rows: both deliveries, oldest first, the binary body in base64', async () => {
    const { driver, port } = app();
    const { jsonId, binaryId } = await deliveries();
    for (const [id, n] of [
      [jsonId, 1],
      [binaryId, 2],
    ]) {
      await driver.click(await driver.waitFor(`${row(id)} ${tid('row-check')}`));
      await driver.waitFor(`${tid('selection-bar')}[data-count="${n}"]`, { what: `${n} selected` });
    }
    await driver.clickWhenVisible(tid('open-har'));
    await driver.waitFor(tid('har-dialog'));
    const picked = await driver.execute(`return document.querySelector('[data-testid="har-scope-selected"]').checked;`);
    assert.equal(picked, true, 'the selection is offered first');
    const before = downloads.files();
    await driver.clickWhenVisible(tid('har-export'));
    await driver.waitFor(tid('har-saved'), { text: /Saved persona-deliveries-\d{8}-\d{6}\.har \(.+\) to your Downloads folder/ });
    await driver.screenshot('har-export.png');
    const { name, value: har } = await waitForDownload(downloads, before, HAR_1_2);
    assert.match(name, /^persona-deliveries-\d{8}-\d{6}( \(\d+\))?\.har$/);
    assert.deepEqual(
      har.log.entries.map((e) => e._deliveryId),
      [jsonId, binaryId],
      'oldest first',
    );
    assertJsonEntry(har.log.entries[0], jsonId, port);
    assertBinaryEntry(har.log.entries[1], binaryId);
    selectionHar = join(downloads.dir, name);
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('har-dialog'));
    await driver.clickWhenVisible(tid('selection-clear'));
    await driver.waitForGone(tid('selection-bar'));
  });

  test('everything the filter matches', async () => {
    const { driver, port } = app();
    const { jsonId, binaryId } = await deliveries();
    await driver.replaceText(await driver.waitFor(tid('filter-search')), 'zebrafish', 'the search field');
    await driver.waitForGone(row(binaryId));
    await driver.waitFor(row(jsonId));
    await driver.clickWhenVisible(tid('open-har'));
    await driver.waitFor(`${tid('har-matching')}[data-count="1"]`, { text: 'All 1 delivery matching the current filter' });
    const before = downloads.files();
    await driver.clickWhenVisible(tid('har-export'));
    await driver.waitFor(tid('har-saved'));
    const { value: har } = await waitForDownload(downloads, before, HAR_1_2);
    assert.deepEqual(
      har.log.entries.map((e) => e._deliveryId),
      [jsonId],
      'only the match',
    );
    assertJsonEntry(har.log.entries[0], jsonId, port);
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('har-dialog'));
    await driver.clickWhenVisible(tid('clear-filters'));
    await driver.waitFor(row(binaryId));
  });
});

/** The file the selection was exported to, imported back below. */
let selectionHar = null;

describe('import a HAR file', () => {
  test('the exported file, picked in Import…, comes back as two imported deliveries', async () => {
    const { driver } = app();
    assert.ok(selectionHar, 'not checked: the selection was not exported (see that test)');
    const { binaryId } = await deliveries();
    await driver.clickWhenVisible(tid('open-import'));
    await driver.waitFor(tid('import-dialog'));
    const input = (await driver.findAll(tid('import-file')))[0];
    assert.ok(input, 'the file input is there');
    const accepts = await driver.attribute(input, 'accept');
    assert.match(accepts, /\.har/, 'the file picker offers .har files');
    await input.setValue(selectionHar);
    await driver.waitFor('.import-actions .hint', { text: /\.har \([\d,]+ bytes\) loaded/ });
    await driver.clickWhenVisible(tid('import-submit'));
    const result = await driver.waitFor(tid('import-result'), { text: /Imported 2 deliveries \(#\d+, #\d+\)/ });
    const listed = /Imported 2 deliveries \(([^)]*)\)/.exec(await driver.text(result))[1];
    const ids = [...listed.matchAll(/#(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => id > binaryId), `new ids (${ids}) after the originals`);
    await driver.pressKey(Key.Escape);
    await driver.waitForGone(tid('import-dialog'));
    for (const id of ids) {
      await driver.waitFor(`${row(id)} [data-testid="source-badge"][data-source="imported"]`, {
        what: `the imported delivery #${id} in the list, with its badge`,
      });
    }
    // The binary body came back exact: its imported copy is as big, and nobody answered it.
    await driver.clickWhenVisible(row(ids[1]));
    await driver.waitFor(`${tid('detail')}[data-id="${ids[1]}"][data-state="loaded"]`);
    await driver.waitFor(tid('overview-body'), { text: new RegExp(`^${BINARY_BODY.length} B · application/octet-stream`) });
    await driver.waitFor(tid('overview-reply'), { text: 'nobody answered it: it was imported' });
  });
});
