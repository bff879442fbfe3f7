import { describe, expect, it } from 'vitest';
import { caretExcerpt } from './parseError.ts';
import { jsonProblem } from './jsonCheck.ts';

describe('jsonProblem', () => {
  it('is null for JSON, whatever its shape', () => {
    for (const t of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '"s"', '0', '[[[[]]]]']) {
      expect(jsonProblem(t), t).toBeNull();
    }
  });

  it('says an empty body is not JSON', () => {
    expect(jsonProblem('  \n')?.message).toMatch(/empty/);
  });

  it('finds a trailing comma in an object, with its line and column', () => {
    const p = jsonProblem('{\n  "a": 1,\n}');
    expect(p).toMatchObject({ line: 3, column: 1, message: expect.stringMatching(/trailing comma/) });
  });

  it('finds a trailing comma in an array', () => {
    expect(jsonProblem('[1, 2,]')).toMatchObject({ line: 1, column: 7, message: expect.stringMatching(/trailing comma/) });
  });

  it('names single quotes and missing colons', () => {
    expect(jsonProblem("{'a': 1}")?.message).toMatch(/double quotes/);
    expect(jsonProblem('{"a" 1}')).toMatchObject({ column: 6, message: expect.stringMatching(/":"/) });
  });

  it('finds an unclosed string at its opening quote, and a body that ends inside an object', () => {
    expect(jsonProblem('{"a": "xyz')).toMatchObject({ column: 7, message: expect.stringMatching(/never closed/) });
    expect(jsonProblem('{"a": [1, 2]')).toMatchObject({ message: expect.stringMatching(/ends inside an object/) });
  });

  it('refuses raw control characters and bad escapes inside strings', () => {
    expect(jsonProblem('"a\tb"')?.message).toMatch(/must be escaped/);
    expect(jsonProblem('"a\\qb"')?.message).toMatch(/\\q is not a JSON escape/);
    expect(jsonProblem('"\\u12"')?.message).toMatch(/four hex digits/);
  });

  it('refuses text after the value and bare words', () => {
    expect(jsonProblem('{} x')).toMatchObject({ column: 4, message: expect.stringMatching(/after the JSON value/) });
    expect(jsonProblem('[undefined]')?.message).toMatch(/expected a value/);
    expect(jsonProblem('[01]')?.message).toMatch(/expected "," or "\]"/);
  });

  it('counts the column in UTF-8 bytes, so the Raw tab’s caret helper points at the spot', () => {
    const text = '{"名前": x}';
    const p = jsonProblem(text)!;
    expect(p.offset).toBe(text.indexOf('x'));
    const ex = caretExcerpt(text, p.line, p.column)!;
    expect(ex.caret.length - 1).toBe(text.indexOf('x'));
  });

  it('copes with very deep nesting without overflowing the stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(199_999);
    expect(jsonProblem(deep)?.message).toMatch(/ends inside an array/);
  });
});
