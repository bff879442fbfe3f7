import { describe, expect, it } from 'vitest';
import { sourceBadge, unverifiedCountText, unverifiedKind, unverifiedLead, unverifiedReason } from './provenance.ts';

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
  it('calls a valid signature that was stale on arrival its own kind', () => {
    const stale = { source: 'captured', signature: { status: 'valid', stale: true, age_seconds: 7_200 } } as const;
    expect(unverifiedKind(stale)).toBe('stale');
    expect(unverifiedKind({ source: 'captured', signature: { status: 'valid', stale: false, age_seconds: 3 } })).toBeNull();
    expect(unverifiedKind({ source: 'captured', signature: { status: 'invalid', stale: true, age_seconds: 7_200 } })).toBe('invalid');
    expect(unverifiedKind({ source: 'imported', signature: { status: 'valid', stale: true, age_seconds: 7_200 } })).toBe('imported');
    expect(unverifiedKind({ source: 'test', signature: { status: 'valid', stale: true, age_seconds: 7_200 } })).toBeNull();
  });
});

describe('unverifiedReason', () => {
  it('words each kind as the core does', () => {
    expect(unverifiedReason({ signature: { status: 'valid' } })).toBeNull();
    expect(unverifiedReason({ signature: { status: 'invalid' } })).toBe('its signature is invalid');
    expect(unverifiedReason({ source: 'imported', signature: { status: 'valid' } })).toBe(
      'it was imported from a fixture, not received from Persona',
    );
    expect(unverifiedReason({ signature: { status: 'valid', stale: true, age_seconds: 7_260 } })).toBe(
      'its signature is valid but was made 2 h 1 min before it arrived: an old request sent again?',
    );
    expect(unverifiedReason({ signature: { status: 'valid', stale: true, age_seconds: -600 } })).toBe(
      'its signature is valid but dated 10 min after it arrived',
    );
  });
  it('leads a stale one as a possible replay, the others as not signed by Persona', () => {
    expect(unverifiedLead('stale')).toBe('This delivery may be a replay');
    expect(unverifiedLead('missing')).toBe('Persona did not sign this delivery');
  });
});

describe('unverifiedCountText', () => {
  it('counts each kind, and says when some arrived stale', () => {
    expect(unverifiedCountText({ total: 3, unverified: 3, kinds: [{ kind: 'unchecked', count: 3 }] })).toBe(
      '3 of 3 are not signed by Persona (3 unchecked)',
    );
    expect(
      unverifiedCountText({
        total: 1,
        unverified: 1,
        kinds: [{ kind: 'stale', count: 1 }],
      }),
    ).toBe('1 of 1 is not signed by Persona or arrived stale (1 stale)');
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
