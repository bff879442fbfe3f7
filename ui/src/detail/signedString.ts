// The exact string Persona signs, `"<t>." + raw body`, and a middle-shortened form for display.

import type { Header, Verdict } from '../bindings.ts';

/**
 * The `t` values of each pair exactly as the header spells them. The signed string uses those
 * characters, so `t=01720713905` signs "01720713905.", which the parsed number would not show.
 */
export function headerTimestamps(headerValue: string): string[] {
  const out: string[] = [];
  for (const group of headerValue.trim().split(/\s+/)) {
    if (group === '') continue;
    const t = group
      .split(',')
      .map((part) => part.trim())
      .find((part) => part.startsWith('t='));
    if (t !== undefined) out.push(t.slice(2));
  }
  return out;
}

export function signatureHeader(headers: readonly Header[]): string | null {
  const h = headers.find(([name]) => name.toLowerCase() === 'persona-signature');
  return h === undefined ? null : h[1];
}

export interface SigningTimestamp {
  /** The `t` text as signed. */
  t: string;
  /** 0-based index into `Verdict.pairs`. */
  pair: number;
  /** Whether it is the pair that matched (else the first pair, for a failed check). */
  matched: boolean;
}

/** The timestamp the signed string starts with: the matched pair's, else the first pair's. */
export function signingTimestamp(v: Verdict, headerValue: string | null): SigningTimestamp | null {
  const index = v.matched !== null && v.matched.pair < v.pairs.length ? v.matched.pair : 0;
  const pair = v.pairs[index];
  if (pair === undefined) return null;
  const literal = headerValue === null ? undefined : headerTimestamps(headerValue)[index];
  const t =
    literal !== undefined && /^\d+$/.test(literal) && Number(literal) === pair.t
      ? literal
      : String(pair.t);
  return { t, pair: index, matched: v.matched !== null };
}

export function signedString(t: string, body: string): string {
  return `${t}.${body}`;
}

export interface Shortened {
  head: string;
  /** Code units left out of the middle; 0 when the string fits. */
  omitted: number;
  tail: string;
}

/** At most `max` code units (split between head and tail), never cutting a surrogate pair. */
export function shortenMiddle(s: string, max: number): Shortened {
  const limit = Math.max(0, Math.floor(max));
  if (s.length <= limit) return { head: s, omitted: 0, tail: '' };
  let headEnd = Math.ceil(limit / 2);
  let tailStart = s.length - Math.floor(limit / 2);
  if (headEnd > 0 && isHigh(s.charCodeAt(headEnd - 1))) headEnd -= 1;
  if (tailStart < s.length && isLow(s.charCodeAt(tailStart))) tailStart += 1;
  return { head: s.slice(0, headEnd), omitted: tailStart - headEnd, tail: s.slice(tailStart) };
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
