// Statistics, formatting, the log and the final summary's rows, and how busy the machine was
// around each phase.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Nearest-rank percentile of `values` (0 < p ≤ 1). */
export function pct(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
export const median = (v) => pct(v, 0.5);
export const max = (v) => (v.length === 0 ? NaN : Math.max(...v));
export const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 1 : 0)} ms` : 'n/a');
export const mb = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The machine's CPU counters (all processes): to say how busy it was around a phase. */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { idle: f[3] + f[4], total: f.slice(0, 8).reduce((a, b) => a + b, 0), steal: f[7] };
}
export const busy = {};
/** Runs `phase`, noting how busy the whole machine was (every process, ours too) meanwhile. */
export async function timedPhase(name, phase) {
  const before = cpuTimes();
  try {
    return await phase();
  } finally {
    const after = cpuTimes();
    const total = after.total - before.total;
    busy[name] = total > 0 ? (100 * (total - (after.idle - before.idle))) / total : NaN;
    log(`  (machine CPU busy ${busy[name].toFixed(0)}% during this phase, all processes; steal ${total > 0 ? ((100 * (after.steal - before.steal)) / total).toFixed(1) : '?'}%)`);
  }
}

export function log(...args) {
  console.log(...args);
}

/** Rows for the final summary: [name, measured, target, verdict]. */
export const summary = [];
export function figure(name, measured, target = '', verdict = '') {
  summary.push([name, measured, target, verdict]);
}
export const verdict = (ok) => (ok ? 'met' : 'NOT met');
