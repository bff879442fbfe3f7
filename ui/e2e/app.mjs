// Starts the real app under tauri-driver with its own data directory and listener port, and
// tears it all down again (the whole process group) even when a test fails. Also: free ports,
// Persona's signature scheme and posting deliveries to the app's listener.
//
// One tauri-driver per app launch: tauri-driver hands its environment to WebKitWebDriver and
// the app, which is how PERSONA_INSPECTOR_DATA_DIR and PERSONA_INSPECTOR_PORT reach the app.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AppWindow, driverReady, SCREENSHOTS_ON } from './window.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The app binary; `PERSONA_INSPECTOR_APP` overrides. */
export function appBinary() {
  if (process.env.PERSONA_INSPECTOR_APP) return resolve(process.env.PERSONA_INSPECTOR_APP);
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  return join(target, 'debug', 'persona-inspector-app');
}

function tauriDriverBinary() {
  if (process.env.TAURI_DRIVER) return process.env.TAURI_DRIVER;
  const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'tauri-driver');
  return existsSync(cargoBin) ? cargoBin : 'tauri-driver';
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** `n` distinct free ports. */
export async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Listens on 127.0.0.1:`port` (0: any) so nobody else can; resolves with the server. */
export function occupyPort(port = 0) {
  return new Promise((resolveServer, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolveServer(server));
  });
}

// ---- Persona signatures ------------------------------------------------------------------

/** Unix seconds now. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Persona's `v1`: hex HMAC-SHA256 keyed with the secret over `"<t>." + raw body`. */
export function personaV1(body, secret, t) {
  return createHmac('sha256', secret)
    .update(`${t}.`)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/** A `Persona-Signature` header value: `t=<t>,v1=<hex>`. */
export function personaSignature(body, secret, t = nowSeconds()) {
  return `t=${t},v1=${personaV1(body, secret, t)}`;
}

/** Reads a file of tests/fixtures as bytes. */
export function fixtureBytes(name) {
  return readFileSync(join(ROOT, 'tests', 'fixtures', name));
}

/**
 * POSTs `body` (string or bytes) to the app's listener, signed with `secret` when given.
 * Resolves with the status, the delivery id (X-Inspector-Delivery-Id), the response text and
 * `answeredAt`, the Date.now() at which the answer's head arrived.
 */
export async function postDelivery(port, body, { secret, t, path = '/persona', headers = {} } = {}) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const all = {
    'content-type': 'application/json',
    'persona-webhook-attempts-made': '1',
    'persona-webhook-attempts-left': '7',
    'persona-webhook-first-attempted-at': String(nowSeconds()),
    ...headers,
  };
  if (secret !== undefined) all['persona-signature'] = personaSignature(bytes, secret, t);
  const url = `http://127.0.0.1:${port}${path}`;
  let response;
  let answeredAt;
  try {
    response = await fetch(url, { method: 'POST', headers: all, body: bytes, signal: AbortSignal.timeout(10_000) });
    answeredAt = Date.now();
  } catch (e) {
    throw new Error(`POST ${url} failed: ${e?.cause?.message ?? e.message}`);
  }
  const text = await response.text();
  const id = response.headers.get('x-inspector-delivery-id');
  return { status: response.status, deliveryId: id === null ? null : Number(id), text, answeredAt };
}

// ---- downloads ---------------------------------------------------------------------------

/**
 * A Downloads folder of the test's own. WebKit saves a download (the window's HAR export) in
 * XDG_DOWNLOAD_DIR, which GLib reads from `user-dirs.dirs` under XDG_CONFIG_HOME: pass `env` to
 * `launchApp`; files land in `dir`. `remove()` deletes both.
 */
