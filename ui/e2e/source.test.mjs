// Where a delivery came from, in the window. The app listens on 127.0.0.1, so a request that
// carries X-Forwarded-For reads as ngrok's (a proxy on this machine): one names an address of
// Persona's published list, one an address outside it, one carries none (the peer, this machine).
// The list rows and the Overview say which is in Persona's list — as information, not a verdict —
// and what the listener answered; editing the list in Settings (a bad address refused with the
// command's reason, then a list of our own, then Persona's restored) changes what every row says.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { appPerFile, failFast, postDelivery } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'source' });

/** In Persona's published list (Germany). */
const PERSONA_IP = '34.89.193.61';
/** A documentation address (RFC 5737): in no list. */
const OTHER_IP = '203.0.113.7';

const row = (id) => `[data-testid="delivery-row"][data-id="${id}"]`;
const body = (name) => JSON.stringify({ data: { type: 'event', id: `evt_${name}`, attributes: { name: `inquiry.${name}` } } });

const post = failFast('posting the deliveries', async () => {
  const { port, driver } = app();
  const persona = await postDelivery(port, body('completed'), { headers: { 'x-forwarded-for': PERSONA_IP } });
  // What a sender wrote first proves nothing: ngrok's entry is the last one.
  const other = await postDelivery(port, body('approved'), { headers: { 'x-forwarded-for': `${PERSONA_IP}, ${OTHER_IP}` } });
  const local = await postDelivery(port, body('declined'));
  for (const r of [persona, other, local]) assert.equal(r.status, 200, `stored (answer: ${r.text})`);
  for (const r of [persona, other, local]) await driver.waitFor(row(r.deliveryId));
  return { persona: persona.deliveryId, other: other.deliveryId, local: local.deliveryId };
});
let once = null;
const posted = () => (once ??= post());

/** Waits until row `id`'s source cell shows `ip` with `listed` ('yes', 'no', 'unknown'). */
function rowSource(driver, id, ip, listed, marker) {
  return driver.waitFor(`${row(id)} ${tid('source-ip')}[data-listed="${listed}"]`, {
    text: marker === null ? ip : `${ip}${marker}`,
    what: `row #${id} showing source ${ip} ${marker ?? ''} (listed: ${listed})`,
  });
}

/** Opens delivery `id` and waits for its Overview's Source to say `listed`; closes it again. */
async function overviewSource(driver, id, { ip, listed, words, note }) {
  await driver.clickWhenVisible(row(id));
  await driver.waitFor(`${tid('detail')}[data-id="${id}"][data-state="loaded"]`);
  const source = await driver.waitFor(`${tid('overview-source')}[data-listed="${listed}"]`, { text: ip });
  const text = await driver.text(source);
  assert.ok(text.includes(words), `the Overview says "${words}" (it says: ${text})`);
  assert.ok(text.includes(note), `the Overview says how the address was found: "${note}" (it says: ${text})`);
  assert.equal(await driver.text(await driver.waitFor(tid('overview-reply'))), 'answered 200', 'the listener’s answer');
  await driver.clickWhenVisible(tid('detail-close'));
  await driver.waitForGone(tid('detail'));
}

test('each row and Overview show the source address and whether Persona’s list has it', async () => {
  const { driver } = app();
  const ids = await posted();
  await rowSource(driver, ids.persona, PERSONA_IP, 'yes', 'Persona’s');
  await rowSource(driver, ids.other, OTHER_IP, 'no', 'not listed');
  await rowSource(driver, ids.local, '127.0.0.1', 'no', 'not listed');
  const title = await driver.execute(`return document.querySelector(arguments[0]).title;`, [`${row(ids.persona)} ${tid('source-ip')}`]);
  assert.match(title, /Information only: the signature is what shows a delivery is Persona’s/, 'never a verdict');
  await driver.screenshot('source-rows.png');

  await overviewSource(driver, ids.persona, {
    ip: PERSONA_IP,
    listed: 'yes',
    words: 'in Persona’s list of webhook addresses',
    note: 'the address the proxy on this machine (ngrok) put in X-Forwarded-For',
  });
  await overviewSource(driver, ids.other, {
    ip: OTHER_IP,
    listed: 'no',
    words: 'not in Persona’s list of webhook addresses',
    note: 'the 1 before it was written by the sender and can be anything',
  });
  await overviewSource(driver, ids.local, {
    ip: '127.0.0.1',
    listed: 'no',
    words: 'not in Persona’s list of webhook addresses',
    note: 'this machine',
  });
});

test('the list in Settings: a bad address refused, our own list saved, Persona’s restored', async () => {
  const { driver } = app();
  const ids = await posted();
  await driver.clickWhenVisible(tid('open-settings'));
  const field = await driver.waitFor(tid('persona-ips-input'));
  const saved = await driver.execute('return arguments[0].value;', [field]);
  assert.ok(saved.split('\n').includes(PERSONA_IP), `Persona’s list is there at first (${saved.split('\n').length} lines)`);

  // A list copied from a page may be separated by commas; a range is not an address.
  await driver.replaceText(field, `${OTHER_IP}, 35.232.44.0/24`, 'the address list');
  await driver.clickWhenVisible(tid('persona-ips-save'));
  await driver.waitFor(tid('persona-ips-error'), { text: '"35.232.44.0/24" is not an IP address' });

  await driver.replaceText(field, OTHER_IP, 'the address list');
  await driver.clickWhenVisible(tid('persona-ips-save'));
  await driver.waitFor(tid('persona-ips-saved'));
  await driver.clickWhenVisible(tid('close-settings'));
  await driver.waitForGone(tid('settings'));
  // Every stored delivery is looked up in the new list.
  await rowSource(driver, ids.other, OTHER_IP, 'yes', 'Persona’s');
  await rowSource(driver, ids.persona, PERSONA_IP, 'no', 'not listed');

  await driver.clickWhenVisible(tid('open-settings'));
  await driver.clickWhenVisible(tid('persona-ips-restore'));
  await driver.clickWhenVisible(tid('persona-ips-save'));
  await driver.waitFor(tid('persona-ips-saved'));
  const restored = await driver.execute('return document.querySelector(arguments[0]).value;', [tid('persona-ips-input')]);
  assert.ok(restored.split('\n').includes(PERSONA_IP) && !restored.includes(OTHER_IP), 'Persona’s list is back');
  await driver.clickWhenVisible(tid('close-settings'));
  await rowSource(driver, ids.persona, PERSONA_IP, 'yes', 'Persona’s');
  await rowSource(driver, ids.other, OTHER_IP, 'no', 'not listed');
});
