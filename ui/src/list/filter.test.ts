import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT, filterKey, isFiltered, isStatus, matchesFilter, toFilter } from './filter.ts';
import { summary } from './fixtures.ts';

describe('toFilter', () => {
  it('leaves out empty fields instead of sending empty strings', () => {
    expect(toFilter(EMPTY_DRAFT)).toEqual({});
    expect(Object.keys(toFilter({ ...EMPTY_DRAFT, search: '   ' }))).toEqual([]);
  });

  it('trims what was typed', () => {
    expect(
      toFilter({
        event_name: 'inquiry.approved',
        signature: 'invalid',
        search: ' inq_kT4x ',
        resource_id: ' inq_1 ',
        event_id: 'evt_9',
      }),
    ).toEqual({
      event_name: 'inquiry.approved',
      signature: 'invalid',
      search: 'inq_kT4x',
      resource_id: 'inq_1',
      event_id: 'evt_9',
    });
  });
});

describe('isFiltered and filterKey', () => {
  it('ignores paging fields', () => {
    expect(isFiltered({ limit: 10, before_id: 5, offset: 3 })).toBe(false);
    expect(isFiltered({ event_id: 'evt_1' })).toBe(true);
    expect(filterKey({ limit: 10 })).toBe(filterKey({}));
    expect(filterKey({ search: 'a' })).not.toBe(filterKey({ resource_id: 'a' }));
  });
});

describe('matchesFilter', () => {
  const row = summary(7);

  it('admits everything without a filter', () => {
    expect(matchesFilter(row, {})).toBe(true);
  });

  it('compares each simple field exactly', () => {
    expect(matchesFilter(row, { event_name: 'inquiry.completed' })).toBe(true);
    expect(matchesFilter(row, { event_name: 'inquiry.approved' })).toBe(false);
    expect(matchesFilter(row, { event_id: 'evt_7' })).toBe(true);
    expect(matchesFilter(row, { event_id: 'evt_8' })).toBe(false);
    expect(matchesFilter(row, { resource_id: 'inq_7' })).toBe(true);
    expect(matchesFilter(row, { resource_id: 'inq_' })).toBe(false);
    expect(matchesFilter(row, { signature: 'valid' })).toBe(true);
    expect(matchesFilter(row, { signature: 'invalid' })).toBe(false);
  });

  it('rejects deliveries without the field being filtered on', () => {
    const notJson = summary(8, { event_name: null, event_id: null, resource: null });
    expect(matchesFilter(notJson, { event_name: 'inquiry.completed' })).toBe(false);
    expect(matchesFilter(notJson, { resource_id: 'inq_8' })).toBe(false);
    expect(matchesFilter(notJson, {})).toBe(true);
  });

  it('leaves a text search to the store, unless a simple field already rules the row out', () => {
    expect(matchesFilter(row, { search: 'inq' })).toBeNull();
    expect(matchesFilter(row, { search: 'inq', signature: 'missing' })).toBe(false);
  });
});

describe('isStatus', () => {
  it('knows the verdicts', () => {
    expect(isStatus('malformed')).toBe(true);
    expect(isStatus('stale')).toBe(false);
  });
});