export function downloadsFolder(name) {
  const root = mkdtempSync(join(tmpdir(), `persona-e2e-${name}-downloads-`));
  const config = join(root, 'config');
  const dir = join(root, 'Downloads');
  mkdirSync(config);
  mkdirSync(dir);
  writeFileSync(join(config, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${dir}"\n`);
  return {
    dir,
    env: { XDG_CONFIG_HOME: config },
    /** The names of the files there now. */
    files: () => readdirSync(dir),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Waits for a file in `folder` that was not among `before` and whose whole text `read` accepts
 * (it returns a value, or throws while the download is still being written); resolves with
 * `{ name, value }`.
 */
export async function waitForDownload(folder, before, read, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    const fresh = folder.files().filter((f) => !before.includes(f) && !f.endsWith('.wkdownload'));
    for (const name of fresh) {
      try {
        return { name, value: read(readFileSync(join(folder.dir, name))) };
      } catch (e) {
        last = `${name}: ${e.message}`;
      }
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `no new download in ${folder.dir} within ${timeoutMs} ms (there: ${JSON.stringify(folder.files())}${last ? `; ${last}` : ''})`,
      );
    }
    await sleep(100);
  }
}

// ---- launching the app -------------------------------------------------------------------

/** Process groups still running, killed on the way out whatever happens. */
const live = new Set();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

process.on('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** Pids of processes whose environment holds `marker` (the unique data dir): ours, if any left. */
function pidsWithEnv(marker) {
  const needle = `PERSONA_INSPECTOR_DATA_DIR=${marker}\0`;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `max` characters written to it. */
class Tail {
  constructor(max = 20_000) {
    this.max = max;
    this.text = '';
  }
  push(chunk) {
    this.text = (this.text + chunk).slice(-this.max);
  }
  lines(n = 40) {
    return this.text.trimEnd().split('\n').slice(-n).join('\n');
  }
}

/**
 * Launches tauri-driver and, through a WebDriver session, the app on `port` (a free one when
 * not given) with a fresh data directory. Resolves once the window shows the UI.
 *
 * @param {{ name: string, port?: number, env?: Record<string,string> }} options
 * @returns {Promise<App>}
 */
export async function launchApp({ name, port, env = {} }) {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error('No display: run the GUI tests under `xvfb-run -a dbus-run-session -- node --test …` (or `make gui-test`).');
  }
  const binary = appBinary();
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `No app binary at ${binary}. Build it with \`npm --prefix ui run build && npx --prefix ui tauri build --debug --no-bundle\` (or run \`make gui-test\`).`,
    );
  }
  const listenPort = port ?? (await freePort());
  const [driverPort, nativePort] = await freePorts(2);
  const dataDir = mkdtempSync(join(tmpdir(), `persona-e2e-${name}-`));
  const log = new Tail();
  const child = spawn(tauriDriverBinary(), ['--port', String(driverPort), '--native-port', String(nativePort)], {
    detached: true, // its own process group: WebKitWebDriver and the app join it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PERSONA_INSPECTOR_DATA_DIR: dataDir,
      PERSONA_INSPECTOR_PORT: String(listenPort),
      NO_AT_BRIDGE: '1', // no accessibility bus to start under dbus-run-session
      // The app turns WebKit's accelerated compositing off (src-tauri/src/webview.rs) and the
      // tests drive it so; WebKitGTK 2.50 then never answers WebDriver's screenshot, so
      // screenshots (E2E_SCREENSHOTS=1) turn it back on.
      ...(SCREENSHOTS_ON ? { PERSONA_INSPECTOR_GPU_COMPOSITING: '1' } : {}),
      ...env,
    },
  });
  child.stdout.setEncoding('utf8').on('data', (c) => log.push(c));
  child.stderr.setEncoding('utf8').on('data', (c) => log.push(c));
  let exited = null;
  const exit = new Promise((r) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child.pid);
      r();
    }),
  );
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  if (child.pid !== undefined) live.add(child.pid);

  const app = new App({ name, child, exit, log, dataDir, port: listenPort, driverPort, binary, exitedRef: () => exited });
  try {
    await Promise.race([spawnError, app.waitForDriver()]);
    app.session = await AppWindow.open(
      `http://127.0.0.1:${driverPort}`,
      { 'tauri:options': { application: binary } },
      { label: name },
    );
    await app.waitForUi();
    return app;
  } catch (e) {
    await app.close();
    e.message = `${e.message}\n--- tauri-driver / app output (last lines) ---\n${log.lines() || '(nothing)'}`;
    throw e;
  }
}

