// The list's data: a snapshot of the store taken at (re)load, read in pages, plus live arrivals
// newer than the snapshot held in memory above it. A pure reducer, so the merging rules are
// tested without Tauri or React.

import type { Filter, Summary } from '../bindings.ts';
import { filterKey, matchesFilter } from './filter.ts';
import { PAGE_SIZE } from './pages.ts';

export interface LoadError {
  kind: string;
  message: string;
}

export interface ListState {
  /** Bumped by every (re)load; answers for an older generation are dropped. */
  generation: number;
  /** The filter of the snapshot shown, or being loaded. */
  filter: Filter;
  /** A (re)load is under way; the previous snapshot stays on screen meanwhile. */
  loading: boolean;
  /** A snapshot has been loaded at least once. */
  loaded: boolean;
  /** `filterKey` of the snapshot on screen: while it differs from `filter`'s, the rows are old. */
  shownKey: string | null;
  /** The newest id in the snapshot (0 when empty): pages are read below `top + 1`. */
  top: number;
  /** How many rows the snapshot holds. */
  total: number;
  pages: ReadonlyMap<number, readonly Summary[]>;
  /** Arrivals newer than `top` that match the filter, newest first. */
  fresh: readonly Summary[];
  /** Arrivals during a load, sorted out once its `top` is known. */
  pending: readonly Summary[];
  error: LoadError | null;
  /** Pages that could not be read; refetched on Retry only, so a failing store is not hammered. */
  failed: ReadonlySet<number>;
  pageError: string | null;
}

export type ListAction =
  | { type: 'load'; generation: number; filter: Filter }
  | { type: 'loaded'; generation: number; top: number; total: number; first: readonly Summary[] }
  | { type: 'load-failed'; generation: number; error: LoadError }
  | { type: 'page'; generation: number; page: number; rows: readonly Summary[] }
  | { type: 'page-failed'; generation: number; page: number; message: string }
  /** A read other than a page failed (the newest matches of a search). */
  | { type: 'read-failed'; generation: number; message: string }
  | { type: 'retry-pages' }
  | { type: 'evict'; pages: readonly number[] }
  | { type: 'arrived'; rows: readonly Summary[] }
  /** Rows newer than the snapshot, as the store answered a search (matching already decided). */
  | { type: 'newer'; generation: number; rows: readonly Summary[] };

export const INITIAL: ListState = {
  generation: 0,
  filter: {},
  loading: false,
  loaded: false,
  shownKey: null,
  top: 0,
  total: 0,
  pages: new Map(),
  fresh: [],
  pending: [],
  error: null,
  failed: new Set(),
  pageError: null,
};

