// The snapshot of a long list is read in pages of PAGE_SIZE rows: which pages the visible rows
// need, which of those to fetch, and which cached pages to drop when too many are held.

import type { Filter } from '../bindings.ts';
import type { RowRange } from './window.ts';

export const PAGE_SIZE = 200;
/** Pages kept in memory (12 000 rows); the farthest from view are dropped beyond this. */
export const MAX_PAGES = 60;

/**
 * Snapshot pages under the list rows `range`. List rows `0..freshCount` are live arrivals held in
 * memory; row `freshCount + k` is snapshot row `k`, on page `floor(k / pageSize)`.
 */
export function pagesInRange(
  range: RowRange,
  freshCount: number,
  total: number,
  pageSize: number = PAGE_SIZE,
): number[] {
  const from = Math.max(0, range.start - freshCount);
  const to = Math.min(total, range.end - freshCount);
  if (to <= from) return [];
  const pages: number[] = [];
  for (let p = Math.floor(from / pageSize); p <= Math.floor((to - 1) / pageSize); p++) pages.push(p);
  return pages;
}

interface Has {
  has(page: number): boolean;
}

/** Needed pages that are neither cached, nor being fetched, nor failed (those wait for Retry). */
export function pagesToFetch(needed: readonly number[], cached: Has, inflight: Has, failed: Has): number[] {
  return needed.filter((p) => !cached.has(p) && !inflight.has(p) && !failed.has(p));
}

/** Cached pages to drop so at most `max` stay: never a needed one, the farthest from view first. */
export function pagesToEvict(cached: Iterable<number>, needed: readonly number[], max: number = MAX_PAGES): number[] {
  const all = [...cached];
  if (all.length <= max) return [];
  const keep = new Set(needed);
  const center =
    needed.length === 0 ? 0 : (Math.min(...needed) + Math.max(...needed)) / 2;
  const candidates = all
    .filter((p) => !keep.has(p))
    .sort((a, b) => Math.abs(b - center) - Math.abs(a - center) || b - a);
  return candidates.slice(0, all.length - max);
}

/**
 * The query for one page of the snapshot: pinned below `top + 1`, so rows committed after the
 * snapshot was taken never shift the offsets.
 */
export function pageQuery(filter: Filter, top: number, page: number, pageSize: number = PAGE_SIZE): Filter {
  return { ...filter, before_id: top + 1, offset: page * pageSize, limit: pageSize };
}
