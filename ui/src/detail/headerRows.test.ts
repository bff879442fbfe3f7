import { describe, expect, it } from 'vitest';
import {
  addRow,
  removeRow,
  rowProblem,
  rowsFromHeaders,
  rowsToHeaders,
  sameAsStored,
  setName,
  setValue,
} from './headerRows.ts';

const stored = [
  ['content-type', 'application/json'],
  ['x-bin', 'a\uFFFDb', 'Yf9i'],
  ['persona-signature', 't=1,v1=ab'],
];

describe('header rows', () => {
  it('round-trip stored headers unchanged, the exact bytes of a non-UTF-8 value included', () => {
    const rows = rowsFromHeaders(stored);
    expect(rows.map((r) => r.key)).toEqual([0, 1, 2]);
    expect(rowsToHeaders(rows)).toEqual(stored);
    expect(sameAsStored(rows, stored)).toBe(true);
  });

  it('add a blank row with a fresh key, which is left out until filled', () => {
    const rows = addRow(rowsFromHeaders(stored));
    expect(rows).toHaveLength(4);
    expect(rows[3]).toEqual({ key: 3, name: '', value: '', bytes: null });
    expect(rowsToHeaders(rows)).toEqual(stored);
    expect(sameAsStored(rows, stored)).toBe(true);
    const filled = setValue(setName(rows, 3, ' X-Test '), 3, 'yes');
    expect(rowsToHeaders(filled).at(-1)).toEqual(['X-Test', 'yes']);
    expect(sameAsStored(filled, stored)).toBe(false);
  });

  it('remove a row by key; keys stay unique after removals', () => {
    const rows = removeRow(rowsFromHeaders(stored), 1);
    expect(rowsToHeaders(rows).map((h) => h[0])).toEqual(['content-type', 'persona-signature']);
    expect(addRow(rows).at(-1)?.key).toBe(3);
    expect(sameAsStored(rows, stored)).toBe(false);
  });

  it('editing a non-UTF-8 value drops its stored bytes', () => {
    const rows = setValue(rowsFromHeaders(stored), 1, 'ab');
    expect(rowsToHeaders(rows)[1]).toEqual(['x-bin', 'ab']);
    // Renaming keeps the bytes: the value is untouched.
    expect(rowsToHeaders(setName(rowsFromHeaders(stored), 1, 'x-other'))[1]).toEqual(['x-other', 'a\uFFFDb', 'Yf9i']);
  });

  it('a reordering counts as a change', () => {
    const [a, b, c] = rowsFromHeaders(stored);
    expect(sameAsStored([b!, a!, c!], stored)).toBe(false);
  });

  it('check names and values the way HTTP does', () => {
    const row = (name: string, value: string) => ({ key: 0, name, value, bytes: null });
    expect(rowProblem(row('', ''))).toBeNull();
    expect(rowProblem(row('x-ok', 'tab\tis fine, ünïcode too'))).toBeNull();
    expect(rowProblem(row('', 'v'))).toMatch(/name/);
    expect(rowProblem(row('bad name', 'v'))).toMatch(/spaces/);
    expect(rowProblem(row('bad:name', 'v'))).toMatch(/":"/);
    expect(rowProblem(row('x', 'a\r\nInjected: 1'))).toMatch(/line breaks/);
    expect(rowProblem(row('x', 'nul\u0000'))).toMatch(/control/);
  });
});
