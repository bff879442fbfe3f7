// The data directories a run launches the app on: empty ones, and private copies of the 100k
// seed, all under one directory of this run that the entry point removes at the end.

import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../../ui/e2e/app.mjs';
import { now } from './clock.mjs';
import { log } from './report.mjs';
import { SEED } from './settings.mjs';

export const WORK = join(ROOT, 'target', 'bench-app', `run-${process.pid}`);

export function emptyDir(name) {
  mkdirSync(WORK, { recursive: true });
  return mkdtempSync(join(WORK, `${name}-`));
}

/** A private copy of the 100k seed (a launch may write to its data directory). */
export function seedCopy(name) {
  const dir = emptyDir(name);
  const t = now();
  cpSync(SEED, dir, { recursive: true });
  log(`  (copied the 100k seed to ${dir} in ${((now() - t) / 1000).toFixed(1)} s)`);
  return dir;
}
