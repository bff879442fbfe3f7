import { describe, expect, it } from 'vitest';
import { sourceBadge, unverifiedKind } from './provenance.ts';

describe('unverifiedKind', () => {
  it('needs no opt-in for what Persona signed or the app made', () => {
    expect(unverifiedKind({ source: 'captured', signature: { status: 'valid' } })).toBeNull();
    expect(unverifiedKind({ signature: { status: 'valid' } })).toBeNull();
    expect(unverifiedKind({ source: 'test', signature: { status: 'invalid' } })).toBeNull();
  });
  it('names the verdict or the import otherwise', () => {
    expect(unverifiedKind({ source: 'captured', signature: { status: 'missing' } })).toBe('missing');
    expect(unverifiedKind({ source: 'imported', signature: { status: 'valid' } })).toBe('imported');
  });
});

describe('sourceBadge', () => {
  it('marks imports and test events, not captures', () => {
    expect(sourceBadge({ source: 'captured' })).toBeNull();
    expect(sourceBadge({ source: 'imported', original_received_at: '2026-11-22T10:04:05.123Z' })?.title).toContain(
      '2026-11-22T10:04:05.123Z',
    );
    expect(sourceBadge({ source: 'test' })?.label).toBe('test event');
  });
});
