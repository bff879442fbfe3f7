// The listener's status for the header and the settings: read once, then followed through the
// shell's event; `onRecovered` runs when it comes up again after a failure (the store opens with
// it, so what was read before is worth reading again).

import { useCallback, useEffect, useRef, useState } from 'react';
import { listenerStatus, onListener, type ListenerStatus } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { useSubscription } from '../useSubscription.ts';
import { takeListenerStatus } from './firstStatus.ts';

export interface Listener {
  status: ListenerStatus | null;
  error: string | null;
  /** A status a command answered with (re-listen). */
  set: (status: ListenerStatus) => void;
}

/** `onEventsError` is told when the shell's event cannot be followed; both callbacks stable. */
export function useListener(onEventsError: (message: string) => void, onRecovered: () => void): Listener {
  // What main.tsx read before the first render, if it is there already (read again below).
  const [status, setStatus] = useState<ListenerStatus | null>(takeListenerStatus);
  const [error, setError] = useState<string | null>(null);

  const set = useCallback((s: ListenerStatus) => {
    setStatus(s);
    setError(null);
  }, []);

  useEffect(() => {
    let cancelled = false;
    listenerStatus().then(
      (s) => {
        if (!cancelled) set(s);
      },
      (e: unknown) => {
        if (!cancelled) setError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [set]);

  const subscribe = useCallback(() => onListener(set), [set]);
  useSubscription(subscribe, onEventsError);

  const wasListening = useRef<boolean | null>(null);
  useEffect(() => {
    if (status === null) return;
    const listening = status.state === 'listening';
    if (wasListening.current === false && listening) onRecovered();
    wasListening.current = listening;
  }, [status, onRecovered]);

  return { status, error, set };
}
