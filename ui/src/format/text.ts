// Pure display helpers (badges, sizes, times of day, URLs, counts): no DOM, no Tauri, so Vitest runs them in plain Node.

import type { AttemptHeaders, Status, Verdict } from '../bindings.ts';

export type Tone = 'good' | 'bad' | 'warn' | 'muted';

/**
 * "2 made, 6 left": Persona's attempt headers as sent (src/model/delivery.rs `AttemptHeaders::describe`).
 * Persona documents how they change at each attempt, not what a first attempt carries, so this
 * does not say "attempt n of 8".
 */
export function attemptText(a: AttemptHeaders): string | null {
  if (a.made !== null && a.left !== null) return `${a.made} made, ${a.left} left`;
  if (a.made !== null) return `${a.made} made`;
  if (a.left !== null) return `${a.left} left`;
  return null;
}

const TONES: Record<Status, Tone> = {
  valid: 'good',
  invalid: 'bad',
  missing: 'warn',
  malformed: 'warn',
  unchecked: 'muted',
};

/**
 * The signature badge. A stale timestamp is the headline only when nothing worse is wrong
 * (valid or unchecked); an invalid, missing or malformed signature keeps its own label.
 */
export function badge(v: Verdict): { label: string; tone: Tone } {
  if (v.stale && (v.status === 'valid' || v.status === 'unchecked')) {
    return { label: 'stale', tone: 'warn' };
  }
  return { label: v.status, tone: TONES[v.status] };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Local time of day with milliseconds: "10:04:05.123". */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(
    d.getMilliseconds(),
    3,
  )}`;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "512 B", "1.5 KiB", "12 KiB", "10 MiB" (binary units, like `--max-body 10MiB`). */
export function shortSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  for (;;) {
    value /= 1024;
    // One decimal below 10, whole numbers above; move up a unit when rounding would show 1024.
    const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
    if (shown < 1024 || unit === UNITS.length - 1) {
      const text = value < 10 ? shown.toFixed(shown % 1 === 0 ? 0 : 1) : String(shown);
      return `${text} ${UNITS[unit]}`;
    }
    unit += 1;
  }
}

/**
 * The listener's base URL. The shell sends `address` as a URL ("http://127.0.0.1:4747"); a bare
 * host (IPv6 too) or host:port is accepted as well.
 */
export function listenerUrl(address: string, port: number): string {
  if (/^https?:\/\//i.test(address)) return address;
  if (address.startsWith('[') || /^[^:]+:\d+$/.test(address)) return `http://${address}`;
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/** The request target as sent: path plus the raw query string. */
export function requestTarget(path: string, query: string | null): string {
  return query === null || query === '' ? path : `${path}?${query}`;
}

// One formatter each, made on first use: JavaScriptCore builds a new Intl formatter for every
// `toLocaleString` call (~0.2 ms), which the list's rows and the event filter's options paid
// per row and per option while the window opened.
let dateTimeFormat: Intl.DateTimeFormat | null = null;
let groupedFormat: Intl.NumberFormat | null = null;

/** What `new Date(ms).toLocaleString()` says: the date and time in the user's locale. */
export function localDateTime(ms: number): string {
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return dateTimeFormat.format(ms);
}

/** "12,345": what `n.toLocaleString('en-US')` says. */
export function grouped(n: number): string {
  groupedFormat ??= new Intl.NumberFormat('en-US');
  return groupedFormat.format(n);
}

/** "1 delivery", "12,345 deliveries". */
export function plural(n: number, one: string, many: string): string {
  return `${grouped(n)} ${n === 1 ? one : many}`;
}

/** The tooltip of a repeated event's mark. */
export function repeatTitle(count: number, eventId: string): string {
  return `${count} stored deliveries carry event id ${eventId}: Persona retried it or sent it again. Click to show them all.`;
}
