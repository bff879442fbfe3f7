// Parses a body once for the tree. JSON.parse turns numbers into doubles, so integers beyond
// 2^53 and decimals with more than ~15 significant digits come back rounded. Where the engine
// gives revivers the source text (JSON.parse source text access), such numbers keep their exact
// text in a RawNumber; elsewhere the result says the tree may show them rounded. The reviver
// costs a few times a plain parse, so it only runs when the text has a long digit run at all.

export class RawNumber {
  constructor(
    readonly value: number,
    /** The number exactly as written in the body. */
    readonly raw: string,
  ) {}

  /** Re-serializes as the original digits where `JSON.rawJSON` exists, else as the double. */
  toJSON(): unknown {
    const rawJSON = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
    return typeof rawJSON === 'function' ? rawJSON(this.raw) : this.value;
  }
}

export type ParsedJson =
  | { ok: true; value: unknown; /** Some numbers may be shown rounded. */ imprecise: boolean }
  | { ok: false; message: string };

/** A digit followed by 15 more digits or dots: the only way a literal can exceed a double. */
const LONG_DIGITS = /\d[\d.]{15,}/;

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

let sourceAccess: boolean | undefined;

export function hasSourceAccess(): boolean {
  if (sourceAccess === undefined) {
    let seen = false;
    const probe: Reviver = (_key, value, context) => {
      seen = typeof context?.source === 'string';
      return value;
    };
    JSON.parse('1', probe as (key: string, value: unknown) => unknown);
    sourceAccess = seen;
  }
  return sourceAccess;
}

function significantDigits(literal: string): number {
  const mantissa = literal.replace(/^-/, '').split(/[eE]/)[0] ?? '';
  return mantissa.replace('.', '').replace(/^0+/, '').length;
}

/** An integer outside the safe range, or a double needing 16+ digits: possibly rounded. */
function suspicious(n: number): boolean {
  if (Number.isInteger(n)) return !Number.isSafeInteger(n);
  return significantDigits(String(n).replace(/e.*$/i, '')) > 15;
}

function hasSuspiciousNumber(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (suspicious(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const item of Object.values(v)) stack.push(item);
    }
  }
  return false;
}

export function parseJson(text: string): ParsedJson {
  try {
    if (!LONG_DIGITS.test(text)) return { ok: true, value: JSON.parse(text), imprecise: false };
    if (hasSourceAccess()) {
      const keep: Reviver = (_key, value, context) =>
        typeof value === 'number' &&
        context?.source !== undefined &&
        significantDigits(context.source) > 15
          ? new RawNumber(value, context.source)
          : value;
      const value: unknown = JSON.parse(text, keep as (key: string, value: unknown) => unknown);
      return { ok: true, value, imprecise: false };
    }
    const value: unknown = JSON.parse(text);
    return { ok: true, value, imprecise: hasSuspiciousNumber(value) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
