// One Tauri event subscription for a component's lifetime: unsubscribed on unmount, also when
// the subscription resolves only after it; a failure to subscribe goes to `onError`.

import { useEffect } from 'react';
import type { UnlistenFn } from './bindings.ts';
import { errorText } from './format/error.ts';

/** `subscribe` and `onError` should be stable (useCallback): a new one subscribes again. */
export function useSubscription(
  subscribe: () => Promise<UnlistenFn>,
  onError: (message: string) => void,
): void {
  useEffect(() => {
    let cancelled = false;
    let unlisten: UnlistenFn | undefined;
    subscribe().then(
      (u) => {
        if (cancelled) u();
        else unlisten = u;
      },
      (e: unknown) => {
        if (!cancelled) onError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, [subscribe, onError]);
}

/** For subscriptions whose failure only costs a refresh: nothing to show. */
export const ignoreError = (): void => undefined;
