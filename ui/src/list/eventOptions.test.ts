import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../bindings.ts';
import { eventOptions } from './eventOptions.ts';

const catalog: CatalogEvent[] = [
  { name: 'inquiry.created', group: 'Inquiry', description: '' },
  { name: 'inquiry.approved', group: 'Inquiry', description: '' },
  { name: 'report/watchlist.ready', group: 'Report', description: '' },
  { name: 'account.created', group: 'Account', description: '' },
];

describe('eventOptions', () => {
  it('lists received names first, busiest first, then the rest of the catalog by name', () => {
    const o = eventOptions(catalog, [
      { event_name: 'inquiry.created', count: 3 },
      { event_name: 'account.created', count: 12 },
      { event_name: 'inquiry.approved', count: 3 },
    ]);
    expect(o.received.map((e) => [e.name, e.count])).toEqual([
      ['account.created', 12],
      ['inquiry.approved', 3],
      ['inquiry.created', 3],
    ]);
    expect(o.catalog.map((e) => e.name)).toEqual(['report/watchlist.ready']);
  });

  it('includes names Persona does not document, flagged unknown', () => {
    const o = eventOptions(catalog, [{ event_name: 'widget.exploded', count: 1 }]);
    expect(o.received).toEqual([{ name: 'widget.exploded', count: 1, group: null, known: false }]);
    expect(o.catalog).toHaveLength(4);
  });

  it('leaves out deliveries without an event name and empty counts', () => {
    const o = eventOptions(catalog, [
      { event_name: null, count: 4 },
      { event_name: 'inquiry.created', count: 0 },
    ]);
    expect(o.received).toEqual([]);
    expect(o.catalog.map((e) => e.name)).toContain('inquiry.created');
  });

  it('keeps the selected name even when nothing else lists it', () => {
    expect(eventOptions(catalog, [], 'gone.event').received).toEqual([
      { name: 'gone.event', count: 0, group: null, known: false },
    ]);
    expect(eventOptions(catalog, [], 'inquiry.created').received).toEqual([]);
  });

  it('gives every catalog option its group', () => {
    const o = eventOptions(catalog, [{ event_name: 'inquiry.created', count: 1 }]);
    expect(o.received[0]?.group).toBe('Inquiry');
    expect(o.catalog.find((e) => e.name === 'account.created')?.group).toBe('Account');
  });
});
