import { describe, expect, it } from 'vitest';
import { countdown, formatDuration, humanDuration } from './duration.ts';

describe('formatDuration', () => {
  it('picks a unit by size', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(1400)).toBe('1.4 s');
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(192_000)).toBe('3 min 12 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(274_000_000)).toBe('3 d 4 h');
    expect(formatDuration(3 * 365.25 * 86_400_000)).toBe('3.0 years');
  });

  it('ignores the sign and survives non-numbers', () => {
    expect(formatDuration(-1400)).toBe('1.4 s');
    expect(formatDuration(Number.NaN)).toBe('an unknown time');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('an unknown time');
  });
});

describe('humanDuration', () => {
  it('matches the CLI', () => {
    expect(humanDuration(0.84)).toBe('0.8 ms');
    expect(humanDuration(12.4)).toBe('12 ms');
    expect(humanDuration(999.4)).toBe('999 ms');
    expect(humanDuration(6200)).toBe('6.2 s');
    expect(humanDuration(5000)).toBe('5 s');
    expect(humanDuration(null)).toBe('—');
  });
});

describe('countdown', () => {
  it('rounds up to whole seconds, then minutes, then tenths of hours', () => {
    expect(countdown(0)).toBe('now');
    expect(countdown(-5)).toBe('now');
    expect(countdown(1)).toBe('1 s');
    expect(countdown(3_200)).toBe('4 s');
    expect(countdown(59_000)).toBe('59 s');
    expect(countdown(60_000)).toBe('1 min');
    expect(countdown(729_000)).toBe('13 min');
    expect(countdown(3_600_000)).toBe('1 h');
    expect(countdown(4_096_000)).toBe('1.1 h');
  });
});
