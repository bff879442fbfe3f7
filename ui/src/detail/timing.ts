// Times on the Overview and Signature tabs: RFC 3339 parsing and durations in words. What a
// delay means is in delay.ts.

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
