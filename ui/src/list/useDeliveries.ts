// The list's data over time: (re)loads a snapshot when the filter changes or on request, reads
// the pages that scroll into view, and takes in live arrivals.

import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { isCommandError, listDeliveries, onDeliveries, type Filter } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { filterKey } from './filter.ts';
import { readFirstPage, takeFirstPage, type FirstPage } from './firstPage.ts';
import { PAGE_SIZE, pageQuery, pagesInRange, pagesToEvict, pagesToFetch } from './pages.ts';
import { INITIAL, reduce, type ListState } from './snapshot.ts';
import type { RowRange } from './window.ts';

/** Scrolling must pause this long before pages are read… */
const FETCH_DEBOUNCE_MS = 80;
/** …unless it has gone on this long, so a long drag still fills in. */
const FETCH_MAX_WAIT_MS = 300;
/** Rows read ahead beyond the rendered ones, so slow scrolling never meets a placeholder. */
const READ_AHEAD = 60;
/** Arrivals kept above the snapshot before it is retaken (it then holds them in pages). */
const FRESH_MAX = 5000;
/** With a text search, the store is asked what arrived once a burst settles. */
const SEARCH_REFRESH_MS = 300;

export interface Deliveries {
  state: ListState;
  /** Which rows are on screen; missing pages are read shortly after. */
  showRange: (range: RowRange) => void;
  /** Retake the snapshot (verdicts changed, the store came back). */
  reload: () => void;
  /** Read failed pages again, or reload after a failed load. */
  retry: () => void;
  /** Subscribing to live arrivals failed. */
  liveError: string | null;
}

/** The state of a list whose first load (generation 1) read `page`; INITIAL without one. */
function opening({ filter, page }: { filter: Filter; page: FirstPage | null }): ListState {
  if (page === null) return INITIAL;
  const loading = reduce(INITIAL, { type: 'load', generation: 1, filter });
  return reduce(loading, { type: 'loaded', generation: 1, ...page });
}

