// The listener's status, asked for as soon as the script runs (main.tsx), with the list's first
// page: the first paint then shows the header's address and, on an empty store, the first-run
// guide, instead of "Starting the listener…" and an empty list that the guide replaces a frame
// later (launch, BENCHMARKS.md "Launch against a minimal Tauri app"). useListener takes it over
// and still reads the status itself, so nothing depends on this having arrived.

import { listenerStatus, type ListenerStatus } from '../bindings.ts';

let first: ListenerStatus | null = null;

/** Starts reading the status; resolves (never rejects) once it is settled. */
export function prefetchListenerStatus(): Promise<void> {
  return listenerStatus().then(
    (s) => {
      first = s;
    },
    // useListener reads it again and shows the error.
    () => undefined,
  );
}

/** Taken once, by the first render; null when it was not read in time. */
export function takeListenerStatus(): ListenerStatus | null {
  const s = first;
  first = null;
  return s;
}
