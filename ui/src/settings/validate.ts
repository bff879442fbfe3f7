// Checks on what is typed into Settings, with messages that say what to type instead. Pure, so
// every rule is tested.

import { DEFAULT_TIMEOUT_MS } from '../bindings.ts';
import { isPersonaSuccess } from '../persona/facts.ts';

export type Checked<T> = { ok: true; value: T; warning: string | null } | { ok: false; message: string };

function wholeNumber(text: string, what: string, min: number, max: number): Checked<number> {
  const t = text.trim();
  if (t === '') return { ok: false, message: `Enter the ${what}.` };
  if (!/^\d+$/.test(t)) return { ok: false, message: `The ${what} must be a whole number.` };
  const n = Number(t);
  if (n < min || n > max) {
    return { ok: false, message: `The ${what} must be between ${min} and ${max}.` };
  }
  return { ok: true, value: n, warning: null };
}

/** 0 asks for any free port. */
export function checkPort(text: string): Checked<number> {
  const r = wholeNumber(text, 'port', 0, 65535);
  if (r.ok && r.value > 0 && r.value < 1024) {
    return { ...r, warning: 'Ports below 1024 usually need administrator rights.' };
  }
  return r;
}

/** 30 days: far beyond Persona's whole retry schedule (about 2.1 days after the first attempt). */
export const MAX_TOLERANCE = 30 * 24 * 3600;

export function checkTolerance(text: string): Checked<number> {
  const r = wholeNumber(text, 'stale tolerance', 1, MAX_TOLERANCE);
  if (r.ok && r.value < 30) {
    return { ...r, warning: 'Persona retries arrive minutes to days after signing; under 30 s even the first attempt can look stale.' };
  }
  return r;
}

export function checkReplyStatus(text: string): Checked<number> {
  const r = wholeNumber(text, 'reply status', 200, 599);
  if (r.ok && !isPersonaSuccess(r.value)) {
    return { ...r, warning: `Persona treats ${r.value} as a failure and retries the delivery.` };
  }
  return r;
}

export const MAX_DELAY_MS = 60_000;

export function checkReplyDelay(text: string): Checked<number> {
  const r = wholeNumber(text, 'reply delay', 0, MAX_DELAY_MS);
  if (r.ok && r.value >= DEFAULT_TIMEOUT_MS) {
    return { ...r, warning: `Persona gives up after ${DEFAULT_TIMEOUT_MS / 1000} s and retries the delivery.` };
  }
  return r;
}

export function checkLabel(label: string, taken: readonly string[]): string | null {
  const l = label.trim();
  if (l === '') return 'Give the secret a label, e.g. "sandbox" or "current".';
  if (l.length > 64) return 'Keep the label under 64 characters.';
  if (taken.some((t) => t.trim().toLowerCase() === l.toLowerCase())) {
    return `A secret is already labelled "${l}".`;
  }
  return null;
}

/**
 * The value as Persona shows it. Surrounding whitespace (a paste's newline) is never part of a
 * secret and is trimmed; a value without the `wbhsec_` prefix is accepted but flagged, since
 * Persona HMACs with the whole string, prefix included.
 */
export function checkSecretValue(value: string): Checked<string> {
  const v = value.trim();
  if (v === '') return { ok: false, message: 'Paste the webhook secret from the Persona Dashboard (wbhsec_…).' };
  if (/\s/.test(v)) return { ok: false, message: 'A webhook secret has no spaces; paste one secret at a time.' };
  if (!v.startsWith('wbhsec_')) {
    return {
      ok: true,
      value: v,
      warning: 'Persona webhook secrets start with wbhsec_ and the prefix is part of the key; check you copied all of it.',
    };
  }
  return { ok: true, value: v, warning: null };
}

/** The longest retention short of "forever" (the store refuses more). */
export const MAX_RETENTION_DAYS = 36500;

/** Days to keep deliveries, or older-than days for a purge. */
export function checkDays(text: string): Checked<number> {
  return wholeNumber(text, 'number of days', 1, MAX_RETENTION_DAYS);
}
