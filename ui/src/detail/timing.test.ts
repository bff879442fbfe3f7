import { describe, expect, it } from 'vitest';
import { formatUnixSeconds, formatUtc, parseRfc3339 } from './timing.ts';

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
