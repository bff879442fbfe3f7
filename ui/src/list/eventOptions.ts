// The event-name filter's choices: names that have deliveries first, busiest first with their
// counts, then the rest of Persona's catalog, so one can filter ahead of the first delivery.

import type { CatalogEvent, EventCount } from '../bindings.ts';

export interface EventOption {
  name: string;
  /** Stored deliveries with this name (0 for catalog names not received yet). */
  count: number;
  group: string | null;
  /** In Persona's catalog. */
  known: boolean;
}

export interface EventOptions {
  received: EventOption[];
  catalog: EventOption[];
}

/**
 * `selected` is kept among the choices even when no count or catalog entry names it (e.g. a
 * purge emptied it), so the select never silently shows another value.
 */
export function eventOptions(
  catalog: readonly CatalogEvent[],
  counts: readonly EventCount[],
  selected = '',
): EventOptions {
  const groups = new Map<string, string>();
  for (const e of catalog) groups.set(e.name, e.group);
  const received = new Map<string, number>();
  for (const c of counts) {
    // Deliveries that are not Persona events have no name to filter on.
    if (c.event_name === null || c.count <= 0) continue;
    received.set(c.event_name, (received.get(c.event_name) ?? 0) + c.count);
  }
  if (selected !== '' && !received.has(selected) && !groups.has(selected)) received.set(selected, 0);
  const byName = (a: EventOption, b: EventOption) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    received: [...received]
      .map(([name, count]) => ({
        name,
        count,
        group: groups.get(name) ?? null,
        known: groups.has(name),
      }))
      .sort((a, b) => b.count - a.count || byName(a, b)),
    catalog: catalog
      .filter((e) => !received.has(e.name))
      .map((e) => ({ name: e.name, count: 0, group: e.group, known: true }))
      .sort(byName),
  };
}
