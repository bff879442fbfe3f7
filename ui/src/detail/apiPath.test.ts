import { describe, expect, it } from 'vitest';
import { apiCollection, apiPathFor } from './apiPath.ts';

describe('apiCollection', () => {
  it('pluralizes the types Persona sends', () => {
    expect(apiCollection('account')).toBe('accounts');
    expect(apiCollection('inquiry')).toBe('inquiries');
    expect(apiCollection('inquiry-session')).toBe('inquiry-sessions');
    expect(apiCollection('inquiry-template')).toBe('inquiry-templates');
    expect(apiCollection('workflow-run')).toBe('workflow-runs');
    expect(apiCollection('transaction')).toBe('transactions');
    expect(apiCollection('case')).toBe('cases');
    expect(apiCollection('graph-query')).toBe('graph-queries');
    expect(apiCollection('selfie')).toBe('selfies');
  });

  it('sends subtypes to their family collection', () => {
    expect(apiCollection('verification/government-id')).toBe('verifications');
    expect(apiCollection('verification/selfie')).toBe('verifications');
    expect(apiCollection('report/watchlist')).toBe('reports');
    expect(apiCollection('document/government-id')).toBe('documents');
    expect(apiCollection('list-item/email-address')).toBe('list-items');
  });

  it('reads camelCase and snake_case types as kebab-case', () => {
    expect(apiCollection('inquirySession')).toBe('inquiry-sessions');
    expect(apiCollection('inquiry_template')).toBe('inquiry-templates');
  });

  it('is null for things that are not a type', () => {
    expect(apiCollection('')).toBeNull();
    expect(apiCollection('/selfie')).toBeNull();
    expect(apiCollection('../admin')).toBeNull();
    expect(apiCollection('a b')).toBeNull();
    expect(apiCollection('9lives')).toBeNull();
  });
});

describe('apiPathFor', () => {
  it('builds the GET path', () => {
    expect(apiPathFor('account', 'act_fJ8mQpDLrYvNcBzWk5HsAxRy')).toBe(
      '/api/v1/accounts/act_fJ8mQpDLrYvNcBzWk5HsAxRy',
    );
    expect(apiPathFor('verification/government-id', 'ver_X3')).toBe('/api/v1/verifications/ver_X3');
  });

  it('percent-encodes odd ids and refuses empty ones', () => {
    expect(apiPathFor('account', 'a/../b?c')).toBe('/api/v1/accounts/a%2F..%2Fb%3Fc');
    expect(apiPathFor('account', '  ')).toBeNull();
    expect(apiPathFor('', 'act_1')).toBeNull();
  });
});
