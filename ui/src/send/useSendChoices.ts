// What a send form offers: targets used before (most recent first) and the saved secrets to
// re-sign with (the shared settings, re-read when secrets change anywhere in the app).

import { useCallback, useEffect, useRef, useState } from 'react';
import { recentTargets, type SecretInfo } from '../bindings.ts';
import { useSettings } from '../settings/settingsStore.ts';

export interface SendChoices {
  recent: string[];
  /** Reads the recent targets again (after a send). */
  reloadRecent: () => void;
  /** Null until read. */
  secrets: SecretInfo[] | null;
  secretsError: string | null;
}

export function useSendChoices(): SendChoices {
  const [recent, setRecent] = useState<string[]>([]);
  const { settings, error } = useSettings();
  const alive = useRef(true);

  const reloadRecent = useCallback(() => {
    // Only suggestions: the field works without them.
    recentTargets().then((list) => alive.current && setRecent(list), () => undefined);
  }, []);
  useEffect(() => {
    alive.current = true;
    reloadRecent();
    return () => {
      alive.current = false;
    };
  }, [reloadRecent]);

  return { recent, reloadRecent, secrets: settings?.secrets ?? null, secretsError: error };
}
