import { describe, expect, it } from 'vitest';
import {
  attemptText,
  badge,
  grouped,
  listenerUrl,
  localDateTime,
  plural,
  repeatTitle,
  requestTarget,
  shortSize,
  timeOfDay,
} from './text.ts';
import { verdict } from '../list/fixtures.ts';


describe('attemptText', () => {
  it("gives Persona's two counts as sent, never a guessed 'attempt n of 8'", () => {
    expect(attemptText({ made: 2, left: 6, first_attempted_at: null })).toBe('2 made, 6 left');
    expect(attemptText({ made: 8, left: 0, first_attempted_at: null })).toBe('8 made, 0 left');
    expect(attemptText({ made: 0, left: 8, first_attempted_at: null })).toBe('0 made, 8 left');
  });

  it('gives whichever count was sent alone', () => {
    expect(attemptText({ made: 3, left: null, first_attempted_at: null })).toBe('3 made');
    expect(attemptText({ made: null, left: 5, first_attempted_at: null })).toBe('5 left');
  });

  it('is null without either header', () => {
    expect(attemptText({ made: null, left: null, first_attempted_at: 1_700_000_000 })).toBeNull();
  });
});

describe('badge', () => {
  it('names each status with its tone', () => {
    expect(badge(verdict())).toEqual({ label: 'valid', tone: 'good' });
    expect(badge(verdict({ status: 'invalid', matched: null }))).toEqual({
      label: 'invalid',
      tone: 'bad',
    });
    expect(badge(verdict({ status: 'missing', matched: null, pairs: [] }))).toEqual({
      label: 'missing',
      tone: 'warn',
    });
    expect(badge(verdict({ status: 'malformed', matched: null }))).toEqual({
      label: 'malformed',
      tone: 'warn',
    });
    expect(badge(verdict({ status: 'unchecked', matched: null }))).toEqual({
      label: 'unchecked',
      tone: 'muted',
    });
  });

  it('shows stale over valid and unchecked', () => {
    const stale = { stale: true, age_seconds: 900, stale_note: 'signed 15 minutes before arrival' };
    expect(badge(verdict(stale))).toEqual({ label: 'stale', tone: 'warn' });
    expect(badge(verdict({ ...stale, status: 'unchecked', matched: null }))).toEqual({
      label: 'stale',
      tone: 'warn',
    });
  });

  it('keeps invalid, missing and malformed when also stale', () => {
    expect(badge(verdict({ status: 'invalid', matched: null, stale: true }))).toEqual({
      label: 'invalid',
      tone: 'bad',
    });
    expect(badge(verdict({ status: 'malformed', matched: null, stale: true }))).toEqual({
      label: 'malformed',
      tone: 'warn',
    });
    expect(badge(verdict({ status: 'missing', matched: null, stale: true }))).toEqual({
      label: 'missing',
      tone: 'warn',
    });
  });
});

describe('timeOfDay', () => {
  it('prints local HH:MM:SS.mmm, zero-padded', () => {
    expect(timeOfDay(new Date(2024, 0, 2, 3, 4, 5, 6).getTime())).toBe('03:04:05.006');
    expect(timeOfDay(new Date(2024, 11, 31, 23, 59, 59, 999).getTime())).toBe('23:59:59.999');
    expect(timeOfDay(new Date(2024, 5, 1, 10, 4, 5, 123).getTime())).toBe('10:04:05.123');
  });
});

describe('shortSize', () => {
  it('prints bytes below 1 KiB', () => {
    expect(shortSize(0)).toBe('0 B');
    expect(shortSize(512)).toBe('512 B');
    expect(shortSize(1023)).toBe('1023 B');
  });

  it('uses one decimal below 10 and whole numbers above', () => {
    expect(shortSize(1024)).toBe('1 KiB');
    expect(shortSize(1536)).toBe('1.5 KiB');
    expect(shortSize(12 * 1024 + 300)).toBe('12 KiB');
    expect(shortSize(10 * 1024 * 1024)).toBe('10 MiB');
    expect(shortSize(3.25 * 1024 * 1024 * 1024)).toBe('3.3 GiB');
  });

  it('moves up a unit instead of showing 1024', () => {
    expect(shortSize(1024 * 1024 - 1)).toBe('1 MiB');
  });

  it('does not print nonsense for impossible sizes', () => {
    expect(shortSize(-1)).toBe('? B');
    expect(shortSize(Number.NaN)).toBe('? B');
  });
});

describe('listenerUrl', () => {
  it('keeps a URL as the shell sends it', () => {
    expect(listenerUrl('http://127.0.0.1:4747', 4747)).toBe('http://127.0.0.1:4747');
  });

  it('joins host and port', () => {
    expect(listenerUrl('127.0.0.1', 4747)).toBe('http://127.0.0.1:4747');
    expect(listenerUrl('localhost', 5000)).toBe('http://localhost:5000');
  });

  it('keeps a port already in the address', () => {
    expect(listenerUrl('127.0.0.1:4747', 4747)).toBe('http://127.0.0.1:4747');
    expect(listenerUrl('[::1]:4747', 4747)).toBe('http://[::1]:4747');
  });

  it('brackets IPv6 hosts', () => {
    expect(listenerUrl('::1', 4747)).toBe('http://[::1]:4747');
  });
});

describe('requestTarget', () => {
  it('appends the raw query', () => {
    expect(requestTarget('/', null)).toBe('/');
    expect(requestTarget('/hooks', '')).toBe('/hooks');
    expect(requestTarget('/hooks', 'a=1&b=%20')).toBe('/hooks?a=1&b=%20');
  });
});

describe('plural', () => {
  it('groups thousands and picks the word', () => {
    expect(plural(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(plural(0, 'delivery', 'deliveries')).toBe('0 deliveries');
    expect(plural(12345, 'delivery', 'deliveries')).toBe('12,345 deliveries');
  });
});

describe('repeatTitle', () => {
  it('names the event id and what clicking does', () => {
    expect(repeatTitle(3, 'evt_1')).toBe(
      '3 stored deliveries carry event id evt_1: Persona retried it or sent it again. Click to show them all.',
    );
  });
});

describe('localDateTime', () => {
  it("says what Date's toLocaleString says, with one formatter", () => {
    for (const ms of [0, 1_700_000_000_123, Date.UTC(2026, 11, 2, 23, 59, 59), Date.UTC(1999, 0, 1, 0, 0, 0)]) {
      expect(localDateTime(ms)).toBe(new Date(ms).toLocaleString());
    }
  });
});

describe('grouped', () => {
  it("says what toLocaleString('en-US') says", () => {
    for (const n of [0, 1, 999, 1000, 12345, 1_234_567, -4200]) expect(grouped(n)).toBe(n.toLocaleString('en-US'));
    expect(grouped(1_234_567)).toBe('1,234,567');
  });
});
