// Forward results as they come (`forwardsDone`, a burst at a time), kept per delivery so the list
// shows them over the rows it has read: a page read before a result arrived still shows it, and
// a page read after shows whichever is newer (see `shownForward`).

import { useEffect, useState } from 'react';
import { onForwards } from '../bindings.ts';
import { errorText } from '../format.ts';
import { rememberForwards, type LiveForward } from './forwardMark.ts';

export interface Forwards {
  live: ReadonlyMap<number, LiveForward>;
  /** Subscribing failed: results show only after a reload. */
  error: string | null;
}

export function useForwards(): Forwards {
  const [live, setLive] = useState<ReadonlyMap<number, LiveForward>>(() => new Map());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    let unlisten: (() => void) | undefined;
    onForwards((results) => {
      if (!cancelled) setLive((m) => rememberForwards(m, results));
    }).then(
      (u) => {
        if (cancelled) u();
        else unlisten = u;
      },
      (e: unknown) => {
        if (!cancelled) setError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, []);
  return { live, error };
}
