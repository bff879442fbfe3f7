// The app binary spawned directly (no WebDriver), in its own process group, timed to the line
// that says its window is interactive; every group still alive is killed when node exits.

import { spawn } from 'node:child_process';

import { now, sleep } from './clock.mjs';
import { descendants, killStrays, processName, readStat } from './processes.mjs';
import { BINARY, MARKER_NAME, MARKER_VALUE } from './settings.mjs';

const groups = new Set();
process.on('exit', () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * Spawns the app binary (or `binary`: the minimal app logs the same line) directly (its own
 * process group) on `dataDir` under the display, and resolves once it logs that its window is
 * interactive: { pid, appMs, wallMs, stop() }.
 */
export async function launchDirect(dataDir, { timeoutMs = 60_000, binary = BINARY } = {}) {
  const started = now();
  const child = spawn(binary, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PERSONA_INSPECTOR_DATA_DIR: dataDir,
      PERSONA_INSPECTOR_PORT: '0',
      NO_AT_BRIDGE: '1', // as in the GUI tests: no accessibility bus of GTK's own to start
      NO_COLOR: '1',
      [MARKER_NAME]: MARKER_VALUE,
    },
  });
  groups.add(child.pid);
  let output = '';
  let exited = null;
  const exit = new Promise((r) => child.once('exit', (code, signal) => r((exited = { code, signal }))));
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "window interactive" line within ${timeoutMs} ms; output:\n${output.slice(-3000)}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      // tracing writes to stdout; stderr is read too, in case that changes.
      const m = /window interactive (\d+) ms after launch/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveReady({ appMs: Number(m[1]), wallMs: now() - started });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('error', reject);
    exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${JSON.stringify(exited)}) before its window was interactive:\n${output.slice(-3000)}`));
    });
  });
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone
      }
      const done = await Promise.race([exit.then(() => true), sleep(3_000).then(() => false)]);
      if (!done) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
        await exit;
      }
    }
    try {
      process.kill(-child.pid, 'SIGKILL'); // anything of the group still there
    } catch {
      // none
    }
    groups.delete(child.pid);
    await killStrays();
  };
  try {
    const r = await ready;
    // When WebKit's web process started, after the app's own start (10 ms resolution): the app's
    // side of the launch (GTK, the engine, the webview) against WebKit's (the page, the UI).
    let webProcessMs = NaN;
    try {
      const appStart = readStat(child.pid).startTicks;
      const web = descendants(child.pid).find((pid) => processName(pid) === 'WebKitWebProcess');
      if (web !== undefined) webProcessMs = (readStat(web).startTicks - appStart) * 10;
    } catch {
      // gone
    }
    return { pid: child.pid, ...r, webProcessMs, stop, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}
