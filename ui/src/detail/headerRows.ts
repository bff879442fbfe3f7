// The edit view's header rows: name and value pairs to change, add and remove before a re-send.
// A value that was not UTF-8 keeps its exact bytes (base64) until it is edited, so an untouched
// row is sent exactly as it arrived. Pure, so every rule is tested.

export interface HeaderRow {
  /** Stable identity for React while rows are added and removed. */
  key: number;
  name: string;
  value: string;
  /** The exact bytes (base64) of a value that is not UTF-8, until the value is edited. */
  bytes: string | null;
}

/** Rows from stored headers: `[name, value]` or `[name, value, base64]`. */
export function rowsFromHeaders(headers: readonly (readonly string[])[]): HeaderRow[] {
  return headers.map((h, key) => ({ key, name: h[0] ?? '', value: h[1] ?? '', bytes: h[2] ?? null }));
}

function nextKey(rows: readonly HeaderRow[]): number {
  return rows.reduce((max, r) => Math.max(max, r.key), -1) + 1;
}

/** A blank row at the end. */
export function addRow(rows: readonly HeaderRow[]): HeaderRow[] {
  return [...rows, { key: nextKey(rows), name: '', value: '', bytes: null }];
}

export function removeRow(rows: readonly HeaderRow[], key: number): HeaderRow[] {
  return rows.filter((r) => r.key !== key);
}

export function setName(rows: readonly HeaderRow[], key: number, name: string): HeaderRow[] {
  return rows.map((r) => (r.key === key ? { ...r, name } : r));
}

/** A typed value replaces the exact bytes of a non-UTF-8 one. */
export function setValue(rows: readonly HeaderRow[], key: number, value: string): HeaderRow[] {
  return rows.map((r) => (r.key === key ? { ...r, value, bytes: null } : r));
}

/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than tab end a header line or are refused by HTTP clients. */
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function isBlank(r: HeaderRow): boolean {
  return r.name.trim() === '' && r.value === '' && r.bytes === null;
}

/** What is wrong with a row, or null. A blank row is fine: it is left out. */
export function rowProblem(r: HeaderRow): string | null {
  if (isBlank(r)) return null;
  const name = r.name.trim();
  if (name === '') return 'Give the header a name.';
  if (!TOKEN.test(name)) {
    const bad = [...name].find((c) => !TOKEN.test(c)) ?? '';
    return `A header name cannot contain ${bad === ' ' ? 'spaces' : JSON.stringify(bad)}.`;
  }
  if (r.bytes === null && BAD_VALUE.test(r.value)) {
    return 'A header value cannot contain line breaks or other control characters (a tab is fine).';
  }
  return null;
}

/** The rows as `options.edits.headers`: blank rows left out, names trimmed. */
export function rowsToHeaders(rows: readonly HeaderRow[]): string[][] {
  return rows
    .filter((r) => !isBlank(r))
    .map((r) => (r.bytes === null ? [r.name.trim(), r.value] : [r.name.trim(), r.value, r.bytes]));
}

/** Whether `rows` would send exactly `original` (same names, values and order). */
export function sameAsStored(rows: readonly HeaderRow[], original: readonly (readonly string[])[]): boolean {
  const now = rowsToHeaders(rows);
  if (now.length !== original.length) return false;
  return now.every((h, i) => {
    const o = original[i]!;
    return h[0] === o[0] && h[1] === o[1] && (h[2] ?? null) === (o[2] ?? null);
  });
}
