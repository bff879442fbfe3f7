import { describe, expect, it } from 'vitest';
import { hasSourceAccess, parseJson, RawNumber } from './jsonParse.ts';

describe('parseJson', () => {
  it('parses documents', () => {
    expect(parseJson('{"a":[1,true,null,"x"]}')).toEqual({
      ok: true,
      value: { a: [1, true, null, 'x'] },
      imprecise: false,
    });
  });

  it('reports why text is not JSON', () => {
    const r = parseJson('{"a":1,}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    expect(parseJson('').ok).toBe(false);
    expect(parseJson('<img src=x onerror=alert(1)>').ok).toBe(false);
  });

  it('does not call long digit runs inside strings imprecise', () => {
    const r = parseJson('{"phone":"12345678901234567890"}');
    expect(r).toEqual({ ok: true, value: { phone: '12345678901234567890' }, imprecise: false });
  });

  it('keeps or flags integers beyond 2^53', () => {
    const r = parseJson('{"big":12345678901234567890}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const big = (r.value as { big: unknown }).big;
    if (hasSourceAccess()) {
      expect(big).toBeInstanceOf(RawNumber);
      expect((big as RawNumber).raw).toBe('12345678901234567890');
      expect(r.imprecise).toBe(false);
    } else {
      // This engine gives revivers no source text: the value is rounded and the result says so.
      expect(big).toBe(12345678901234567000);
      expect(r.imprecise).toBe(true);
    }
  });

  it('does not flag safe numbers', () => {
    const r = parseJson('{"n":9007199254740991,"f":0.1,"t":1720713905123}');
    expect(r.ok && r.imprecise).toBe(false);
  });
});

describe('RawNumber', () => {
  it('serializes as a number', () => {
    const text = JSON.stringify({ n: new RawNumber(12345678901234567000, '12345678901234567890') });
    expect(['{"n":12345678901234567890}', '{"n":12345678901234567000}']).toContain(text);
  });
});
