// Times on the Overview and Signature tabs: RFC 3339 parsing, durations in words, and the delay
// between an event's creation and its arrival, which exposes retries and wrong clocks.

import type { Attempts } from '../bindings.ts';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/;

/**
 * Unix milliseconds of an RFC 3339 time, or null. Written out rather than `Date.parse`, whose
 * handling of more than three fraction digits or of out-of-range fields varies by engine.
 */
export function parseRfc3339(s: string): number | null {
  const m = RFC3339.exec(s.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; refuse it instead.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offset = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return base + ms - offset;
}

/**
 * A duration in words, sign ignored: "350 ms", "1.4 s", "42 s", "3 min 12 s", "2 h 5 min",
 * "3 d 4 h", "2.5 years".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 10_000) return `${(Math.floor(a / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(a / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return withRest(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86_400) return withRest(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  const days = Math.floor(s / 86_400);
  if (days < 365) return withRest(days, 'd', Math.floor((s % 86_400) / 3600), 'h');
  return `${(Math.round((s / 31_557_600) * 10) / 10).toFixed(1)} years`;
}

function withRest(n: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${n} ${unit}` : `${n} ${unit} ${rest} ${restUnit}`;
}

/** Persona's retry delays in seconds after each failed attempt (design notes, seed 003). */
export const RETRY_DELAYS_S = [3, 64, 729, 4096, 15625, 46656, 117649] as const;

/** Seconds from the first attempt to attempt `n` (1-based) on Persona's schedule, or null. */
export function scheduledOffset(n: number): number | null {
  if (!Number.isInteger(n) || n < 1 || n > RETRY_DELAYS_S.length + 1) return null;
  return RETRY_DELAYS_S.slice(0, n - 1).reduce((a, b) => a + b, 0);
}

/** Everything the schedule allows, plus slack: a longer delay is not explained by retries. */
const PLAUSIBLE_DELAY_MS = (scheduledOffset(8)! + 86_400) * 1000;
/** Clocks on two machines differ by this much without anything being wrong. */
const SKEW_MS = 5_000;

export interface Delay {
  text: string;
  /** Something is off (clock skew, an unparseable or absent time, an implausible delay). */
  warn: boolean;
  ms: number | null;
}

/** "received 1.4 s after the event was created", or why that cannot be said. */
export function eventDelay(createdAt: string | null, receivedMs: number | null): Delay {
  if (createdAt === null || createdAt === '') {
    return { text: 'The event has no created-at, so the delay is unknown.', warn: true, ms: null };
  }
  const created = parseRfc3339(createdAt);
  if (created === null) {
    return {
      text: `The event's created-at "${createdAt}" is not an RFC 3339 time.`,
      warn: true,
      ms: null,
    };
  }
  if (receivedMs === null || !Number.isFinite(receivedMs) || receivedMs <= 0) {
    return { text: 'The arrival time is unknown.', warn: true, ms: null };
  }
  const d = receivedMs - created;
  if (d >= 0) {
    const text = `received ${formatDuration(d)} after the event was created`;
    if (d > PLAUSIBLE_DELAY_MS) {
      return {
        text: `${text} — longer than Persona's whole retry schedule (about 2 days): a replayed capture, or a wrong clock`,
        warn: true,
        ms: d,
      };
    }
    return { text, warn: false, ms: d };
  }
  if (-d <= SKEW_MS) {
    return {
      text: `received ${formatDuration(d)} before the event's created-at: the two clocks differ slightly`,
      warn: true,
      ms: d,
    };
  }
  return {
    text: `received ${formatDuration(d)} before the event was created: this machine's clock or the event's created-at is wrong`,
    warn: true,
    ms: d,
  };
}

/** "2024-03-15 18:35:01.100 UTC" for unix milliseconds, null when not a usable time. */
export function formatUtc(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

/** For unix seconds (Persona's header times). */
export function formatUnixSeconds(s: number | null): string | null {
  return s === null ? null : formatUtc(s * 1000);
}

/**
 * How this attempt's timing relates to Persona's retry schedule: "the schedule puts attempt 3
 * about 67 s after the first; this one came 70 s after it". Null when there is nothing to say.
 */
export function retryTiming(a: Attempts, receivedMs: number): string | null {
  if (a.made === null || a.made < 1) return null;
  const parts: string[] = [];
  const expected = scheduledOffset(a.made);
  if (a.made > 1 && expected !== null) {
    parts.push(
      `Persona's schedule puts attempt ${a.made} about ${formatDuration(expected * 1000)} after the first`,
    );
  }
  if (a.first_attempted_at !== null && Number.isFinite(receivedMs)) {
    const since = receivedMs - a.first_attempted_at * 1000;
    if (since >= 0) parts.push(`this one arrived ${formatDuration(since)} after the first attempt`);
    else parts.push(`the first attempt is dated ${formatDuration(since)} after this arrival (clock skew)`);
  }
  return parts.length === 0 ? null : `${parts.join('; ')}.`;
}
