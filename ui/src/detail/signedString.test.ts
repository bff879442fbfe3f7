import { describe, expect, it } from 'vitest';
import type { Verdict } from '../bindings.ts';
import {
  headerPairs,
  headerTimestamps,
  shortenMiddle,
  signatureHeader,
  signatureLines,
  signedString,
  signingTimestamp,
} from './signedString.ts';

function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    status: 'invalid',
    explanation: '',
    diagnosis: null,
    matched: null,
    pairs: [
      { t: 1_720_713_905, v1: 'aa' },
      { t: 1_720_713_999, v1: 'bb' },
    ],
    timestamp: 1_720_713_905,
    age_seconds: 0,
    stale: false,
    stale_note: null,
    tolerance_seconds: 300,
    ...over,
  };
}

describe('headerTimestamps', () => {
  it('reads t from one pair or two space-separated pairs', () => {
    expect(headerTimestamps('t=1720713905,v1=0fd4')).toEqual(['1720713905']);
    expect(headerTimestamps('t=1,v1=aa t=2,v1=bb')).toEqual(['1', '2']);
    expect(headerTimestamps('  v1=aa, t=7  ')).toEqual(['7']);
  });

  it('keeps the digits as written', () => {
    expect(headerTimestamps('t=0001720713905,v1=aa')).toEqual(['0001720713905']);
  });

  it('skips groups without t and survives junk', () => {
    expect(headerTimestamps('v1=aa t=5,v1=bb')).toEqual(['5']);
    expect(headerTimestamps('')).toEqual([]);
    expect(headerTimestamps('garbage')).toEqual([]);
  });
});

describe('signatureHeader', () => {
  it('finds the header whatever its case', () => {
    expect(signatureHeader([['Persona-Signature', 't=1,v1=a']])).toBe('t=1,v1=a');
    expect(signatureHeader([['content-type', 'application/json']])).toBeNull();
  });

  it('reads every line, joined as the verdict joins them', () => {
    const headers: [string, string][] = [
      ['persona-signature', 't=1,v1=aa'],
      ['content-type', 'application/json'],
      ['Persona-Signature', 't=2,v1=bb'],
    ];
    expect(signatureLines(headers)).toEqual(['t=1,v1=aa', 't=2,v1=bb']);
    expect(signatureHeader(headers)).toBe('t=1,v1=aa t=2,v1=bb');
  });
});

describe('headerPairs', () => {
  it('starts a pair at every t=, whatever joins the pairs', () => {
    for (const sep of [' ', ', ', ',', ' , ', ';']) {
      expect(headerPairs(`t=1,v1=aa${sep}t=2,v1=bb`), sep).toEqual([
        { t: '1', v1s: ['aa'] },
        { t: '2', v1s: ['bb'] },
      ]);
    }
  });

  it('keeps a pair together across ", " and reads keys in any order', () => {
    expect(headerPairs('t=1, v1=aa')).toEqual([{ t: '1', v1s: ['aa'] }]);
    expect(headerPairs('v1=aa,t=1 v1=bb,t=2')).toEqual([
      { t: '1', v1s: ['aa'] },
      { t: '2', v1s: ['bb'] },
    ]);
    expect(headerPairs('t=1,v1=aa,v1=bb')).toEqual([{ t: '1', v1s: ['aa', 'bb'] }]);
  });
});

describe('signingTimestamp', () => {
  it("uses the matched pair's t", () => {
    const v = verdict({
      status: 'valid',
      matched: { secret: 'next', pair: 1, timestamp: 1_720_713_999 },
    });
    expect(signingTimestamp(v, 't=1720713905,v1=aa t=1720713999,v1=bb')).toEqual({
      t: '1720713999',
      pair: 1,
      matched: true,
    });
  });

  it("falls back to the first pair's t when nothing matched", () => {
    expect(signingTimestamp(verdict(), null)).toEqual({ t: '1720713905', pair: 0, matched: false });
  });

  it("finds the matched pair's spelling in comma-joined rotation pairs", () => {
    const v = verdict({
      status: 'valid',
      matched: { secret: 'old', pair: 1, timestamp: 1_720_713_999 },
    });
    expect(signingTimestamp(v, 't=1720713905,v1=aa,t=01720713999,v1=bb')?.t).toBe('01720713999');
  });

  it("uses the header's spelling only when it is the same number", () => {
    expect(signingTimestamp(verdict(), 't=01720713905,v1=aa')?.t).toBe('01720713905');
    expect(signingTimestamp(verdict(), 't=99,v1=aa')?.t).toBe('1720713905');
  });

  it('is null without pairs and ignores an out-of-range match index', () => {
    expect(signingTimestamp(verdict({ pairs: [] }), null)).toBeNull();
    const v = verdict({ matched: { secret: 's', pair: 9, timestamp: 1 } });
    expect(signingTimestamp(v, null)?.pair).toBe(0);
  });
});

describe('signedString', () => {
  it("is t, a dot, and the body (Persona's public test vector input)", () => {
    expect(signedString('1720713905', 'abc123')).toBe('1720713905.abc123');
    expect(signedString('1', '')).toBe('1.');
  });
});

describe('shortenMiddle', () => {
  it('leaves short strings alone', () => {
    expect(shortenMiddle('abc', 3)).toEqual({ head: 'abc', omitted: 0, tail: '' });
  });

  it('keeps both ends of long strings and counts what it left out', () => {
    const s = `1720713905.${'x'.repeat(1000)}}`;
    const r = shortenMiddle(s, 20);
    expect(r.head).toBe('1720713905');
    expect(r.tail).toBe('xxxxxxxxx}');
    expect(r.head.length + r.omitted + r.tail.length).toBe(s.length);
  });

  it('never cuts a surrogate pair', () => {
    const s = '😀'.repeat(50);
    for (const max of [1, 3, 5, 11, 20]) {
      const r = shortenMiddle(s, max);
      expect(r.head + '?'.repeat(r.omitted) + r.tail).toHaveLength(s.length);
      expect(r.head).not.toMatch(/[\uD800-\uDBFF]$/);
      expect(r.tail).not.toMatch(/^[\uDC00-\uDFFF]/);
    }
  });

  it('handles zero and negative limits', () => {
    expect(shortenMiddle('abc', 0)).toEqual({ head: '', omitted: 3, tail: '' });
    expect(shortenMiddle('abc', -5)).toEqual({ head: '', omitted: 3, tail: '' });
  });
});
