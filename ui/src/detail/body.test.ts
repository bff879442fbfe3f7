import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  decodeBody,
  decodeUtf8Lossy,
  decodeUtf8Strict,
} from './body.ts';

const enc = new TextEncoder();

describe('base64ToBytes', () => {
  it('decodes standard base64 with and without padding', () => {
    expect([...base64ToBytes('YWJjMTIz')]).toEqual([...enc.encode('abc123')]);
    expect([...base64ToBytes('YQ==')]).toEqual([0x61]);
    expect([...base64ToBytes('YQ')]).toEqual([0x61]);
    expect([...base64ToBytes('')]).toEqual([]);
  });

  it('keeps every byte value, including ones that are not UTF-8', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...base64ToBytes(bytesToBase64(all))]).toEqual([...all]);
  });

  it('ignores line breaks the way MIME base64 wraps', () => {
    expect([...base64ToBytes('YWJj\nMTIz\r\n')]).toEqual([...enc.encode('abc123')]);
  });

  it('refuses text that is not base64', () => {
    expect(() => base64ToBytes('not base64!')).toThrow(/base64/);
    expect(() => base64ToBytes('YWJjM')).toThrow(/base64/);
    expect(() => base64ToBytes('YW=Jj')).toThrow(/base64/);
    expect(() => base64ToBytes('YWJj-_')).toThrow(/base64/);
  });
});

describe('bytesToBase64', () => {
  it('round-trips a body larger than one chunk', () => {
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });
});

describe('strict UTF-8 detection', () => {
  it('decodes valid UTF-8 including non-ASCII and astral characters', () => {
    expect(decodeUtf8Strict(enc.encode('{"name":"Zoë 😀"}'))).toBe('{"name":"Zoë 😀"}');
  });

  it('rejects invalid sequences', () => {
    expect(decodeUtf8Strict(Uint8Array.from([0x7b, 0xff, 0x7d]))).toBeNull();
    // Truncated multi-byte sequence, overlong encoding, encoded surrogate.
    expect(decodeUtf8Strict(Uint8Array.from([0xe2, 0x82]))).toBeNull();
    expect(decodeUtf8Strict(Uint8Array.from([0xc0, 0xaf]))).toBeNull();
    expect(decodeUtf8Strict(Uint8Array.from([0xed, 0xa0, 0x80]))).toBeNull();
  });

  it('keeps a byte order mark, since the body must be shown exactly', () => {
    const text = decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
    expect(text).toBe('\uFEFF{}');
  });

  it('decodes lossily with replacement characters when asked', () => {
    expect(decodeUtf8Lossy(Uint8Array.from([0x61, 0xff, 0x62]))).toBe('a\uFFFDb');
  });
});

describe('decodeBody', () => {
  it('gives text for UTF-8 bodies and flags a BOM', () => {
    const plain = decodeBody(bytesToBase64(enc.encode('{"a":1}')));
    expect(plain.text).toBe('{"a":1}');
    expect(plain.bom).toBe(false);
    const bom = decodeBody(bytesToBase64(Uint8Array.from([0xef, 0xbb, 0xbf, 0x31])));
    expect(bom.bom).toBe(true);
    expect(bom.text).toBe('\uFEFF1');
  });

  it('gives null text for binary bodies but keeps the bytes', () => {
    const b = decodeBody(bytesToBase64(Uint8Array.from([0, 159, 146, 150])));
    expect(b.text).toBeNull();
    expect(b.bytes.length).toBe(4);
  });
});