export class App {
  constructor({ name, child, exit, log, dataDir, port, driverPort, binary, exitedRef }) {
    this.name = name;
    this.child = child;
    this.exit = exit;
    this.log = log;
    this.dataDir = dataDir;
    /** The port the app was told to listen on. */
    this.port = port;
    this.driverBase = `http://127.0.0.1:${driverPort}`;
    this.binary = binary;
    this.exited = exitedRef;
    /** @type {AppWindow | null} */
    this.session = null;
    this.closed = false;
  }

  /** The app's window, through its WebDriver session. */
  get driver() {
    if (!this.session) throw new Error(`${this.name}: the app has no WebDriver session`);
    return this.session;
  }

  async waitForDriver(timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited()) throw new Error(`tauri-driver exited (${JSON.stringify(this.exited())}) before it was ready`);
      if (await driverReady(this.driverBase)) return;
      await sleep(100);
    }
    throw new Error(`tauri-driver did not answer on ${this.driverBase} within ${timeoutMs} ms`);
  }

  /**
   * Waits until React has rendered into #root. A binary from a plain `cargo build` (which
   * `cargo test --workspace` also makes, over the same path) loads the dev server
   * http://localhost:1420 instead of the embedded UI: that fails at once, saying so.
   */
  async waitForUi() {
    await this.driver.waitUntil(
      'the UI to render into #root',
      async () => {
        const page = await this.driver.execute(
          `const r = document.getElementById('root');
          return { rendered: !!r && r.childElementCount > 0, url: location.href,
                   text: document.body ? document.body.innerText.slice(0, 200) : '' };`,
        );
        if (page.rendered) return true;
        if (/localhost:1420/.test(page.url) || /could not connect to localhost/i.test(page.text)) {
          const e = new Error(
            `${this.binary} is a dev build: it loads the dev server http://localhost:1420 instead of the embedded UI. ` +
              'Build it with `npm --prefix ui run build && npx --prefix ui tauri build --debug --no-bundle` ' +
              '(a plain `cargo build`/`cargo test --workspace` overwrites that path with a dev build), or run `make gui-test`, ' +
              'which tests a private copy of the binary.',
          );
          e.fatal = true;
          throw e;
        }
        return false;
      },
      { timeoutMs: 20_000 },
    );
  }

  /** The last lines the driver and the app printed (the app's stderr lands here too). */
  output(lines = 40) {
    return this.log.lines(lines);
  }

  /** Ends the session, kills the process group and anything left with our data dir, removes it. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.session) {
      await this.session.end().catch(() => {});
    }
    const pid = this.child.pid;
    if (pid !== undefined && !this.exited()) {
      killGroup(pid, 'SIGTERM');
      const done = await Promise.race([this.exit.then(() => true), sleep(3_000).then(() => false)]);
      if (!done) killGroup(pid, 'SIGKILL');
    }
    if (pid !== undefined) killGroup(pid, 'SIGKILL'); // anything of the group still around
    live.delete(pid);
    // Whatever escaped the group (a re-parented child) still carries our unique data dir.
    for (let i = 0; i < 20; i++) {
      const strays = pidsWithEnv(this.dataDir);
      if (strays.length === 0) break;
      for (const p of strays) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(100);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * For `node:test` files: launches the app in `before`, closes it in `after`.
 * Returns a getter for the running app.
 */
export function appPerFile({ before, after }, options) {
  let app = null;
  before(async () => {
    app = await launchApp(options);
  });
  after(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error(`${options.name}: the app did not start (see the before hook's error)`);
    return app;
  };
}

/**
 * Wraps `step` (e.g. opening the detail view, which several tests need) so that once it has
 * failed, later calls fail at once saying so, instead of each waiting out its own timeout.
 */
export function failFast(what, step) {
  let failure = null;
  return async () => {
    if (failure) throw new Error(`not checked: ${what} (${failure.message.split('\n')[0]})`);
    try {
      return await step();
    } catch (e) {
      failure = e;
      throw e;
    }
  };
}
