import { describe, expect, it } from 'vitest';
import type { ForwardMark } from '../bindings.ts';
import { forwardMarkView, nextRetryText, notSentView, rememberForwards, retryDue, shownForward, type LiveForward } from './forwardMark.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('retryDue', () => {
  it('names the retry without a total (how many follow depends on the capture)', () => {
    expect(retryDue(3, NOW + 4_000, NOW)).toBe('retry 3 in 4 s');
    expect(retryDue(3, NOW - 10, NOW)).toBe('retry 3 now');
  });
});

const mark = (over: Partial<ForwardMark> = {}): ForwardMark => ({
  redelivery_id: 1,
  status: 200,
  failure: null,
  delivered: true,
  retry: 0,
  next_retry_at_ms: null,
  duration_ms: 12,
  ...over,
});

describe('nextRetryText', () => {
  it('says when the next retry is due, or nothing when none follows', () => {
    expect(nextRetryText({ retry: 2, next_retry_at_ms: NOW + 4_000 }, NOW)).toMatch(/^retry 3 due at \d\d:\d\d:\d\d \(in 4 s\)$/);
    expect(nextRetryText({ retry: 0, next_retry_at_ms: NOW - 1 }, NOW)).toMatch(/^retry 1 due at .* \(due now\)$/);
    expect(nextRetryText({ retry: 0, next_retry_at_ms: null }, NOW)).toBeNull();
  });
});

describe('forwardMarkView', () => {
  it('is a good "→ 200" when Persona would count it as delivered', () => {
    const v = forwardMarkView(mark(), NOW);
    expect(v).toMatchObject({ text: '→ 200', tone: 'good', outcome: 'delivered', pending: false });
    expect(v.title).toBe('Forwarded: 200 in 12 ms — Persona would count this as delivered.');
  });

  it('says which retry finally delivered it', () => {
    const v = forwardMarkView(mark({ status: 204, retry: 2 }), NOW);
    expect(v.text).toBe('→ 204 · retry 2');
    expect(v.title).toMatch(/This was retry 2\./);
  });

  it('warns with a countdown while a retry is scheduled', () => {
    const v = forwardMarkView(
      mark({ status: 500, delivered: false, retry: 1, next_retry_at_ms: NOW + 3_500, duration_ms: 3 }),
      NOW,
    );
    expect(v).toMatchObject({ text: '→ 500 · retry 2 in 4 s', tone: 'warn', outcome: 'rejected', pending: true });
    expect(v.title).toMatch(/^Forwarded: 500 in 3\.0 ms — Persona would count this as a failure and retry\./);
    expect(v.title).toMatch(/Retry 2 is due at \d\d:\d\d:\d\d\./);
  });

  it('is bad when no retry follows, and says why', () => {
    const off = forwardMarkView(mark({ status: 500, delivered: false }), NOW);
    expect(off).toMatchObject({ text: '→ 500', tone: 'bad', pending: false });
    expect(off.title).toMatch(/No retry follows/);
    const spent = forwardMarkView(mark({ status: 503, delivered: false, retry: 7 }), NOW);
    expect(spent.text).toBe('→ 503 · retry 7');
    expect(spent.title).toMatch(/Attempts-Left is used up/);
  });

  it('calls a success status that came after 5 s slow', () => {
    const v = forwardMarkView(mark({ status: 200, delivered: false, duration_ms: 6_200 }), NOW);
    expect(v).toMatchObject({ text: '→ 200 slow', tone: 'bad', outcome: 'slow' });
    expect(v.title).toMatch(/after 6\.2 s — too slow/);
  });

  it('names why nothing answered', () => {
    const v = forwardMarkView(mark({ status: null, failure: 'not_listening', delivered: false, duration_ms: 0.4 }), NOW);
    expect(v).toMatchObject({ text: '✗ not listening', tone: 'bad', outcome: 'unreachable' });
    expect(v.title).toMatch(/nothing is listening at the target/);
    const retrying = forwardMarkView(
      mark({ status: null, failure: 'timeout', delivered: false, next_retry_at_ms: NOW + 90_000 }),
      NOW,
    );
    expect(retrying.text).toBe('✗ timed out · retry 1 in 2 min');
    expect(retrying.tone).toBe('warn');
  });

  it('shows a send that never happened as not sent, with the reason in the title', () => {
    expect(notSentView('delivery 4 is over the size limit')).toMatchObject({
      text: '✗ not sent',
      tone: 'bad',
      title: 'Not forwarded: delivery 4 is over the size limit',
    });
  });
});

