// The app's commands answer its own page only: a page from anywhere else, loaded in the same
// window, is refused by Tauri's access control (src-tauri/capabilities, build.rs).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { appPerFile } from './app.mjs';
import { tid } from './window.mjs';

const app = appPerFile({ before, after }, { name: 'permissions' });

/** Calls the app command `name` from the current page; resolves with what happened. */
const invoke = (driver, name) =>
  driver.executeAsync(
    `const [name, done] = arguments;
     const internals = window.__TAURI_INTERNALS__;
     if (!internals) { done({ ok: false, refusal: 'no Tauri internals on this page' }); return; }
     internals.invoke(name).then(
       (value) => done({ ok: true, value }),
       (refusal) => done({ ok: false, refusal: String(refusal) }));`,
    [name],
  );

test("the app's own page may call its commands, a page from elsewhere may not", async () => {
  const { driver, port } = app();
  await driver.waitFor(tid('listener-status'), { text: String(port) });
  const own = await invoke(driver, 'listener_status');
  assert.equal(own.ok, true, `the app's page calls listener_status: ${JSON.stringify(own)}`);

  const page = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p id="elsewhere">a page from elsewhere</p>');
  });
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${page.address().port}/`;
    await driver.navigate(url);
    await driver.waitFor('#elsewhere', { what: 'the page from elsewhere' });
    for (const name of ['listener_status', 'list_deliveries', 'get_settings']) {
      const result = await invoke(driver, name);
      assert.equal(result.ok, false, `${name} must be refused to ${url}: ${JSON.stringify(result)}`);
      assert.match(result.refusal, /not allowed/, `Tauri's access control refused ${name}: ${result.refusal}`);
    }
  } finally {
    page.close();
  }
});
