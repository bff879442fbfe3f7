import { describe, expect, it } from 'vitest';
import { childId, formatJsonPath, isIdentifierKey } from './jsonPath.ts';

describe('formatJsonPath', () => {
  it('uses dots when every key is an identifier', () => {
    expect(formatJsonPath(['data', 'attributes', 'payload', 'data', 'id'])).toBe(
      '$.data.attributes.payload.data.id',
    );
    expect(formatJsonPath([])).toBe('$');
    expect(formatJsonPath(['_a', '$b', 'c9'])).toBe('$._a.$b.c9');
  });

  it('puts array indices in brackets', () => {
    expect(formatJsonPath(['data', 'included', 0, 'id'])).toBe('$.data.included[0].id');
    expect(formatJsonPath([3])).toBe('$[3]');
  });

  it('brackets every key once one key is not an identifier', () => {
    expect(formatJsonPath(['data', 'a-b'])).toBe('$["data"]["a-b"]');
    expect(formatJsonPath(['data', 'attributes', 'created-at'])).toBe(
      '$["data"]["attributes"]["created-at"]',
    );
    expect(formatJsonPath(['included', 2, 'front-photo-url'])).toBe(
      '$["included"][2]["front-photo-url"]',
    );
  });

  it('escapes quotes, backslashes and control characters in keys', () => {
    expect(formatJsonPath(['say "hi"'])).toBe('$["say \\"hi\\""]');
    expect(formatJsonPath(['a\\b'])).toBe('$["a\\\\b"]');
    expect(formatJsonPath(['line\nbreak'])).toBe('$["line\\nbreak"]');
    expect(formatJsonPath([''])).toBe('$[""]');
  });

  it('treats numeric-looking and non-ASCII keys as strings, not indices', () => {
    expect(formatJsonPath(['0'])).toBe('$["0"]');
    expect(formatJsonPath(['größe'])).toBe('$["größe"]');
    expect(formatJsonPath(['9lives'])).toBe('$["9lives"]');
  });
});

describe('childId', () => {
  it('builds the canonical id step by step', () => {
    let id = '$';
    id = childId(id, 'data');
    id = childId(id, 'created-at');
    expect(id).toBe('$.data["created-at"]');
    expect(childId('$', 0)).toBe('$[0]');
    expect(childId('$', '0')).toBe('$["0"]');
  });

  it('keeps ids distinct for keys that look alike', () => {
    const ids = ['a', 'a.b', 'a"]', '0', ''].map((k) => childId('$', k));
    ids.push(childId('$', 0), childId(childId('$', 'a'), 'b'));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isIdentifierKey', () => {
  it('accepts JS identifiers only', () => {
    expect(isIdentifierKey('createdAt')).toBe(true);
    expect(isIdentifierKey('created_at')).toBe(true);
    expect(isIdentifierKey('created-at')).toBe(false);
    expect(isIdentifierKey('a b')).toBe(false);
    expect(isIdentifierKey('')).toBe(false);
  });
});
