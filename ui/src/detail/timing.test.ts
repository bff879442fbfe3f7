import { describe, expect, it } from 'vitest';
import {
  eventDelay,
  formatDuration,
  formatUnixSeconds,
  formatUtc,
  parseRfc3339,
  retryTiming,
  scheduledOffset,
} from './timing.ts';

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

describe('eventDelay', () => {
  const created = '2024-03-15T18:35:01.100Z';
  const at = Date.UTC(2024, 2, 15, 18, 35, 1, 100);

  it('says how long after creation the delivery arrived', () => {
    expect(eventDelay(created, at + 1400)).toEqual({
      text: 'received 1.4 s after the event was created',
      warn: false,
      ms: 1400,
    });
    expect(eventDelay(created, at + 2 * 86_400_000).warn).toBe(false);
  });

  it('flags delays longer than the whole retry schedule', () => {
    const d = eventDelay(created, at + 400 * 86_400_000);
    expect(d.warn).toBe(true);
    expect(d.text).toMatch(/retry schedule/);
  });

  it('calls a small negative delay clock skew and a large one a wrong clock', () => {
    const small = eventDelay(created, at - 300);
    expect(small.warn).toBe(true);
    expect(small.text).toMatch(/^received 300 ms before .*clocks differ slightly/);
    const large = eventDelay(created, at - 3 * 3_600_000);
    expect(large.text).toMatch(/^received 3 h before the event was created: .*wrong/);
  });

  it('explains absent, unreadable and nonsense times', () => {
    expect(eventDelay(null, at).text).toMatch(/no created-at/);
    expect(eventDelay('', at).text).toMatch(/no created-at/);
    expect(eventDelay('soon', at).text).toMatch(/"soon" is not an RFC 3339 time/);
    expect(eventDelay(created, Number.NaN).text).toMatch(/arrival time is unknown/);
    expect(eventDelay(created, 0).ms).toBeNull();
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

describe('retry schedule', () => {
  it('sums the delays before an attempt', () => {
    expect(scheduledOffset(1)).toBe(0);
    expect(scheduledOffset(2)).toBe(3);
    expect(scheduledOffset(3)).toBe(67);
    expect(scheduledOffset(8)).toBe(184_822);
    expect(scheduledOffset(9)).toBeNull();
    expect(scheduledOffset(0)).toBeNull();
  });

  it('relates an attempt to the schedule and to the first attempt', () => {
    const first = 1_710_527_701;
    const text = retryTiming({ made: 3, left: 5, first_attempted_at: first }, (first + 70) * 1000);
    expect(text).toBe(
      "Persona's schedule puts attempt 3 about 1 min 7 s after the first; this one arrived 1 min 10 s after the first attempt.",
    );
    expect(retryTiming({ made: null, left: null, first_attempted_at: null }, 0)).toBeNull();
    expect(retryTiming({ made: 1, left: 7, first_attempted_at: null }, 0)).toBeNull();
    expect(
      retryTiming({ made: 1, left: 7, first_attempted_at: first }, (first - 2) * 1000),
    ).toMatch(/clock skew/);
  });
});
