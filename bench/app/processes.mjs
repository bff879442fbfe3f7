// The processes of a run, read from /proc: their tree, names, CPU and memory; this run's strays
// (found by the environment marker) and waiting for them to go quiet.

import { readFileSync, readdirSync } from 'node:fs';

import { now, sleep } from './clock.mjs';
import { MARKER } from './settings.mjs';

export function readStat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // Fields from 3 on (state is field 3): ppid 4, pgrp 5, utime 14, stime 15.
  // starttime (field 22): clock ticks after boot, 10 ms apart.
  return { ppid: Number(rest[1]), pgrp: Number(rest[2]), cpuTicks: Number(rest[11]) + Number(rest[12]), startTicks: Number(rest[19]) };
}

function allPids() {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

/** `root` and every process below it. */
export function descendants(root) {
  const children = new Map();
  for (const pid of allPids()) {
    try {
      const { ppid } = readStat(pid);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch {
      // gone
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function processName(pid) {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0.split('/').pop() || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Rss and Pss (KiB) from smaps_rollup. */
export function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('Rss'), pss: field('Pss') };
}

/** Processes (not us) whose environment carries this run's marker. */
export function strays() {
  const needle = `${MARKER}\0`;
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle);
    } catch {
      return false;
    }
  });
}

export async function killStrays() {
  for (let i = 0; i < 30; i++) {
    const left = strays();
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(100);
  }
  throw new Error(`processes of this run would not die: ${strays().join(', ')}`);
}

/** CPU ticks (1/100 s) used so far by `pids` together; vanished ones count 0. */
export function ticksOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += readStat(pid).cpuTicks;
    } catch {
      // gone
    }
  }
  return sum;
}

/**
 * Waits until the processes `pids()` use under `thresholdPct` of a core over a second (WebKit
 * keeps painting tiles in the background after a launch), at most `maxMs`. Resolves with how
 * long it waited and whether they went quiet.
 */
export async function waitQuiet(pids, { thresholdPct = 5, maxMs = 30_000 } = {}) {
  const started = now();
  while (now() - started < maxMs) {
    const set = pids();
    const before = ticksOf(set);
    const t = now();
    await sleep(1_000);
    // A tick is 10 ms of CPU: percent of one core = ticks × 10 ms / elapsed ms × 100.
    const pctUsed = ((ticksOf(set) - before) * 1_000) / (now() - t);
    if (pctUsed < thresholdPct) return { waitedMs: now() - started, quiet: true };
  }
  return { waitedMs: now() - started, quiet: false };
}

/**
 * CPU ticks used so far by every thread of `pids`, summed per "process: thread name" (numbered
 * pools such as llvmpipe-0, llvmpipe-1 counted as one): where a phase's CPU went.
 */
export function threadTicks(pids) {
  const sums = new Map();
  for (const pid of pids) {
    const proc = processName(pid);
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tids) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/[-:#]?\d+$/, '');
        const key = `${proc}: ${comm}`;
        sums.set(key, (sums.get(key) ?? 0) + readStat(`${pid}/task/${tid}`).cpuTicks);
      } catch {
        // gone
      }
    }
  }
  return sums;
}

/** The threads that used CPU between two `threadTicks`, busiest first: "name N% …" of one core over `ms`. */
export function threadUse(before, after, ms, top = 8) {
  return [...after]
    .map(([key, ticks]) => [key, ticks - (before.get(key) ?? 0)])
    .filter(([, used]) => used > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, used]) => `${key} ${((used * 1_000) / ms).toFixed(0)}%`)
    .join(', ');
}
