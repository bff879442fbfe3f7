// The bulk re-delivery in progress, held by the app (not the dialog), so the dialog can be hidden
// while a long run goes on and opened again to see it end. Progress is listened to from the
// start: a short run can finish before `startBulk` has answered with its job number.

import { useCallback, useEffect, useReducer, useRef } from 'react';
import {
  cancelBulk,
  onBulkProgress,
  startBulk,
  type BulkOrder,
  type BulkScope,
  type RedeliveryOptions,
} from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { IDLE, reduceBulk, type BulkRun } from './bulkRun.ts';

export interface BulkControl {
  run: BulkRun;
  start: (scope: BulkScope, order: BulkOrder, options: RedeliveryOptions) => void;
  /** Asks the run to stop after the request in flight. */
  cancel: () => void;
  /** Forgets an ended (or refused) run. */
  reset: () => void;
}

export function useBulkRun(onError: (message: string) => void): BulkControl {
  const [run, dispatch] = useReducer(reduceBulk, IDLE);
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });
  const subscribed = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    let cancelled = false;
    let unlisten: (() => void) | undefined;
    subscribed.current = onBulkProgress((step) => {
      if (!cancelled) dispatch({ type: 'step', step });
    }).then(
      (u) => {
        if (cancelled) u();
        else unlisten = u;
      },
      // The run could not be followed: the app says live updates are off.
      (e: unknown) => {
        if (!cancelled) onError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, [onError]);

  const start = useCallback((scope: BulkScope, order: BulkOrder, options: RedeliveryOptions) => {
    const now = runRef.current;
    // One run at a time: the dialog offers Start only when none is under way.
    if (now.phase === 'starting' || (now.phase === 'running' && now.step?.progress.finished !== true)) return;
    dispatch({ type: 'start' });
    // Listening before starting, so no progress is missed.
    void subscribed.current
      .then(() => startBulk(scope, order, options))
      .then(
        (started) => dispatch({ type: 'started', started }),
        (e: unknown) => dispatch({ type: 'start-failed', message: errorText(e) }),
      );
  }, []);

  const cancel = useCallback(() => {
    const job = runRef.current.started?.job;
    if (job === undefined) return;
    dispatch({ type: 'stopping' });
    // `false` means it had just ended: its last progress event says how.
    cancelBulk(job).catch((e: unknown) => dispatch({ type: 'stop-failed', message: errorText(e) }));
  }, []);

  const reset = useCallback(() => dispatch({ type: 'reset' }), []);

  return { run, start, cancel, reset };
}
