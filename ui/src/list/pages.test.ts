import { describe, expect, it } from 'vitest';
import { pageQuery, pagesInRange, pagesToEvict, pagesToFetch } from './pages.ts';

describe('pagesInRange', () => {
  it('maps list rows to snapshot pages', () => {
    expect(pagesInRange({ start: 0, end: 30 }, 0, 10_000, 200)).toEqual([0]);
    expect(pagesInRange({ start: 190, end: 215 }, 0, 10_000, 200)).toEqual([0, 1]);
    expect(pagesInRange({ start: 50_000, end: 50_030 }, 0, 100_000, 200)).toEqual([250]);
  });

  it('skips the live rows held above the snapshot', () => {
    expect(pagesInRange({ start: 0, end: 10 }, 10, 1000, 200)).toEqual([]);
    expect(pagesInRange({ start: 0, end: 30 }, 10, 1000, 200)).toEqual([0]);
    expect(pagesInRange({ start: 205, end: 215 }, 10, 1000, 200)).toEqual([0, 1]);
  });

  it('stops at the end of the snapshot', () => {
    expect(pagesInRange({ start: 380, end: 420 }, 0, 401, 200)).toEqual([1, 2]);
    expect(pagesInRange({ start: 380, end: 420 }, 0, 400, 200)).toEqual([1]);
    expect(pagesInRange({ start: 0, end: 20 }, 0, 0, 200)).toEqual([]);
  });
});

describe('pagesToFetch', () => {
  it('fetches only what is neither cached, in flight nor failed', () => {
    const cached = new Set([1]);
    const inflight = new Set([2]);
    const failed = new Set([3]);
    expect(pagesToFetch([0, 1, 2, 3, 4], cached, inflight, failed)).toEqual([0, 4]);
    expect(pagesToFetch([1, 2], cached, inflight, failed)).toEqual([]);
  });
});

describe('pagesToEvict', () => {
  it('keeps everything under the limit', () => {
    expect(pagesToEvict([0, 1, 2], [1], 3)).toEqual([]);
  });

  it('drops the pages farthest from view first, never a needed one', () => {
    expect(pagesToEvict([0, 1, 2, 50, 51, 120], [50, 51], 4)).toEqual([120, 0]);
    expect(pagesToEvict([0, 1, 2, 3], [0, 1, 2, 3], 2)).toEqual([]);
  });
});

describe('pageQuery', () => {
  it('pins the page below the snapshot top so arrivals do not shift offsets', () => {
    expect(pageQuery({ event_name: 'inquiry.completed' }, 5000, 3, 200)).toEqual({
      event_name: 'inquiry.completed',
      before_id: 5001,
      offset: 600,
      limit: 200,
    });
  });
});