describe('shownForward', () => {
  const stored = mark({ redelivery_id: 5, status: 500, delivered: false, next_retry_at_ms: NOW });
  it('takes the live result when it is a later attempt', () => {
    const live: LiveForward = { mark: mark({ redelivery_id: 6 }), error: null };
    expect(shownForward(stored, live)).toBe(live);
    expect(shownForward(null, live)).toBe(live);
    expect(shownForward(undefined, live)).toBe(live);
  });

  it('keeps the stored mark when it is as new or newer (re-read after a retry was called off)', () => {
    const calledOff = { ...stored, next_retry_at_ms: null };
    expect(shownForward(calledOff, { mark: stored, error: null })).toEqual({ mark: calledOff, error: null });
    expect(shownForward(mark({ redelivery_id: 9 }), { mark: stored, error: null })?.mark?.redelivery_id).toBe(9);
  });

  it('shows a live "not sent" over any stored mark, and nothing when never forwarded', () => {
    expect(shownForward(stored, { mark: null, error: 'gone' })).toEqual({ mark: null, error: 'gone' });
    expect(shownForward(undefined, undefined)).toBeNull();
    expect(shownForward(stored, undefined)).toEqual({ mark: stored, error: null });
  });
});

describe('rememberForwards', () => {
  it('keeps the latest result per delivery', () => {
    const first = rememberForwards(new Map(), [
      { delivery_id: 1, mark: mark({ redelivery_id: 10, status: 500, delivered: false }), error: null },
      { delivery_id: 2, mark: null, error: 'purged' },
    ]);
    expect(first.get(1)?.mark?.status).toBe(500);
    expect(first.get(2)).toEqual({ mark: null, error: 'purged' });
    const next = rememberForwards(first, [
      { delivery_id: 1, mark: mark({ redelivery_id: 11 }), error: null },
      { delivery_id: 2, mark: mark({ redelivery_id: 12 }), error: null },
    ]);
    expect(next.get(1)?.mark?.redelivery_id).toBe(11);
    expect(next.get(2)?.mark?.redelivery_id).toBe(12);
    expect(first.get(1)?.mark?.redelivery_id).toBe(10); // not mutated
  });

  it('ignores an older attempt arriving late and a result with neither mark nor error', () => {
    const live = rememberForwards(new Map(), [{ delivery_id: 1, mark: mark({ redelivery_id: 11 }), error: null }]);
    const late = rememberForwards(live, [
      { delivery_id: 1, mark: mark({ redelivery_id: 10, status: 500 }), error: null },
      { delivery_id: 3, mark: null, error: null },
    ]);
    expect(late.get(1)?.mark?.redelivery_id).toBe(11);
    expect(late.has(3)).toBe(false);
  });

  it('drops the oldest entries beyond the cap, refreshed ones counting as new', () => {
    let live = rememberForwards(new Map(), [1, 2, 3].map((id) => ({ delivery_id: id, mark: mark({ redelivery_id: id }), error: null })), 3);
    live = rememberForwards(live, [{ delivery_id: 1, mark: mark({ redelivery_id: 20 }), error: null }], 3);
    live = rememberForwards(live, [{ delivery_id: 4, mark: mark({ redelivery_id: 21 }), error: null }], 3);
    expect([...live.keys()]).toEqual([3, 1, 4]);
  });
});