export function useDeliveries(filter: Filter): Deliveries {
  // The first page main.tsx asked for before the first render, if it is there already.
  const [takenOver] = useState(() => takeFirstPage(filter));
  const opened = takenOver?.page ?? null;
  const [state, dispatch] = useReducer(reduce, { filter, page: opened }, opening);
  const [reloads, setReloads] = useState(0);
  const [liveError, setLiveError] = useState<string | null>(null);
  const stateRef = useRef(state);
  const generation = useRef(opened === null ? 0 : 1);
  /** The first load is done already: the load effect's first run has nothing to do. */
  const skipLoad = useRef(opened !== null);
  const inflight = useRef(new Set<number>());
  const range = useRef<RowRange>({ start: 0, end: 0 });
  const fetchTimer = useRef<number | undefined>(undefined);
  const firstWait = useRef<number | null>(null);
  const searchTimer = useRef<number | undefined>(undefined);
  const subscribed = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    stateRef.current = state;
  });

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  const fetchNeeded = useCallback(() => {
    window.clearTimeout(fetchTimer.current);
    fetchTimer.current = undefined;
    firstWait.current = null;
    const s = stateRef.current;
    if (s.loading || !s.loaded || s.generation !== generation.current) return;
    const ahead = { start: range.current.start - READ_AHEAD, end: range.current.end + READ_AHEAD };
    const needed = pagesInRange(ahead, s.fresh.length, s.total);
    const pending = inflight.current;
    const { generation: gen, top, filter: f } = s;
    for (const page of pagesToFetch(needed, s.pages, pending, s.failed)) {
      pending.add(page);
      listDeliveries(pageQuery(f, top, page))
        .then(
          (rows) => dispatch({ type: 'page', generation: gen, page, rows }),
          (e: unknown) => dispatch({ type: 'page-failed', generation: gen, page, message: errorText(e) }),
        )
        .finally(() => pending.delete(page));
    }
    const evict = pagesToEvict(s.pages.keys(), needed);
    if (evict.length > 0) dispatch({ type: 'evict', pages: evict });
  }, []);

  const scheduleFetch = useCallback(() => {
    const now = Date.now();
    firstWait.current ??= now;
    window.clearTimeout(fetchTimer.current);
    const waited = now - firstWait.current;
    const delay = waited >= FETCH_MAX_WAIT_MS ? 0 : FETCH_DEBOUNCE_MS;
    fetchTimer.current = window.setTimeout(fetchNeeded, delay);
  }, [fetchNeeded]);

  const showRange = useCallback(
    (r: RowRange) => {
      range.current = r;
      scheduleFetch();
    },
    [scheduleFetch],
  );

  // With a text search only the store can tell whether an arrival matches: ask it for the
  // newest matches once a burst settles, and retake the snapshot if there are too many to merge.
  const refreshSearch = useCallback(() => {
    window.clearTimeout(searchTimer.current);
    searchTimer.current = window.setTimeout(() => {
      const s = stateRef.current;
      if (s.loading || !s.loaded || s.filter.search === undefined) return;
      const gen = s.generation;
      listDeliveries({ ...s.filter, limit: PAGE_SIZE }).then(
        (rows) => {
          const newer = rows.filter((r) => r.id > s.top);
          if (newer.length >= PAGE_SIZE) reload();
          else dispatch({ type: 'newer', generation: gen, rows: newer });
        },
        (e: unknown) =>
          dispatch({ type: 'read-failed', generation: gen, message: errorText(e) }),
      );
    }, SEARCH_REFRESH_MS);
  }, [reload]);

  // Subscribe before the first load reads, so nothing committed in between is missed. Both are
  // layout effects: a load's requests leave before the window paints, not after.
  useLayoutEffect(() => {
    let cancelled = false;
    let unlisten: (() => void) | undefined;
    subscribed.current = onDeliveries((rows) => {
      if (cancelled) return;
      dispatch({ type: 'arrived', rows });
      if (stateRef.current.filter.search !== undefined) refreshSearch();
    }).then(
      (u) => {
        if (cancelled) u();
        else unlisten = u;
        setLiveError(null);
        // Listening now: what the prefetch heard meanwhile joins the list.
        const arrived = takenOver?.handOver() ?? [];
        if (!cancelled && arrived.length > 0) dispatch({ type: 'arrived', rows: arrived });
      },
      (e: unknown) => {
        takenOver?.handOver();
        if (!cancelled) setLiveError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
      unlisten?.();
      window.clearTimeout(searchTimer.current);
      window.clearTimeout(fetchTimer.current);
    };
  }, [refreshSearch, takenOver]);

  const key = filterKey(filter);
  useLayoutEffect(() => {
    if (skipLoad.current) {
      skipLoad.current = false;
      return;
    }
    const gen = ++generation.current;
    inflight.current = new Set();
    const f = filter;
    dispatch({ type: 'load', generation: gen, filter: f });
    void (async () => {
      try {
        const page = await readFirstPage(f, subscribed.current);
        dispatch({ type: 'loaded', generation: gen, ...page });
      } catch (e) {
        dispatch({
          type: 'load-failed',
          generation: gen,
          error: { kind: isCommandError(e) ? e.kind : 'unknown', message: errorText(e) },
        });
      }
    })();
    // `filter` is read through its key: a new object with the same fields is not a new filter.
  }, [key, reloads]);

  // A new snapshot, a shrunk list or a retry: read what is on screen now.
  useEffect(() => {
    if (state.loaded && !state.loading) fetchNeeded();
  }, [state.generation, state.loaded, state.loading, state.total, state.failed, fetchNeeded]);

  useEffect(() => {
    if (state.fresh.length > FRESH_MAX && !state.loading) reload();
  }, [state.fresh.length, state.loading, reload]);

  const retry = useCallback(() => {
    const s = stateRef.current;
    if (s.error !== null || !s.loaded) return reload();
    dispatch({ type: 'retry-pages' });
    if (s.filter.search !== undefined) refreshSearch();
  }, [reload, refreshSearch]);

  return { state, showRange, reload, retry, liveError };
}
