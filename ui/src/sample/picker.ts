// The sample dialog's event picker, as data: Persona's catalog filtered by what is typed, grouped
// as the catalog groups it (groups and events in catalog order), the event chosen when the
// search changes (the best match), and the arrow keys' moves. Pure.

import type { CatalogEvent } from '../bindings.ts';

export interface CatalogGroup {
  group: string;
  events: CatalogEvent[];
}

/** The words typed, lower-cased; none for an empty search. */
function terms(query: string): string[] {
  return query.trim().toLowerCase().split(/\s+/).filter((t) => t !== '');
}

/** Every word appears in the event's name, group or description. */
function matches(event: CatalogEvent, words: readonly string[]): boolean {
  const text = `${event.name} ${event.group} ${event.description}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The catalog events matching `query`, grouped in catalog order; all of them when it is empty. */
export function searchCatalog(catalog: readonly CatalogEvent[], query: string): CatalogGroup[] {
  const words = terms(query);
  const groups: CatalogGroup[] = [];
  const byGroup = new Map<string, CatalogGroup>();
  for (const event of catalog) {
    if (!matches(event, words)) continue;
    let g = byGroup.get(event.group);
    if (g === undefined) {
      g = { group: event.group, events: [] };
      byGroup.set(event.group, g);
      groups.push(g);
    }
    g.events.push(event);
  }
  return groups;
}

/** The events as shown, top to bottom: what the arrow keys walk. */
export function flatten(groups: readonly CatalogGroup[]): CatalogEvent[] {
  return groups.flatMap((g) => g.events);
}

/**
 * How well `name` answers the search, lower is better: the name itself; the name without its
 * `report/` prefix starting with it ("watchlist" → `report/watchlist.matched`); a part of the
 * name starting with a word ("completed" → `inquiry.completed`); the name holding every word;
 * only the group or description holding them.
 */
function rank(name: string, query: string, words: readonly string[]): number {
  const lower = name.toLowerCase();
  const q = query.trim().toLowerCase();
  if (lower === q) return 0;
  const bare = lower.slice(lower.indexOf('/') + 1);
  if (bare.startsWith(q) || lower.startsWith(q)) return 1;
  const parts = lower.split(/[/.]/);
  if (words.every((w) => parts.some((p) => p.startsWith(w)))) return 2;
  if (words.every((w) => lower.includes(w))) return 3;
  return 4;
}

/** The event a search points at: the best-ranked match, the first in the list on a tie. */
export function bestMatch(shown: readonly CatalogEvent[], query: string): string | null {
  const words = terms(query);
  let best: { name: string; rank: number } | null = null;
  for (const e of shown) {
    const r = rank(e.name, query, words);
    if (best === null || r < best.rank) best = { name: e.name, rank: r };
    if (r === 0) break;
  }
  return best?.name ?? null;
}

/**
 * The chosen event once the search reads `query`: cleared, the choice stays (every event is
 * shown again); otherwise the best match, or none when nothing matches.
 */
export function chooseAfterSearch(shown: readonly CatalogEvent[], query: string, current: string | null): string | null {
  if (terms(query).length === 0 && current !== null && shown.some((e) => e.name === current)) return current;
  return bestMatch(shown, query);
}

export type MoveKey = 'ArrowDown' | 'ArrowUp' | 'PageDown' | 'PageUp';

/** Rows a Page key moves by (about what the list shows at once). */
export const PAGE_ROWS = 8;

export function isMoveKey(key: string): key is MoveKey {
  return key === 'ArrowDown' || key === 'ArrowUp' || key === 'PageDown' || key === 'PageUp';
}

/**
 * The event chosen after `key`: one row (or a page) down or up, stopping at the ends; from no
 * choice (or one no longer shown), Down starts at the top and Up at the bottom.
 */
export function moveChoice(shown: readonly CatalogEvent[], current: string | null, key: MoveKey): string | null {
  if (shown.length === 0) return null;
  const last = shown.length - 1;
  const at = current === null ? -1 : shown.findIndex((e) => e.name === current);
  const down = key === 'ArrowDown' || key === 'PageDown';
  if (at === -1) return shown[down ? 0 : last]!.name;
  const step = key === 'PageDown' || key === 'PageUp' ? PAGE_ROWS : 1;
  const next = Math.min(last, Math.max(0, at + (down ? step : -step)));
  return shown[next]!.name;
}
