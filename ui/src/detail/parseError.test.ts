import docsInvalid from '../../../tests/fixtures/docs-example-invalid.json?raw';
import { describe, expect, it } from 'vitest';
import { byteColumnToIndex, caretExcerpt } from './parseError.ts';

describe('caretExcerpt', () => {
  it('points at the column on the given line', () => {
    const e = caretExcerpt('{\n  "a": 1\n  "b": 2\n}', 3, 3);
    expect(e).toEqual({
      lineNumber: 3,
      text: '  "b": 2',
      caret: '  ^',
      clippedStart: false,
      clippedEnd: false,
    });
  });

  it("shows serde_json's error in Persona's documented example (missing comma)", () => {
    // serde_json: "expected `,` or `}` at line 10 column 11".
    const e = caretExcerpt(docsInvalid, 10, 11)!;
    expect(e.text).toBe('          "id": "inq_2CVZ4HyVg7qaboXz2PUHknAn",');
    expect(e.caret).toBe('          ^');
  });

  it('treats the column as UTF-8 bytes', () => {
    // "é" is two bytes: byte column 5 is the "x" after `"é"`.
    const e = caretExcerpt('"é"x', 1, 5)!;
    expect(e.caret).toBe('   ^');
    expect(byteColumnToIndex('😀a', 4)).toBe(2);
    expect(byteColumnToIndex('abc', 99)).toBe(3);
  });

  it('keeps tabs in the caret line so it lines up', () => {
    expect(caretExcerpt('\t\tx', 1, 3)!.caret).toBe('\t\t^');
  });

  it('handles column 0 (error right after a line break) and a column past the end', () => {
    expect(caretExcerpt('{\n', 2, 0)!.caret).toBe('^');
    expect(caretExcerpt('{"a":', 1, 99)!.caret).toBe('     ^');
  });

  it('drops a CR before the line break', () => {
    expect(caretExcerpt('{\r\n x\r\n}', 2, 2)!.text).toBe(' x');
  });

  it('windows a very long line around the caret', () => {
    const line = `${'a'.repeat(5000)}!${'b'.repeat(5000)}`;
    const e = caretExcerpt(line, 1, 5001, 100)!;
    expect(e.text.length).toBe(100);
    expect(e.clippedStart).toBe(true);
    expect(e.clippedEnd).toBe(true);
    expect(e.text[e.caret.length - 1]).toBe('!');
  });

  it('is null for lines that do not exist or nonsense positions', () => {
    expect(caretExcerpt('one line', 2, 1)).toBeNull();
    expect(caretExcerpt('x', 0, 1)).toBeNull();
    expect(caretExcerpt('x', 1.5, 1)).toBeNull();
    expect(caretExcerpt('x', 1, Number.NaN)).toBeNull();
    expect(caretExcerpt('', 1, 1)).toEqual({
      lineNumber: 1,
      text: '',
      caret: '^',
      clippedStart: false,
      clippedEnd: false,
    });
  });
});
