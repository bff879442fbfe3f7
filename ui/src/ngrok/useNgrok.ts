// What a local ngrok agent says of the listener's port, asked every few seconds while the window
// is visible (an agent is started and stopped in a terminal, so the window follows it) and not
// at all while it is hidden. One question at a time: the next is asked only once the last one is
// answered (the command answers within half a second).

import { useEffect, useState } from 'react';
import { ngrokStatus, type NgrokStatus } from '../bindings.ts';

export const NGROK_POLL_MS = 3000;

/** Null until the first answer, and whenever `port` is null (not listening). */
export function useNgrok(port: number | null): NgrokStatus | null {
  const [status, setStatus] = useState<NgrokStatus | null>(null);

  useEffect(() => {
    setStatus(null);
    if (port === null) return;
    let stopped = false;
    let timer: number | undefined;
    let asking = false;

    const ask = () => {
      window.clearTimeout(timer);
      timer = undefined;
      if (stopped || asking || document.visibilityState === 'hidden') return;
      asking = true;
      ngrokStatus().then(
        (s) => {
          if (!stopped) setStatus(s);
        },
        // Only IPC itself can fail here: the header says nothing rather than something wrong.
        () => {
          if (!stopped) setStatus(null);
        },
      ).finally(() => {
        asking = false;
        if (!stopped && document.visibilityState !== 'hidden') timer = window.setTimeout(ask, NGROK_POLL_MS);
      });
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        window.clearTimeout(timer);
        timer = undefined;
      } else {
        ask();
      }
    };

    ask();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [port]);

  return status;
}
