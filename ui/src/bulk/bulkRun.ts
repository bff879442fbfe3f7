// A bulk re-delivery as the window follows it: started by `startBulk`, then progress events until
// the last one (`progress.finished`), and what the dialog shows of it — the bar, the live counts,
// the last result and, at the end, the summary. Pure, so the ordering rules are tested.

import type { BulkProgress, BulkStarted, BulkStep } from '../bindings.ts';
import type { Tone } from '../format/text.ts';

export interface BulkRun {
  /** `starting`: `startBulk` has not answered yet; `failed`: it refused (see `error`). */
  phase: 'idle' | 'starting' | 'running' | 'failed';
  started: BulkStarted | null;
  /** The latest progress of this run. */
  step: BulkStep | null;
  /**
   * Progress heard before `startBulk` answered, latest per job: a short run can finish before
   * its job number reaches the window.
   */
  early: ReadonlyMap<number, BulkStep>;
  /** Cancel was asked for; the run stops after the request in flight. */
  stopping: boolean;
  error: string | null;
}

export const IDLE: BulkRun = { phase: 'idle', started: null, step: null, early: new Map(), stopping: false, error: null };

export type BulkAction =
  | { type: 'start' }
  | { type: 'started'; started: BulkStarted }
  | { type: 'start-failed'; message: string }
  | { type: 'step'; step: BulkStep }
  | { type: 'stopping' }
  | { type: 'stop-failed'; message: string }
  | { type: 'reset' };

/** The later of two steps of one run: a finished one is never replaced. */
function later(had: BulkStep | null | undefined, next: BulkStep): BulkStep {
  if (had == null) return next;
  if (had.progress.finished) return had;
  return next.progress.finished || next.progress.done >= had.progress.done ? next : had;
}

export function isFinished(run: BulkRun): boolean {
  return run.step?.progress.finished === true;
}

export function reduceBulk(run: BulkRun, a: BulkAction): BulkRun {
  switch (a.type) {
    case 'start':
      return { ...IDLE, phase: 'starting' };
    case 'started':
      if (run.phase !== 'starting') return run;
      return {
        ...run,
        phase: 'running',
        started: a.started,
        step: run.early.get(a.started.job) ?? null,
        early: new Map(),
      };
    case 'start-failed':
      if (run.phase !== 'starting') return run;
      return { ...run, phase: 'failed', error: a.message, early: new Map() };
    case 'step': {
      if (run.phase === 'starting') {
        const early = new Map(run.early);
        early.set(a.step.job, later(early.get(a.step.job), a.step));
        return { ...run, early };
      }
      if (run.phase !== 'running' || run.started?.job !== a.step.job) return run;
      const step = later(run.step, a.step);
      return step === run.step ? run : { ...run, step };
    }
    case 'stopping':
      return run.phase === 'running' && !isFinished(run) ? { ...run, stopping: true, error: null } : run;
    case 'stop-failed':
      return { ...run, stopping: false, error: a.message };
    case 'reset':
      return IDLE;
  }
}

export interface Count {
  key: 'delivered' | 'rejected' | 'unreachable' | 'skipped' | 'missing' | 'cancelled';
  label: string;
  n: number;
  tone: Tone;
}

/**
 * The counts worth showing: delivered always, the rest when not zero; what a cancel left unsent
 * once the run has ended.
 */
export function counts(p: BulkProgress): Count[] {
  const all: Count[] = [
    { key: 'delivered', label: 'delivered', n: p.delivered, tone: 'good' },
    { key: 'rejected', label: 'rejected', n: p.rejected, tone: 'bad' },
    { key: 'unreachable', label: 'unreachable', n: p.unreachable, tone: 'bad' },
    { key: 'skipped', label: 'not sent', n: p.skipped, tone: 'warn' },
    { key: 'missing', label: 'no longer stored', n: p.missing, tone: 'muted' },
    { key: 'cancelled', label: 'cancelled before sending', n: p.cancelled ? Math.max(0, p.total - p.done) : 0, tone: 'warn' },
  ];
  return all.filter((c) => c.key === 'delivered' || c.n > 0);
}

export interface BulkView {
  phase: 'starting' | 'running' | 'stopping' | 'done';
  done: number;
  total: number;
  /** 0–100, for the bar's width and its label. */
  percent: number;
  counts: Count[];
  /** The last result in words, with the delivery it was for. */
  last: { id: number | null; text: string } | null;
  /** At the end: one line saying how it went. */
  headline: string | null;
  /** At the end: the run's summary as the Rust side words it. */
  summary: string | null;
}

export function bulkView(run: BulkRun): BulkView | null {
  if (run.phase === 'idle' || run.phase === 'failed') return null;
  if (run.phase === 'starting') {
    return { phase: 'starting', done: 0, total: 0, percent: 0, counts: [], last: null, headline: null, summary: null };
  }
  const step = run.step;
  const total = step?.progress.total ?? run.started?.total ?? 0;
  const done = step?.progress.done ?? 0;
  const finished = step?.progress.finished === true;
  const progress: BulkProgress = step?.progress ?? {
    total,
    done: 0,
    delivered: 0,
    rejected: 0,
    unreachable: 0,
    skipped: 0,
    missing: run.started?.missing ?? 0,
    cancelled: false,
    finished: false,
  };
  return {
    phase: finished ? 'done' : run.stopping ? 'stopping' : 'running',
    done,
    total,
    percent: total === 0 ? 100 : Math.round((done / total) * 100),
    counts: counts(progress),
    last: step?.last != null ? { id: step.last_id, text: step.last } : null,
    headline: finished ? headline(progress) : null,
    summary: finished && step !== null ? step.summary : null,
  };
}

function headline(p: BulkProgress): string {
  const sent = p.delivered + p.rejected + p.unreachable;
  if (p.cancelled) return `Cancelled: ${sent} of ${p.total} sent`;
  if (p.delivered === p.total && p.missing === 0) return p.total === 1 ? 'Delivered' : `All ${p.total} delivered`;
  return `${p.delivered} of ${p.total} delivered`;
}
