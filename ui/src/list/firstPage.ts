// The list's first page, asked for as soon as the script runs (main.tsx), before React's first
// render: the requests travel while the page's code loads, and the window's first paint already
// shows the list instead of an empty one followed by a second paint (launch, BENCHMARKS.md
// "Desktop app"). The list (useDeliveries) takes it over; anything not taken is read as before.

import { countDeliveries, listDeliveries, onDeliveries, type Filter, type Summary } from '../bindings.ts';
import { filterKey } from './filter.ts';
import { PAGE_SIZE } from './pages.ts';

/** A snapshot's first page, as the list's first load reads it. */
export interface FirstPage {
  top: number;
  total: number;
  first: readonly Summary[];
}

/** The same reads as the list's load: subscribed first, so no arrival in between is missed. */
export async function readFirstPage(filter: Filter, subscribed: Promise<unknown>): Promise<FirstPage> {
  await subscribed;
  const first = await listDeliveries({ ...filter, limit: PAGE_SIZE });
  const top = first[0]?.id ?? 0;
  // Counted below top + 1, like the pages, so arrivals since do not inflate it.
  const total = first.length < PAGE_SIZE ? first.length : await countDeliveries({ ...filter, before_id: top + 1 });
  return { top, total, first };
}

/** The unfiltered list the window opens with. */
const OPENING: Filter = {};

interface Prefetch {
  /** Set once the read succeeded. */
  page: FirstPage | null;
  /** Arrivals heard since the subscription, until the list takes over. */
  arrived: Summary[];
  stop: () => void;
}

let prefetch: Prefetch | null = null;

/** Starts reading the opening list's first page; resolves (never rejects) once it is settled. */
export function prefetchFirstPage(): Promise<void> {
  let listening = true;
  const p: Prefetch = { page: null, arrived: [], stop: () => undefined };
  const unlisten = onDeliveries((rows) => {
    if (listening) p.arrived.push(...rows);
  });
  p.stop = () => {
    listening = false;
    unlisten.then((u) => u(), () => undefined);
  };
  prefetch = p;
  return readFirstPage(OPENING, unlisten).then(
    (page) => {
      p.page = page;
    },
    // The list's own load reads again and shows the error.
    () => undefined,
  );
}

/** What the list takes over from the prefetch. */
export interface TakenOver {
  /** The opening list's first page, when it was read in time and the list opens unfiltered. */
  page: FirstPage | null;
  /**
   * Called once the list listens itself: the prefetch stops listening and hands over what
   * arrived since it started (the list merges them by id, so one heard twice is no matter).
   */
  handOver: () => Summary[];
}

/** Taken once, by the list's first render; null when nothing was prefetched. */
export function takeFirstPage(filter: Filter): TakenOver | null {
  const p = prefetch;
  prefetch = null;
  if (p === null) return null;
  return {
    page: filterKey(filter) === filterKey(OPENING) ? p.page : null,
    handOver: () => {
      p.stop();
      return p.arrived;
    },
  };
}
