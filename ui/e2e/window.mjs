// The app's window as the tests drive it, on WebdriverIO's standalone client (`remote`) talking
// W3C WebDriver to tauri-driver (which forwards to WebKitWebDriver on Linux). What lives here is
// what WebdriverIO has no word for: waits whose timeouts say what was awaited and show what was
// on screen, visibility judged in the page, text replaced until the field really holds it, and
// screenshots of failures.
//
// Elements are WebdriverIO elements; they can be passed straight into `execute` as script
// arguments (WebdriverIO sends their references).

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Key, remote } from 'webdriverio';

/** Where screenshots go: `screenshots/` at the repository root. */
export const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../screenshots');

/**
 * Screenshots are taken only with `E2E_SCREENSHOTS=1`, which launches the app with WebKit's
 * accelerated compositing on: the app ships with it off, and without it WebKitGTK never answers
 * a screenshot request.
 */
export const SCREENSHOTS_ON = process.env.E2E_SCREENSHOTS === '1';

/** The W3C web element identifier: the key of an element reference in the protocol. */
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

/** `[data-testid="…"]` */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * How long a wait-until waits by default: the window answers a click or an arriving delivery in
 * well under a second; `E2E_WAIT_MS` raises it on a slow machine.
 */
const DEFAULT_WAIT_MS = Number(process.env.E2E_WAIT_MS) || 5_000;

/**
 * How long one WebDriver command may take. Starting a session launches the app, the slowest
 * command there is; WebdriverIO has one limit for all, and never retries (a retried click or
 * key press would be sent twice).
 */
const COMMAND_TIMEOUT_MS = 60_000;

/** Is the driver at `base` up? (Before a session exists, so plain HTTP: WebDriver's /status.) */
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

export class AppWindow {
  /**
   * Opens a WebDriver session on the driver at `base` (e.g. http://127.0.0.1:4444), which
   * launches the app. `label` names the failure screenshots of this window.
   */
  static async open(base, capabilities, { label = 'window' } = {}) {
    const url = new URL(base);
    const browser = await remote({
      protocol: url.protocol.replace(':', ''),
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      // WebKitWebDriver speaks classic WebDriver only: don't ask for a BiDi session.
      capabilities: { ...capabilities, 'wdio:enforceWebDriverClassic': true },
      logLevel: 'error',
      connectionRetryTimeout: COMMAND_TIMEOUT_MS,
      connectionRetryCount: 0,
    });
    return new AppWindow(browser, label);
  }

  constructor(browser, label) {
    /** The WebdriverIO browser object, for anything this layer does not cover. */
    this.browser = browser;
    this.label = label;
    this.failures = 0;
  }

  /** Ends the session (tauri-driver closes the app). */
  async end() {
    await this.browser.deleteSession();
  }

  /** Loads `url` in the window. */
  async navigate(url) {
    await this.browser.navigateTo(url);
  }

  // ---- elements -------------------------------------------------------------------------

  /** Every element matching `css`, maybe none. */
  async findAll(css) {
    return [...(await this.browser.$$(css))];
  }

  /** The first element inside `el` matching `css`; throws when there is none. */
  async findIn(el, css) {
    const found = await el.$(css);
    if (!found.elementId) throw found.error ?? new Error(`no element ${css} inside the element`);
    return found;
  }

  /**
   * Clicks `el` as a user would. WebKitWebDriver refuses some elements it could click (a table
   * row, or a button below the fold of a scrolled dialog, is "not interactable"); then `el` is
   * scrolled into view and it, or the element under its middle inside it, gets the click, which
   * bubbles up to `el` as a real click would. Failures say what was on screen.
   */
  async click(el) {
    try {
      await el.click();
      return;
    } catch (e) {
      let error = e;
      if (e.name === 'element not interactable') {
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
            await inner.click();
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
   * type), until it holds exactly that. WebDriver's element clear sets the value behind React's
   * back: a re-render before the typing puts the old text back, and the typing lands after it.
   */
  replaceText(el, text, what = 'the field') {
    return this.waitUntil(`${what} to hold ${JSON.stringify(text)}`, async () => {
      await this.sendKeys(el, `${Key.Control}a${Key.NULL}${Key.Backspace}`);
      await this.sendKeys(el, text);
      return (await this.execute('return arguments[0].value;', [el])) === String(text);
    });
  }

  /** Types `text` into `el` as key presses. */
  sendKeys(el, text) {
    return el.addValue(String(text));
  }

  /** The element's rendered text (innerText-like). */
  text(el) {
    return el.getText();
  }

  attribute(el, name) {
    return el.getAttribute(name);
  }

  /** Presses and releases one key, e.g. Key.Escape, on whatever has focus. */
  pressKey(key) {
    return this.browser.action('key').down(key).up(key).perform();
  }

  /** Escape until no dialog is open (at most three): a failed test may leave one open. */
  async closeDialogs() {
    for (let i = 0; i < 3; i++) {
      if ((await this.findAll('[role="dialog"]')).length === 0) return;
      await this.pressKey(Key.Escape);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Clicks the middle of `el` with `key` (e.g. Key.Shift) held down, as a user's Shift-click or
   * Ctrl-click: one key source and one mouse source, tick by tick, then everything released.
   */
  clickWithKey(el, key) {
    const keyboard = this.browser.action('key').down(key).pause().pause().up(key);
    const mouse = this.browser
      .action('pointer', { parameters: { pointerType: 'mouse' } })
      .move({ origin: { [ELEMENT_KEY]: el.elementId }, x: 0, y: 0, duration: 0 })
      .down({ button: 0 })
      .up({ button: 0 })
      .pause();
    return this.browser.actions([keyboard, mouse]);
  }

  // ---- scripts ---------------------------------------------------------------------------

  /**
   * Runs `script` (a function body; `arguments` holds `args`) in the page, returns its value.
   * An element it returns comes back as a WebdriverIO element.
   */
  async execute(script, args = []) {
    return this.elements(await this.browser.execute(script, ...args));
  }

  /** Runs `script` in the page; it ends by calling `arguments[arguments.length - 1](value)`. */
  async executeAsync(script, args = []) {
    return this.elements(await this.browser.executeAsync(script, ...args));
  }

  /** `value` with an element reference (the protocol's own, or a list of them) made an element. */
  async elements(value) {
    const isReference = (v) => v !== null && typeof v === 'object' && typeof v[ELEMENT_KEY] === 'string';
    if (isReference(value)) return this.browser.$(value);
    if (Array.isArray(value) && value.length > 0 && value.every(isReference)) {
      return Promise.all(value.map((v) => this.browser.$(v)));
    }
    return value;
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
    if (!SCREENSHOTS_ON) return null;
    await this.painted().catch(() => {}); // a screenshot of whatever is there beats none
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, name.endsWith('.png') ? name : `${name}.png`);
    await this.browser.saveScreenshot(file);
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
      return (await this.screenshot(`${slug}.png`)) ?? '(none: E2E_SCREENSHOTS=1 takes them)';
    } catch (e) {
      return `(no screenshot: ${e.message})`;
    }
  }

  // ---- waiting ---------------------------------------------------------------------------

  /**
   * Polls `condition` (async; errors count as "not yet", unless they have `fatal: true`) until
   * it returns a truthy value, which is returned. On timeout, throws with `what`, the last
   * error, what was on screen and a screenshot. (WebdriverIO's own waitUntil cannot stop early
   * on a fatal error, nor say what was on screen.)
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
