import { describe, expect, it } from 'vitest';
import type { Relationship } from '../bindings.ts';
import { notIncluded } from './related.ts';

function rel(name: string, targets: Array<[string, string, boolean]>): Relationship {
  return {
    name,
    to_many: targets.length !== 1,
    targets: targets.map(([type, id, included], i) => ({
      type,
      id,
      included,
      included_index: included ? i : null,
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
      { type: 'account', id: 'act_1', via: ['account', 'owner'] },
      { type: 'verification/selfie', id: 'ver_1', via: ['verifications'] },
    ]);
  });

  it('keeps same ids of different types apart, and is empty when all are included', () => {
    expect(notIncluded([rel('a', [['x', '1', false], ['y', '1', false]])])).toHaveLength(2);
    expect(notIncluded([rel('a', [['x', '1', true]])])).toEqual([]);
    expect(notIncluded([])).toEqual([]);
  });
});
