// The exact string Persona signs, `"<t>." + raw body`, and a middle-shortened form for display.

import type { Header, Verdict } from '../bindings.ts';

/** One pair of a `Persona-Signature` header as written: its `t` text and its `v1` values. */
export interface HeaderPair {
  t: string | undefined;
  v1s: string[];
}

/**
 * The header's pairs, read as the verdict reads them (src/signature/header.rs, `split_pairs`): a space
 * starts a new pair unless a `,` or `;` joins it to the previous word, and a new pair starts at
 * every `t=` once the current pair has one, so rotation pairs joined by a proxy's ", " read too.
 */
export function headerPairs(headerValue: string): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  let joined = true;
  for (const word of headerValue.trim().split(/\s+/)) {
    if (word === '') continue;
    const startsPair = !joined && !/^[,;]/.test(word);
    joined = /[,;]$/.test(word);
    word
      .split(/[,;]/)
      .filter((item) => item !== '')
      .forEach((item, n) => {
        const eq = item.indexOf('=');
        const key = eq < 0 ? item : item.slice(0, eq);
        const value = eq < 0 ? '' : item.slice(eq + 1);
        const current = pairs.at(-1);
        if (current === undefined || (n === 0 && startsPair) || (key === 't' && current.t !== undefined)) {
          pairs.push({ t: undefined, v1s: [] });
        }
        const pair = pairs.at(-1)!;
        if (key === 't') pair.t ??= value;
        else if (key === 'v1') pair.v1s.push(value);
      });
  }
  return pairs;
}

/**
 * The `t` values of each pair exactly as the header spells them. The signed string uses those
 * characters, so `t=01720713905` signs "01720713905.", which the parsed number would not show.
 */
export function headerTimestamps(headerValue: string): string[] {
  return headerPairs(headerValue).flatMap((p) => (p.t === undefined ? [] : [p.t]));
}

/** Every `Persona-Signature` line, in arrival order (a sender or proxy may send several). */
export function signatureLines(headers: readonly Header[]): string[] {
  return headers.filter(([name]) => name.toLowerCase() === 'persona-signature').map(([, value]) => value);
}

/** Every `Persona-Signature` line joined by a space, as the verdict reads them; null: none. */
export function signatureHeader(headers: readonly Header[]): string | null {
  const lines = signatureLines(headers);
  return lines.length === 0 ? null : lines.join(' ');
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
  // The t of the pair that carries this v1 (a pair may carry several v1 values).
  const literal =
    headerValue === null ? undefined : headerPairs(headerValue).find((p) => p.v1s.includes(pair.v1))?.t;
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
