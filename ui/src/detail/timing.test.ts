import { describe, expect, it } from 'vitest';
import { formatDuration, formatUnixSeconds, formatUtc, parseRfc3339 } from './timing.ts';

describe('parseRfc3339', () => {
  it('reads Persona times with milliseconds', () => {
    expect(parseRfc3339('2019-09-09T22:46:27.598Z')).toBe(Date.UTC(2019, 8, 9, 22, 46, 27, 598));
  });

  it('reads offsets, lower-case z, and fractions of any length', () => {
    expect(parseRfc3339('2024-03-15T20:35:01+02:00')).toBe(Date.UTC(2024, 2, 15, 18, 35, 1));
    expect(parseRfc3339('2024-03-15T18:35:01.123456z')).toBe(Date.UTC(2024, 2, 15, 18, 35, 1, 123));
    expect(parseRfc3339('2024-03-15T18:35:01-05:30')).toBe(Date.UTC(2024, 2, 16, 0, 5, 1));
  });

  it('refuses what is not RFC 3339', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-03-15',
      '2024-03-15T18:35:01',
      '2024-13-01T00:00:00Z',
      '2024-02-31T00:00:00Z',
      '2024-03-15T25:00:00Z',
      '1710527701',
    ]) {
      expect(parseRfc3339(bad), bad).toBeNull();
    }
  });
});

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

describe('formatUtc', () => {
  it('formats milliseconds and seconds in UTC', () => {
    expect(formatUtc(Date.UTC(2024, 2, 15, 18, 35, 1, 100))).toBe('2024-03-15 18:35:01.100 UTC');
    expect(formatUnixSeconds(1_720_713_905)).toBe('2024-07-11 16:05:05.000 UTC');
  });

  it('is null for unusable times', () => {
    expect(formatUtc(null)).toBeNull();
    expect(formatUtc(Number.NaN)).toBeNull();
    expect(formatUtc(1e20)).toBeNull();
    expect(formatUnixSeconds(null)).toBeNull();
  });
});
