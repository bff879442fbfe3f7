import { describe, expect, it } from 'vitest';
import { scrollToReveal, visibleRange } from './virtualRange.ts';

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    expect(visibleRange(0, 100, 20, 1000, 5)).toEqual({ start: 0, end: 11 });
    expect(visibleRange(200, 100, 20, 1000, 5)).toEqual({ start: 5, end: 21 });
  });

  it('clamps at the end and with odd input', () => {
    expect(visibleRange(10_000, 100, 20, 10, 5)).toEqual({ start: 10, end: 10 });
    expect(visibleRange(-50, 100, 20, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 100, 20, 0, 5)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 100, 0, 10, 5)).toEqual({ start: 0, end: 0 });
  });

  it('stays O(viewport) for a million rows', () => {
    const r = visibleRange(20 * 500_000, 600, 20, 1_000_000, 10);
    expect(r.end - r.start).toBeLessThan(60);
  });
});

describe('scrollToReveal', () => {
  it('is null when the row is already in view', () => {
    expect(scrollToReveal(2, 20, 0, 100)).toBeNull();
  });

  it('centres a row that is out of view', () => {
    expect(scrollToReveal(100, 20, 0, 100)).toBe(2000 - 40);
    expect(scrollToReveal(0, 20, 500, 100)).toBe(0);
  });
});
