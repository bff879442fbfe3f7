import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../bindings.ts';
import { bestMatch, chooseAfterSearch, flatten, moveChoice, PAGE_ROWS, searchCatalog } from './picker.ts';

// In catalog order, as event_catalog gives it: groups are not alphabetical.
const catalog: CatalogEvent[] = [
  { name: 'inquiry.created', group: 'Inquiry', description: 'Occurs whenever an inquiry is created.' },
  { name: 'inquiry.completed', group: 'Inquiry', description: 'Occurs whenever an inquiry completes all the configured verifications.' },
  { name: 'report/business-watchlist.matched', group: 'Report', description: 'Occurs when a business watchlist report has matched.' },
  { name: 'report/politically-exposed-person.matched', group: 'Report', description: 'Occurs when a PEP report has matched against a watchlist.' },
  { name: 'report/watchlist.matched', group: 'Report', description: 'Occurs when a watchlist report has matched against a watchlist.' },
  { name: 'report/watchlist.ready', group: 'Report', description: 'Occurs when a watchlist report has completed processing.' },
  { name: 'account.created', group: 'Account', description: 'Occurs whenever an account is created.' },
  { name: 'connect/share-token.ready', group: 'Connect / Share Token', description: 'Occurs when a share token is ready.' },
];

const names = (query: string) => flatten(searchCatalog(catalog, query)).map((e) => e.name);

describe('searchCatalog', () => {
  it('shows every event grouped in catalog order when nothing is typed', () => {
    const groups = searchCatalog(catalog, '  ');
    expect(groups.map((g) => g.group)).toEqual(['Inquiry', 'Report', 'Account', 'Connect / Share Token']);
    expect(groups[1]!.events.map((e) => e.name)).toEqual([
      'report/business-watchlist.matched',
      'report/politically-exposed-person.matched',
      'report/watchlist.matched',
      'report/watchlist.ready',
    ]);
    expect(flatten(groups)).toHaveLength(catalog.length);
  });

  it('keeps events whose name, group or description holds every word, case-insensitively, dropping empty groups', () => {
    expect(names('WATCHLIST')).toEqual([
      'report/business-watchlist.matched',
      'report/politically-exposed-person.matched', // only its description says watchlist
      'report/watchlist.matched',
      'report/watchlist.ready',
    ]);
    expect(searchCatalog(catalog, 'watchlist').map((g) => g.group)).toEqual(['Report']);
    expect(names('watchlist ready')).toEqual(['report/watchlist.ready']);
    expect(names('share token')).toEqual(['connect/share-token.ready']);
    expect(names('account')).toEqual(['account.created']);
    expect(names('nothing-like-this')).toEqual([]);
  });
});

describe('bestMatch', () => {
  const best = (query: string) => bestMatch(flatten(searchCatalog(catalog, query)), query);

  it('prefers the exact name, then a name starting with the search past its report/ prefix', () => {
    expect(best('report/watchlist.ready')).toBe('report/watchlist.ready');
    expect(best('watchlist')).toBe('report/watchlist.matched');
    expect(best('watchlist.r')).toBe('report/watchlist.ready');
    expect(best('inquiry')).toBe('inquiry.created');
  });

  it('then a part of the name starting with each word, then the name holding them, then the description', () => {
    expect(best('completed')).toBe('inquiry.completed');
    expect(best('politically matched')).toBe('report/politically-exposed-person.matched');
    expect(best('hlist')).toBe('report/business-watchlist.matched');
    expect(best('configured')).toBe('inquiry.completed');
  });

  it('is null when nothing is shown', () => {
    expect(best('nothing-like-this')).toBeNull();
  });
});

describe('chooseAfterSearch', () => {
  const after = (query: string, current: string | null) =>
    chooseAfterSearch(flatten(searchCatalog(catalog, query)), query, current);

  it('chooses the best match as the search changes, and nothing when nothing matches', () => {
    expect(after('watchlist', 'account.created')).toBe('report/watchlist.matched');
    expect(after('zzz', 'account.created')).toBeNull();
  });

  it('keeps the choice when the search is cleared', () => {
    expect(after('', 'report/watchlist.ready')).toBe('report/watchlist.ready');
    expect(after('', null)).toBe('inquiry.created');
  });
});

describe('moveChoice', () => {
  const all = flatten(searchCatalog(catalog, ''));

  it('moves one row down or up across groups, stopping at the ends', () => {
    expect(moveChoice(all, 'inquiry.completed', 'ArrowDown')).toBe('report/business-watchlist.matched');
    expect(moveChoice(all, 'report/business-watchlist.matched', 'ArrowUp')).toBe('inquiry.completed');
    expect(moveChoice(all, 'inquiry.created', 'ArrowUp')).toBe('inquiry.created');
    expect(moveChoice(all, 'connect/share-token.ready', 'ArrowDown')).toBe('connect/share-token.ready');
  });

  it('pages by PAGE_ROWS, stopping at the ends', () => {
    const long = Array.from({ length: PAGE_ROWS * 3 }, (_, i) => ({ name: `e${i}`, group: 'G', description: '' }));
    expect(moveChoice(long, 'e1', 'PageDown')).toBe(`e${1 + PAGE_ROWS}`);
    expect(moveChoice(long, `e${1 + PAGE_ROWS}`, 'PageUp')).toBe('e1');
    expect(moveChoice(long, 'e3', 'PageUp')).toBe('e0');
    expect(moveChoice(long, `e${PAGE_ROWS * 3 - 2}`, 'PageDown')).toBe(`e${PAGE_ROWS * 3 - 1}`);
  });

  it('starts at the top going down and at the bottom going up when nothing shown is chosen', () => {
    const shown = flatten(searchCatalog(catalog, 'watchlist'));
    expect(moveChoice(shown, null, 'ArrowDown')).toBe('report/business-watchlist.matched');
    expect(moveChoice(shown, 'account.created', 'ArrowUp')).toBe('report/watchlist.ready');
    expect(moveChoice([], 'account.created', 'ArrowDown')).toBeNull();
  });
});
