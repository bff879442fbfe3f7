import { describe, expect, it } from 'vitest';
import { rows, summary } from './fixtures.ts';
import {
  INITIAL,
  bumpRepeats,
  indexOfId,
  mergeFresh,
  showsOtherFilter,
  reduce,
  rowAt,
  rowCount,
  type ListAction,
  type ListState,
} from './snapshot.ts';

function run(actions: ListAction[], from: ListState = INITIAL): ListState {
  return actions.reduce(reduce, from);
}

/** A loaded snapshot of ids 1000..1 (newest first) with page 0 cached. */
function loadedThousand(filter = {}): ListState {
  return run([
    { type: 'load', generation: 1, filter },
    { type: 'loaded', generation: 1, top: 1000, total: 1000, first: rows(1000, 801) },
  ]);
}

describe('mergeFresh', () => {
  it('keeps only rows newer than the snapshot, newest first, one per id', () => {
    const merged = mergeFresh([summary(12)], [summary(11), summary(14), summary(9), summary(12, { method: 'PUT' })], 10);
    expect(merged.map((r) => r.id)).toEqual([14, 12, 11]);
    expect(merged[1]?.method).toBe('PUT');
  });
});

describe('reduce', () => {
  it('shows the first page once loaded', () => {
    const s = loadedThousand();
    expect(s.loaded).toBe(true);
    expect(rowCount(s)).toBe(1000);
    expect(rowAt(s, 0)?.id).toBe(1000);
    expect(rowAt(s, 199)?.id).toBe(801);
    expect(rowAt(s, 200)).toBeUndefined();
  });

  it('places a fetched page at its offset', () => {
    const s = reduce(loadedThousand(), { type: 'page', generation: 1, page: 3, rows: rows(400, 201) });
    expect(rowAt(s, 600)?.id).toBe(400);
    expect(rowAt(s, 799)?.id).toBe(201);
  });

  it('drops answers meant for an older load', () => {
    const s = reduce(loadedThousand(), { type: 'load', generation: 2, filter: {} });
    expect(reduce(s, { type: 'loaded', generation: 1, top: 5, total: 5, first: rows(5, 1) })).toBe(s);
    const done = reduce(s, { type: 'loaded', generation: 2, top: 1000, total: 1000, first: rows(1000, 801) });
    expect(reduce(done, { type: 'page', generation: 1, page: 2, rows: rows(600, 401) })).toBe(done);
  });

  it('puts matching arrivals above the snapshot without shifting its pages', () => {
    const s = reduce(loadedThousand(), { type: 'arrived', rows: [summary(1002), summary(1001)] });
    expect(rowCount(s)).toBe(1002);
    expect(rowAt(s, 0)?.id).toBe(1002);
    expect(rowAt(s, 2)?.id).toBe(1000);
    const paged = reduce(s, { type: 'page', generation: 1, page: 1, rows: rows(800, 601) });
    expect(rowAt(paged, 202)?.id).toBe(800);
  });

  it('ignores arrivals the snapshot already holds', () => {
    const s = reduce(loadedThousand(), { type: 'arrived', rows: [summary(1000)] });
    expect(rowCount(s)).toBe(1000);
  });

  it('keeps arrivals that do not match the filter out', () => {
    const s = reduce(loadedThousand({ signature: 'invalid' }), {
      type: 'arrived',
      rows: [summary(1001), summary(1002, { signature: { ...summary(0).signature, status: 'invalid' } })],
    });
    expect(s.fresh.map((r) => r.id)).toEqual([1002]);
  });

  it('leaves arrivals to the store while a text search is active', () => {
    const s = reduce(loadedThousand({ search: 'inq' }), { type: 'arrived', rows: [summary(1001)] });
    expect(s.fresh).toEqual([]);
    const answered = reduce(s, { type: 'newer', generation: 1, rows: [summary(1001), summary(999)] });
    expect(answered.fresh.map((r) => r.id)).toEqual([1001]);
  });

  it('sorts out arrivals during a load once its top is known', () => {
    const s = run([
      { type: 'load', generation: 1, filter: { event_name: 'inquiry.completed' } },
      { type: 'arrived', rows: [summary(51), summary(52, { event_name: 'report.created' }), summary(53)] },
      { type: 'loaded', generation: 1, top: 51, total: 51, first: rows(51, 1) },
    ]);
    expect(s.fresh.map((r) => r.id)).toEqual([53]);
    expect(rowCount(s)).toBe(52);
  });

  it('ends the list at a short page (rows purged since the count)', () => {
    const s = reduce(
      reduce(loadedThousand(), { type: 'page', generation: 1, page: 4, rows: rows(200, 101) }),
      { type: 'page', generation: 1, page: 2, rows: rows(600, 451) },
    );
    expect(s.total).toBe(550);
    expect(s.pages.has(4)).toBe(false);
  });

  it('records a failed page until Retry', () => {
    const s = reduce(loadedThousand(), { type: 'page-failed', generation: 1, page: 2, message: 'disk I/O error' });
    expect(s.failed.has(2)).toBe(true);
    expect(s.pageError).toBe('disk I/O error');
    const retried = reduce(s, { type: 'retry-pages' });
    expect(retried.failed.size).toBe(0);
    expect(retried.pageError).toBeNull();
  });

  it('keeps the old rows on screen while reloading and after a failed reload', () => {
    const s = run(
      [
        { type: 'load', generation: 2, filter: {} },
        { type: 'load-failed', generation: 2, error: { kind: 'store', message: 'locked' } },
      ],
      loadedThousand(),
    );
    expect(s.error).toEqual({ kind: 'store', message: 'locked' });
    expect(rowAt(s, 0)?.id).toBe(1000);
    expect(s.loading).toBe(false);
  });

  it('knows when the rows on screen belong to the previous filter', () => {
    const loading = reduce(loadedThousand(), { type: 'load', generation: 2, filter: { signature: 'invalid' } });
    expect(showsOtherFilter(loading)).toBe(true);
    const reloading = reduce(loadedThousand(), { type: 'load', generation: 2, filter: {} });
    expect(showsOtherFilter(reloading)).toBe(false);
    const done = reduce(loading, { type: 'loaded', generation: 2, top: 990, total: 90, first: rows(990, 901) });
    expect(showsOtherFilter(done)).toBe(false);
  });

  it('reports a failed search refresh without marking a page failed', () => {
    const s = reduce(loadedThousand({ search: 'x' }), { type: 'read-failed', generation: 1, message: 'index busy' });
    expect(s.pageError).toBe('index busy');
    expect(s.failed.size).toBe(0);
  });

  it('evicts pages', () => {
    const s = reduce(loadedThousand(), { type: 'evict', pages: [0] });
    expect(rowAt(s, 0)).toBeUndefined();
  });
});