/** Rows above the snapshot, newest first, one per id (a later copy replaces an earlier one). */
export function mergeFresh(
  fresh: readonly Summary[],
  incoming: readonly Summary[],
  top: number,
): Summary[] {
  const newer = incoming.filter((r) => r.id > top);
  if (newer.length === 0) return fresh as Summary[];
  const byId = new Map<number, Summary>();
  for (const r of fresh) byId.set(r.id, r);
  for (const r of newer) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/**
 * A retry of an event already on screen raises that event's repeat count: rows already shown
 * with the same event id get the arrival's `event_deliveries`.
 */
export function bumpRepeats(
  state: Pick<ListState, 'pages' | 'fresh'>,
  arrivals: readonly Summary[],
): Pick<ListState, 'pages' | 'fresh'> {
  const counts = new Map<string, number>();
  for (const r of arrivals) {
    if (r.event_id !== null && r.event_deliveries > 1) {
      counts.set(r.event_id, Math.max(counts.get(r.event_id) ?? 0, r.event_deliveries));
    }
  }
  if (counts.size === 0) return state;
  const bump = (rows: readonly Summary[]): readonly Summary[] => {
    let changed = false;
    const out = rows.map((r) => {
      const n = r.event_id === null ? undefined : counts.get(r.event_id);
      if (n === undefined || n <= r.event_deliveries) return r;
      changed = true;
      return { ...r, event_deliveries: n };
    });
    return changed ? out : rows;
  };
  const pages = new Map<number, readonly Summary[]>();
  let pagesChanged = false;
  for (const [p, rows] of state.pages) {
    const next = bump(rows);
    if (next !== rows) pagesChanged = true;
    pages.set(p, next);
  }
  return { pages: pagesChanged ? pages : state.pages, fresh: bump(state.fresh) };
}

/** Arrivals that belong in the list; with a text search none do here (the store decides). */
function admitted(rows: readonly Summary[], filter: Filter): Summary[] {
  return rows.filter((r) => matchesFilter(r, filter) === true);
}

export function reduce(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'load':
      return {
        ...state,
        generation: action.generation,
        filter: action.filter,
        loading: true,
        pending: [],
        error: null,
      };
    case 'loaded': {
      if (action.generation !== state.generation) return state;
      const pages = new Map<number, readonly Summary[]>();
      if (action.first.length > 0) pages.set(0, action.first.slice(0, PAGE_SIZE));
      return {
        ...state,
        loading: false,
        loaded: true,
        shownKey: filterKey(state.filter),
        top: action.top,
        total: action.total,
        pages,
        fresh: mergeFresh([], admitted(state.pending, state.filter), action.top),
        pending: [],
        error: null,
        failed: new Set(),
        pageError: null,
      };
    }
    case 'load-failed':
      if (action.generation !== state.generation) return state;
      return { ...state, loading: false, pending: [], error: action.error };
    case 'page': {
      if (action.generation !== state.generation || state.loading) return state;
      const pages = new Map(state.pages);
      pages.set(action.page, action.rows);
      // A short page before the end means rows were purged since the count: the list ends here.
      const end = action.page * PAGE_SIZE + action.rows.length;
      const short = action.rows.length < PAGE_SIZE && end < state.total;
      if (short) for (const p of pages.keys()) if (p > action.page) pages.delete(p);
      return { ...state, pages, total: short ? end : state.total };
    }
    case 'page-failed': {
      if (action.generation !== state.generation || state.loading) return state;
      const failed = new Set(state.failed);
      failed.add(action.page);
      return { ...state, failed, pageError: action.message };
    }
    case 'read-failed':
      if (action.generation !== state.generation || state.loading) return state;
      return { ...state, pageError: action.message };
    case 'retry-pages':
      return { ...state, failed: new Set(), pageError: null };
    case 'evict': {
      if (action.pages.length === 0) return state;
      const pages = new Map(state.pages);
      for (const p of action.pages) pages.delete(p);
      return { ...state, pages };
    }
    case 'arrived': {
      const bumped = bumpRepeats(state, action.rows);
      if (state.loading) {
        return { ...state, ...bumped, pending: [...state.pending, ...action.rows] };
      }
      return {
        ...state,
        pages: bumped.pages,
        fresh: mergeFresh(bumped.fresh, admitted(action.rows, state.filter), state.top),
      };
    }
    case 'newer':
      if (action.generation !== state.generation || state.loading) return state;
      return { ...state, fresh: mergeFresh(state.fresh, action.rows, state.top) };
  }
}

/** Rows in the list: live arrivals, then the snapshot. */
export function rowCount(s: ListState): number {
  return s.fresh.length + s.total;
}

/** The row at a list index, or undefined while its page is not loaded. */
export function rowAt(s: ListState, index: number): Summary | undefined {
  if (index < 0) return undefined;
  if (index < s.fresh.length) return s.fresh[index];
  const k = index - s.fresh.length;
  if (k >= s.total) return undefined;
  return s.pages.get(Math.floor(k / PAGE_SIZE))?.[k % PAGE_SIZE];
}

/** The list index of a delivery among the loaded rows, or null. */
export function indexOfId(s: ListState, id: number): number | null {
  const f = s.fresh.findIndex((r) => r.id === id);
  if (f >= 0) return f;
  for (const [page, rows] of s.pages) {
    const first = rows[0];
    const last = rows[rows.length - 1];
    // Pages are newest first: only a page whose id span covers `id` can hold it.
    if (first === undefined || last === undefined || id > first.id || id < last.id) continue;
    const i = rows.findIndex((r) => r.id === id);
    if (i >= 0) return s.fresh.length + page * PAGE_SIZE + i;
  }
  return null;
}

/** The rows on screen were loaded for another filter than the one being loaded now. */
export function showsOtherFilter(s: ListState): boolean {
  return s.shownKey !== null && s.shownKey !== filterKey(s.filter);
}
