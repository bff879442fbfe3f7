import { describe, expect, it } from 'vitest';
import { layoutLines, rowOfLine } from './textLines.ts';

function texts(text: string, wrap: number): string[] {
  const r = layoutLines(text, wrap);
  return r.starts.map((s, i) => text.slice(s, r.ends[i]));
}

describe('layoutLines', () => {
  it('gives one row per line, each keeping its line break, so rows join back to the text', () => {
    const text = 'a\nbb\r\n\nccc';
    expect(texts(text, 80)).toEqual(['a\n', 'bb\r\n', '\n', 'ccc']);
    expect(texts(text, 80).join('')).toBe(text);
    expect(layoutLines(text, 80).lines).toEqual([1, 2, 3, 4]);
  });

  it('wraps long lines, numbering only the first row', () => {
    const r = layoutLines('abcdefg\nxy', 3);
    expect(texts('abcdefg\nxy', 3)).toEqual(['abc', 'def', 'g\n', 'xy']);
    expect(r.lines).toEqual([1, 0, 0, 2]);
  });

  it('does not leave a line break alone on a row', () => {
    expect(texts('abc\nd', 3)).toEqual(['abc\n', 'd']);
  });

  it('has a final empty row after a trailing newline, and one row for empty text', () => {
    expect(texts('a\n', 10)).toEqual(['a\n', '']);
    expect(texts('', 10)).toEqual(['']);
  });

  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd';
    const rows = texts(text, 3);
    expect(rows.join('')).toBe(text);
    for (const row of rows) expect(row).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
  });

  it('lays out 5 MB on a single line quickly', () => {
    const text = 'x'.repeat(5_000_000);
    const t0 = performance.now();
    const r = layoutLines(text, 160);
    console.log(`layoutLines 5 MB single line: ${(performance.now() - t0).toFixed(1)} ms`);
    expect(r.starts.length).toBe(31_250);
  });
});

describe('rowOfLine', () => {
  it('finds the first row of a line, skipping wrapped rows', () => {
    const r = layoutLines('abcdefg\nxy\nz', 3);
    expect(rowOfLine(r, 1)).toBe(0);
    expect(rowOfLine(r, 2)).toBe(3);
    expect(rowOfLine(r, 3)).toBe(4);
    expect(rowOfLine(r, 4)).toBe(-1);
    expect(rowOfLine(r, 0)).toBe(-1);
  });
});
