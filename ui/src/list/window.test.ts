import { describe, expect, it } from 'vitest';
import { nextRendered, revealScrollTop, rowsPerPage, visibleRange } from './window.ts';

const base = { scrollTop: 0, height: 300, rowHeight: 30, overscan: 5, count: 100_000 };

describe('visibleRange', () => {
  it('renders the rows on screen plus overscan below at the top', () => {
    expect(visibleRange(base)).toEqual({ start: 0, end: 15 });
  });

  it('adds overscan on both sides mid-list', () => {
    expect(visibleRange({ ...base, scrollTop: 30 * 50_000 })).toEqual({ start: 49_995, end: 50_015 });
  });

  it('includes a partly visible row at either edge', () => {
    expect(visibleRange({ ...base, scrollTop: 45, overscan: 0 })).toEqual({ start: 1, end: 12 });
  });

  it('clamps at the end of the list', () => {
    const end = 100_000 * 30 - 300;
    expect(visibleRange({ ...base, scrollTop: end })).toEqual({ start: 99_985, end: 100_000 });
  });

  it('treats a scrollTop past the end (the list just shrank) as the end', () => {
    expect(visibleRange({ ...base, count: 20, scrollTop: 30 * 5000 })).toEqual({ start: 5, end: 20 });
  });

  it('renders everything when the list is shorter than the viewport', () => {
    expect(visibleRange({ ...base, count: 3, scrollTop: 500 })).toEqual({ start: 0, end: 3 });
  });

  it('renders nothing for an empty list or nonsense input', () => {
    expect(visibleRange({ ...base, count: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, rowHeight: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, scrollTop: -100 })).toEqual({ start: 0, end: 15 });
    expect(visibleRange({ ...base, scrollTop: Number.NaN })).toEqual({ start: 0, end: 15 });
  });
});

describe('revealScrollTop', () => {
  it('leaves a visible row where it is', () => {
    expect(revealScrollTop(5, 30, 0, 300)).toBe(0);
    expect(revealScrollTop(9, 30, 0, 300)).toBe(0);
  });

  it('scrolls up to a row above the view, aligned to the top', () => {
    expect(revealScrollTop(3, 30, 300, 300)).toBe(90);
  });

  it('scrolls down to a row below the view, aligned to the bottom', () => {
    expect(revealScrollTop(10, 30, 0, 300)).toBe(30);
    expect(revealScrollTop(1000, 30, 0, 300)).toBe(30_030 - 300);
  });

  it('reveals a row cut off at the bottom edge', () => {
    expect(revealScrollTop(10, 30, 15, 300)).toBe(30);
  });
});

describe('rowsPerPage', () => {
  it('keeps one row of context', () => {
    expect(rowsPerPage(300, 30)).toBe(9);
    expect(rowsPerPage(10, 30)).toBe(1);
  });
});

describe('nextRendered', () => {
  const v = { scrollTop: 0, height: 300, rowHeight: 30, overscan: 10, count: 1000 };

  it('keeps the rendered rows while the visible ones stay clear of the edges', () => {
    const current = visibleRange({ ...v, scrollTop: 3000 }); // rows 90..120
    expect(current).toEqual({ start: 90, end: 120 });
    expect(nextRendered(current, { ...v, scrollTop: 3000 + 4 * 30 })).toBe(current);
    expect(nextRendered(current, { ...v, scrollTop: 3000 - 4 * 30 })).toBe(current);
  });

  it('moves them when the visible rows come near an edge', () => {
    const current = { start: 90, end: 120 };
    expect(nextRendered(current, { ...v, scrollTop: 3000 + 6 * 30 })).toEqual({ start: 96, end: 126 });
    expect(nextRendered(current, { ...v, scrollTop: 3000 - 6 * 30 })).toEqual({ start: 84, end: 114 });
  });

  it('jumps after a long scroll', () => {
    expect(nextRendered({ start: 0, end: 20 }, { ...v, scrollTop: 30 * 500 })).toEqual({ start: 490, end: 520 });
  });

  it('stays put at the top and the bottom of the list', () => {
    const top = { start: 0, end: 20 };
    expect(nextRendered(top, { ...v, scrollTop: 15 })).toBe(top);
    const bottom = visibleRange({ ...v, scrollTop: 30 * 1000 });
    expect(nextRendered(bottom, { ...v, scrollTop: 30 * 1000 - 300 - 2 * 30 })).toBe(bottom);
  });

  it('shrinks with the list', () => {
    expect(nextRendered({ start: 0, end: 20 }, { ...v, count: 5 })).toEqual({ start: 0, end: 5 });
  });

  it('grows to fill a taller viewport', () => {
    expect(nextRendered({ start: 0, end: 20 }, { ...v, height: 900 })).toEqual({ start: 0, end: 40 });
  });
});
