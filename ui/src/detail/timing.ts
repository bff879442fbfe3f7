// Times on the Overview and Signature tabs: RFC 3339 parsing and UTC times (durations are in
// format/duration.ts). What a delay means is in delay.ts.

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
