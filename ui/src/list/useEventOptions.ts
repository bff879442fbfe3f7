// What the event filter and the Forwarding dialog offer: Persona's event catalog and how many
// stored deliveries carry each name, re-counted once a burst of arrivals settles.

import { useCallback, useEffect, useRef, useState } from 'react';
import {
  eventCatalog,
  eventCounts,
  isCommandError,
  onDeliveries,
  type CatalogEvent,
  type CommandError,
  type EventCount,
} from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { useSubscription } from '../useSubscription.ts';

/** Event counts are re-read once a burst of arrivals settles. */
const COUNTS_REFRESH_MS = 1000;

function asCommandError(e: unknown): CommandError {
  return isCommandError(e) ? e : { kind: 'unknown', message: errorText(e) };
}

export interface EventOptions {
  catalog: CatalogEvent[];
  counts: EventCount[];
  error: CommandError | null;
  reloadCounts: () => void;
}

/** `onEventsError` (stable) is told when arrivals cannot be followed. */
export function useEventOptions(onEventsError: (message: string) => void): EventOptions {
  const [catalog, setCatalog] = useState<CatalogEvent[]>([]);
  const [counts, setCounts] = useState<EventCount[]>([]);
  const [error, setError] = useState<CommandError | null>(null);

  const reloadCounts = useCallback(() => {
    eventCounts().then(
      (c) => {
        setCounts(c);
        setError(null);
      },
      (e: unknown) => setError(asCommandError(e)),
    );
  }, []);
  useEffect(() => {
    reloadCounts();
    eventCatalog().then(setCatalog, (e: unknown) => setError(asCommandError(e)));
  }, [reloadCounts]);

  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const subscribe = useCallback(
    () =>
      onDeliveries(() => {
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(reloadCounts, COUNTS_REFRESH_MS);
      }),
    [reloadCounts],
  );
  useSubscription(subscribe, onEventsError);

  return { catalog, counts, error, reloadCounts };
}
