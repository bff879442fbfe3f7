import { describe, expect, it } from 'vitest';
import type { BulkProgress, BulkStep } from '../bindings.ts';
import { bulkView, counts, IDLE, reduceBulk, type BulkAction, type BulkRun } from './bulkRun.ts';

const progress = (over: Partial<BulkProgress> = {}): BulkProgress => ({
  total: 5,
  done: 0,
  delivered: 0,
  rejected: 0,
  unreachable: 0,
  skipped: 0,
  missing: 0,
  cancelled: false,
  finished: false,
  ...over,
});

const step = (job: number, over: Partial<BulkProgress> = {}, last: string | null = null): BulkStep => ({
  job,
  progress: progress(over),
  summary: 'summary',
  last_id: last === null ? null : 7,
  last,
});

const run = (...actions: BulkAction[]): BulkRun => actions.reduce(reduceBulk, IDLE);

describe('reduceBulk', () => {
  it('follows the run it started and ignores other jobs', () => {
    const r = run(
      { type: 'start' },
      { type: 'started', started: { job: 2, total: 5, missing: 0 } },
      { type: 'step', step: step(1, { done: 4 }) },
      { type: 'step', step: step(2, { done: 1, delivered: 1 }) },
    );
    expect(r.phase).toBe('running');
    expect(r.step?.progress.done).toBe(1);
  });

  it('keeps progress heard before startBulk answered (a short run may already be over)', () => {
    const r = run(
      { type: 'start' },
      { type: 'step', step: step(3, { done: 1 }) },
      { type: 'step', step: step(3, { done: 2, finished: true }) },
      { type: 'step', step: step(4, { done: 1 }) },
      { type: 'started', started: { job: 3, total: 2, missing: 0 } },
    );
    expect(r.step?.progress).toMatchObject({ done: 2, finished: true });
    expect(r.early.size).toBe(0);
  });

  it('never replaces the final step, nor a step with a later one that has done less', () => {
    const started: BulkAction = { type: 'started', started: { job: 1, total: 5, missing: 0 } };
    const r = run(
      { type: 'start' },
      started,
      { type: 'step', step: step(1, { done: 3 }) },
      { type: 'step', step: step(1, { done: 2 }) },
    );
    expect(r.step?.progress.done).toBe(3);
    const ended = run(
      { type: 'start' },
      started,
      { type: 'step', step: step(1, { done: 5, finished: true }) },
      { type: 'step', step: step(1, { done: 5 }) },
    );
    expect(ended.step?.progress.finished).toBe(true);
  });

  it('marks a cancel as stopping until the final step, and not after the end', () => {
    const running = run({ type: 'start' }, { type: 'started', started: { job: 1, total: 5, missing: 0 } });
    const stopping = reduceBulk(running, { type: 'stopping' });
    expect(stopping.stopping).toBe(true);
    expect(bulkView(stopping)?.phase).toBe('stopping');
    const over = reduceBulk(stopping, { type: 'step', step: step(1, { done: 1, delivered: 1, cancelled: true, finished: true }) });
    expect(bulkView(over)?.phase).toBe('done');
    const ended = run(
      { type: 'start' },
      { type: 'started', started: { job: 1, total: 1, missing: 0 } },
      { type: 'step', step: step(1, { total: 1, done: 1, finished: true }) },
    );
    expect(reduceBulk(ended, { type: 'stopping' })).toBe(ended);
  });

  it('keeps a refusal’s sentence, and a late answer after a refusal changes nothing', () => {
    const failed = run({ type: 'start' }, { type: 'start-failed', message: 'no delivery matches the filter: nothing to send' });
    expect(failed).toMatchObject({ phase: 'failed', error: 'no delivery matches the filter: nothing to send' });
    expect(bulkView(failed)).toBeNull();
    expect(reduceBulk(failed, { type: 'started', started: { job: 1, total: 1, missing: 0 } })).toBe(failed);
  });
});

describe('counts', () => {
  it('shows delivered always, the rest only when they happened', () => {
    expect(counts(progress({ done: 2, delivered: 2 })).map((c) => `${c.n} ${c.label}`)).toEqual(['2 delivered']);
    expect(
      counts(progress({ total: 10, done: 6, delivered: 3, rejected: 1, unreachable: 1, skipped: 1, missing: 2, cancelled: true, finished: true })).map(
        (c) => `${c.n} ${c.label}`,
      ),
    ).toEqual(['3 delivered', '1 rejected', '1 unreachable', '1 not sent', '2 no longer stored', '4 cancelled before sending']);
  });
});

describe('bulkView', () => {
  it('shows the bar, the counts and the last result while running', () => {
    const v = bulkView(
      run(
        { type: 'start' },
        { type: 'started', started: { job: 1, total: 4, missing: 0 } },
        { type: 'step', step: step(1, { total: 4, done: 1, rejected: 1 }, '→ 500 Internal Server Error in 3 ms') },
      ),
    );
    expect(v).toMatchObject({ phase: 'running', done: 1, total: 4, percent: 25, headline: null, summary: null });
    expect(v?.last).toEqual({ id: 7, text: '→ 500 Internal Server Error in 3 ms' });
    expect(v?.counts.map((c) => c.key)).toEqual(['delivered', 'rejected']);
  });

  it('before the first step, counts from what startBulk said', () => {
    const v = bulkView(run({ type: 'start' }, { type: 'started', started: { job: 1, total: 3, missing: 2 } }));
    expect(v).toMatchObject({ phase: 'running', done: 0, total: 3, percent: 0 });
    expect(v?.counts.map((c) => `${c.n} ${c.label}`)).toEqual(['0 delivered', '2 no longer stored']);
  });

  it('ends with a headline and the summary', () => {
    const done = (over: Partial<BulkProgress>) =>
      bulkView(
        run(
          { type: 'start' },
          { type: 'started', started: { job: 1, total: over.total ?? 3, missing: 0 } },
          { type: 'step', step: { ...step(1, { finished: true, ...over }), summary: '3 sent: 3 delivered' } },
        ),
      );
    expect(done({ total: 3, done: 3, delivered: 3 })).toMatchObject({ phase: 'done', headline: 'All 3 delivered', summary: '3 sent: 3 delivered', percent: 100 });
    expect(done({ total: 1, done: 1, delivered: 1 })?.headline).toBe('Delivered');
    expect(done({ total: 3, done: 3, delivered: 2, rejected: 1 })?.headline).toBe('2 of 3 delivered');
    expect(done({ total: 5, done: 1, delivered: 1, cancelled: true })?.headline).toBe('Cancelled: 1 of 5 sent');
  });
});
