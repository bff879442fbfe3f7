// A small W3C WebDriver client over fetch, enough to drive the app's window through
// tauri-driver (which forwards to WebKitWebDriver on Linux). No dependencies.
//
// Elements are the protocol's own references ({ [ELEMENT]: id }), so they can be passed
// straight back into `execute` as script arguments.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The W3C web element identifier key. */
export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Where screenshots go: `screenshots/` at the repository root. */
export const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../screenshots');

/** `[data-testid="…"]` */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * How long a wait-until waits by default: the window answers a click or an arriving delivery in
 * well under a second; `E2E_WAIT_MS` raises it on a slow machine.
 */
const DEFAULT_WAIT_MS = Number(process.env.E2E_WAIT_MS) || 5_000;

/** How long a single HTTP request to the driver may take. */
const REQUEST_TIMEOUT_MS = 30_000;

export class WebDriverError extends Error {
  constructor(what, status, value) {
    const kind = value?.error ?? `HTTP ${status}`;
    const message = value?.message ?? JSON.stringify(value);
    super(`${what}: ${kind}: ${message}`);
    this.name = 'WebDriverError';
    this.kind = kind;
  }
}

async function request(base, method, path, body, timeoutMs = REQUEST_TIMEOUT_MS) {
  const what = `${method} ${path}`;
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const why = e?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(e?.cause ?? e);
    throw new Error(`WebDriver ${what} failed: ${why}`);
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new Error(`WebDriver ${what}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (!response.ok || (parsed.value && typeof parsed.value === 'object' && 'error' in parsed.value)) {
    throw new WebDriverError(`WebDriver ${what}`, response.status, parsed.value);
  }
  return parsed.value;
}

/** Is the driver at `base` up? */
export async function driverReady(base) {
  try {
    const response = await fetch(`${base}/status`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

// Runs in the page: is `el` rendered (not display:none, not visibility:hidden, has a box)?
const VISIBLE_FN = `function visible(el) {
  if (!el || !el.isConnected) return false;
  if (el.getClientRects().length === 0) return false;
  const style = getComputedStyle(el);
  return style.visibility !== 'hidden' && style.visibility !== 'collapse';
}`;

export class Session {
  /**
   * Starts a session. `label` names the failure screenshots of this session.
   * @param {string} base e.g. http://127.0.0.1:4444
   */
  static async start(base, capabilities, { label = 'session', timeoutMs = 60_000 } = {}) {
    const value = await request(base, 'POST', '/session', { capabilities }, timeoutMs);
    return new Session(base, value.sessionId, label);
  }

  constructor(base, id, label) {
    this.base = base;
    this.id = id;
    this.label = label;
    this.failures = 0;
  }

  cmd(method, path, body, timeoutMs) {
    return request(this.base, method, `/session/${this.id}${path}`, body, timeoutMs);
  }

  async delete() {
    await this.cmd('DELETE', '', undefined, 10_000);
  }

  // ---- elements -------------------------------------------------------------------------

  /** The first element matching `css`; throws (no such element) when there is none. */
  find(css) {
    return this.cmd('POST', '/element', { using: 'css selector', value: css });
  }

  /** Every element matching `css`, maybe none. */
  findAll(css) {
    return this.cmd('POST', '/elements', { using: 'css selector', value: css });
  }

  findIn(el, css) {
    return this.cmd('POST', `/element/${el[ELEMENT]}/element`, { using: 'css selector', value: css });
  }

  findAllIn(el, css) {
    return this.cmd('POST', `/element/${el[ELEMENT]}/elements`, { using: 'css selector', value: css });
  }

  /**
   * Clicks `el` as a user would. WebKitWebDriver refuses some elements it could click (a table
   * row, or a button below the fold of a scrolled dialog, is "not interactable"); then `el` is
   * scrolled into view and it, or the element under its middle inside it, gets the click, which
   * bubbles up to `el` as a real click would. Failures say what was on screen.
   */
  async click(el) {
    try {
      await this.cmd('POST', `/element/${el[ELEMENT]}/click`, {});
      return;
    } catch (e) {
      let error = e;
      if (e.kind === 'element not interactable') {
        const inner = await this.execute(
          `const el = arguments[0];
          el.scrollIntoView({ block: 'center', inline: 'center' });
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return hit && el.contains(hit) ? hit : null;`,
          [el],
        ).catch(() => null);
        // Now scrolled into view: the element itself, or what is under its middle inside it.
        if (inner) {
          try {
            await this.cmd('POST', `/element/${inner[ELEMENT]}/click`, {});
            return;
          } catch (e2) {
            error = e2;
          }
        }
      }
      const shot = await this.failureScreenshot('click');
      error.message = `${error.message}\n${await this.describeScreen()}\nscreenshot: ${shot}`;
      throw error;
    }
  }

  /**
   * Replaces what the text field `el` holds with `text`, as key presses (select all, delete,
   * type), until it holds exactly that. WebDriver's element clear sets the value behind React's back: a re-render
   * before the typing puts the old text back, and the typing lands after it.
   */
  replaceText(el, text, what = 'the field') {
    const { CONTROL, BACKSPACE, NULL } = Session.KEY;
    return this.waitUntil(`${what} to hold ${JSON.stringify(text)}`, async () => {
      await this.sendKeys(el, `${CONTROL}a${NULL}${BACKSPACE}`);
      await this.sendKeys(el, text);
      return (await this.execute('return arguments[0].value;', [el])) === String(text);
    });
  }

  /** Types `text` into `el` as key presses. */
  sendKeys(el, text) {
    return this.cmd('POST', `/element/${el[ELEMENT]}/value`, { text: String(text) });
  }

  /** The element's rendered text (innerText-like). */
  text(el) {
    return this.cmd('GET', `/element/${el[ELEMENT]}/text`);
  }

  attribute(el, name) {
    return this.cmd('GET', `/element/${el[ELEMENT]}/attribute/${encodeURIComponent(name)}`);
  }

  /** Presses and releases one key, e.g. Session.KEY.ESCAPE, on whatever has focus. */
  pressKey(key) {
    return this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'key',
          id: 'keyboard',
          actions: [
            { type: 'keyDown', value: key },
            { type: 'keyUp', value: key },
          ],
        },
      ],
    });
  }

  /**
   * Clicks the middle of `el` with `key` (e.g. Session.KEY.SHIFT) held down, as a user's
   * Shift-click or Ctrl-click: one key source and one mouse source, tick by tick.
   */
  async clickWithKey(el, key) {
    await this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'key',
          id: 'keyboard',
          actions: [{ type: 'keyDown', value: key }, { type: 'pause' }, { type: 'pause' }, { type: 'keyUp', value: key }],
        },
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', origin: el, x: 0, y: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
            { type: 'pause' },
          ],
        },
      ],
    });
    await this.cmd('DELETE', '/actions'); // release anything still held
  }

  static KEY = { NULL: '\uE000', BACKSPACE: '\uE003', ESCAPE: '\uE00C', ENTER: '\uE007', TAB: '\uE004', SHIFT: '\uE008', CONTROL: '\uE009' };

  // ---- scripts ---------------------------------------------------------------------------

  /** Runs `script` (a function body; `arguments` holds `args`) in the page, returns its value. */
  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** What is on screen: the title, the test ids present (with counts) and the visible text. */
  async snapshot() {
    try {
      return await this.execute(
        `${VISIBLE_FN}
        const ids = {};
        for (const el of document.querySelectorAll('[data-testid]')) {
          const id = el.getAttribute('data-testid') + (visible(el) ? '' : ' (hidden)');
          ids[id] = (ids[id] || 0) + 1;
        }
        return {
          title: document.title,
          url: location.href,
          testids: Object.entries(ids).map(([k, n]) => n > 1 ? k + ' ×' + n : k),
          text: (document.body ? document.body.innerText : '').slice(0, 2500),
        };`,
      );
    } catch (e) {
      return { error: `could not read the page: ${e.message}` };
    }
  }

  /** The snapshot as a few readable lines, for failure messages. */
  async describeScreen() {
    const s = await this.snapshot();
    if (s.error) return s.error;
    const text = s.text.replace(/\n{2,}/g, '\n').trim();
    return [
      `title: ${JSON.stringify(s.title)}  url: ${s.url}`,
      `test ids on the page: ${s.testids.length ? s.testids.join(', ') : '(none)'}`,
      `visible text:\n    ${text ? text.split('\n').join('\n    ') : '(none)'}`,
    ].join('\n');
  }

  // ---- screenshots -----------------------------------------------------------------------

  /** Runs `script` in the page; it ends by calling `arguments[arguments.length - 1](value)`. */
  executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /**
   * Waits until what the DOM holds now has been painted (two animation frames): WebKit's
   * screenshot shows the last painted frame, which can be older than the DOM just checked.
   */
  async painted() {
    await this.executeAsync(
      `const done = arguments[arguments.length - 1];
      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
      setTimeout(() => done(false), 1000); // no frames (a hidden window): don't hang`,
    );
  }

  /** Saves a PNG of the window to screenshots/<name> and returns its path. */
  async screenshot(name) {
    await this.painted().catch(() => {}); // a screenshot of whatever is there beats none
    const base64 = await this.cmd('GET', '/screenshot');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, name.endsWith('.png') ? name : `${name}.png`);
    writeFileSync(file, Buffer.from(base64, 'base64'));
    return file;
  }

  /** A screenshot for a failure; never throws. */
  async failureScreenshot(what) {
    this.failures += 1;
    const slug = `${this.label}-FAILED-${this.failures}-${what}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 90);
    try {
      return await this.screenshot(`${slug}.png`);
    } catch (e) {
      return `(no screenshot: ${e.message})`;
    }
  }

  // ---- waiting ---------------------------------------------------------------------------

  /**
   * Polls `condition` (async; errors count as "not yet", unless they have `fatal: true`) until
   * it returns a truthy value, which is returned. On timeout, throws with `what`, the last error, what was on screen and
   * a screenshot.
   */
  async waitUntil(what, condition, { timeoutMs = DEFAULT_WAIT_MS, intervalMs = 100 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let lastError = null;
    let lastValue;
    for (;;) {
      try {
        lastValue = await condition();
        if (lastValue) return lastValue;
        lastError = null;
      } catch (e) {
        if (e.fatal) {
          // The condition knows waiting is pointless.
          const shot = await this.failureScreenshot(what);
          e.message = `${e.message}\n${await this.describeScreen()}\nscreenshot: ${shot}`;
          throw e;
        }
        lastError = e;
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    const shot = await this.failureScreenshot(what);
    const lines = [`Timed out after ${timeoutMs} ms waiting for ${what}.`];
    if (lastError) lines.push(`Last error: ${lastError.message}`);
    else if (lastValue !== undefined && lastValue !== false && lastValue !== null)
      lines.push(`Last value: ${JSON.stringify(lastValue)}`);
    lines.push(await this.describeScreen());
    lines.push(`screenshot: ${shot}`);
    throw new Error(lines.join('\n'));
  }

  /**
   * Waits for a visible element matching `css` (and whose text matches `text`, a string to
   * contain or a RegExp, when given) and returns it.
   */
  waitFor(css, { text, timeoutMs, what } = {}) {
    const pattern =
      text === undefined
        ? null
        : text instanceof RegExp
          ? { source: text.source, flags: text.flags }
          : { literal: String(text) };
    const description =
      what ??
      `a visible ${css}` +
        (pattern === null ? '' : ` whose text ${text instanceof RegExp ? `matches ${text}` : `contains ${JSON.stringify(text)}`}`);
    return this.waitUntil(
      description,
      () =>
        this.execute(
          `${VISIBLE_FN}
          const [css, pattern] = arguments;
          const matches = (s) => pattern === null ? true
            : pattern.literal !== undefined ? s.includes(pattern.literal)
            : new RegExp(pattern.source, pattern.flags).test(s);
          for (const el of document.querySelectorAll(css)) {
            if (visible(el) && matches(el.innerText ?? el.textContent ?? '')) return el;
          }
          return null;`,
          [css, pattern],
        ),
      { timeoutMs },
    );
  }

  /** Waits until no element matches `css` (or none is visible). */
  waitForGone(css, { timeoutMs } = {}) {
    return this.waitUntil(
      `no visible ${css}`,
      () =>
        this.execute(
          `${VISIBLE_FN}
          return ![...document.querySelectorAll(arguments[0])].some(visible);`,
          [css],
        ),
      { timeoutMs },
    );
  }

  /** Picks `value` in a <select>: a click on the option, or, if the driver won't, as a user's change. */
  async choose(selectCss, value) {
    const optionCss = `${selectCss} option[value="${value}"]`;
    const option = await this.waitUntil(`an option ${optionCss}`, () =>
      this.execute('return document.querySelector(arguments[0]);', [optionCss]),
    );
    await this.click(option).catch(() => {});
    const chosen = () => this.execute('return document.querySelector(arguments[0]).value;', [selectCss]);
    if ((await chosen()) !== value) {
      await this.execute(
        `const s = document.querySelector(arguments[0]);
         Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(s, arguments[1]);
         s.dispatchEvent(new Event('change', { bubbles: true }));`,
        [selectCss, value],
      );
    }
    await this.waitUntil(`${selectCss} to be set to ${value}`, async () => (await chosen()) === value);
  }

  /** Clicks a visible element matching `css` once it is there; returns it. */
  async clickWhenVisible(css, options) {
    const el = await this.waitFor(css, options);
    await this.click(el);
    return el;
  }
}
