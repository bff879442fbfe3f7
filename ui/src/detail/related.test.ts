import { describe, expect, it } from 'vitest';
import type { Relationship } from '../bindings.ts';
import { notIncluded } from './related.ts';

const API = { path: '/api/v1/accounts/act_1', source: 'https://docs.withpersona.com/x' };

function rel(name: string, targets: Array<[string, string, boolean | 'primary']>): Relationship {
  return {
    name,
    to_many: targets.length !== 1,
    targets: targets.map(([type, id, included], i) => ({
      type,
      id,
      included: included === true,
      included_index: included === true ? i : null,
      primary: included === 'primary',
      api: type === 'account' ? API : null,
    })),
  };
}

describe('notIncluded', () => {
  it('lists targets Persona did not include, once each, with the relationships naming them', () => {
    const missing = notIncluded([
      rel('account', [['account', 'act_1', false]]),
      rel('template', [['template', 'blu_1', true]]),
      rel('verifications', [
        ['verification/selfie', 'ver_1', false],
        ['verification/selfie', 'ver_2', true],
      ]),
      rel('owner', [['account', 'act_1', false]]),
    ]);
    expect(missing).toEqual([
      { type: 'account', id: 'act_1', api: API, via: ['account', 'owner'] },
      { type: 'verification/selfie', id: 'ver_1', api: null, via: ['verifications'] },
    ]);
  });

  it('keeps same ids of different types apart, and is empty when all are included', () => {
    expect(notIncluded([rel('a', [['x', '1', false], ['y', '1', false]])])).toHaveLength(2);
    expect(notIncluded([rel('a', [['x', '1', true]])])).toEqual([]);
    expect(notIncluded([])).toEqual([]);
  });

  it('does not call a link back to the primary resource (payload.data) missing', () => {
    expect(notIncluded([rel('inquiry', [['inquiry', 'inq_1', 'primary']])])).toEqual([]);
  });
});