describe('bumpRepeats', () => {
  it('raises the repeat count of rows already shown for the same event', () => {
    const first = summary(5, { event_id: 'evt_same' });
    const other = summary(4);
    const state = { pages: new Map([[0, [first, other]]]), fresh: [] };
    const next = bumpRepeats(state, [summary(6, { event_id: 'evt_same', event_deliveries: 2 })]);
    expect(next.pages.get(0)?.[0]?.event_deliveries).toBe(2);
    expect(next.pages.get(0)?.[1]).toBe(other);
  });

  it('changes nothing for first deliveries', () => {
    const state = { pages: new Map([[0, [summary(5)]]]), fresh: [] };
    expect(bumpRepeats(state, [summary(6)])).toBe(state);
  });
});

describe('indexOfId', () => {
  it('finds rows among arrivals and cached pages', () => {
    const s = reduce(
      reduce(loadedThousand(), { type: 'arrived', rows: [summary(1001)] }),
      { type: 'page', generation: 1, page: 3, rows: rows(400, 201) },
    );
    expect(indexOfId(s, 1001)).toBe(0);
    expect(indexOfId(s, 1000)).toBe(1);
    expect(indexOfId(s, 300)).toBe(1 + 700);
    expect(indexOfId(s, 500)).toBeNull();
  });
});
