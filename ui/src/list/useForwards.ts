// Forward results as they come (`forwardsDone`, a burst at a time), kept per delivery so the list
// shows them over the rows it has read: a page read before a result arrived still shows it, and
// a page read after shows whichever is newer (see `shownForward`).

import { useCallback, useState } from 'react';
import { onForwards } from '../bindings.ts';
import { useSubscription } from '../useSubscription.ts';
import { rememberForwards, type LiveForward } from './forwardMark.ts';

export interface Forwards {
  live: ReadonlyMap<number, LiveForward>;
  /** Subscribing failed: results show only after a reload. */
  error: string | null;
}

export function useForwards(): Forwards {
  const [live, setLive] = useState<ReadonlyMap<number, LiveForward>>(() => new Map());
  const [error, setError] = useState<string | null>(null);
  const subscribe = useCallback(() => onForwards((results) => setLive((m) => rememberForwards(m, results))), []);
  useSubscription(subscribe, setError);
  return { live, error };
}
