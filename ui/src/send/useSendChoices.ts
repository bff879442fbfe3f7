// What a send form offers: targets used before (most recent first) and the saved secrets to
// re-sign with, re-read when secrets change anywhere in the app.

import { useCallback, useEffect, useState } from 'react';
import { getSettings, onRechecked, recentTargets, type SecretInfo } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { ignoreError, useSubscription } from '../useSubscription.ts';

export interface SendChoices {
  recent: string[];
  /** Null until read. */
  secrets: SecretInfo[] | null;
  secretsError: string | null;
}

export function useSendChoices(): SendChoices {
  const [recent, setRecent] = useState<string[]>([]);
  const [secrets, setSecrets] = useState<SecretInfo[] | null>(null);
  const [secretsError, setSecretsError] = useState<string | null>(null);

  const loadSecrets = useCallback((alive: () => boolean) => {
    getSettings().then(
      (s) => {
        if (!alive()) return;
        setSecrets(s.secrets);
        setSecretsError(null);
      },
      (e: unknown) => {
        if (alive()) setSecretsError(errorText(e));
      },
    );
  }, []);

  useEffect(() => {
    let cancelled = false;
    const alive = () => !cancelled;
    // Only suggestions: the field works without them.
    recentTargets().then((list) => alive() && setRecent(list), () => undefined);
    loadSecrets(alive);
    return () => {
      cancelled = true;
    };
  }, [loadSecrets]);
  // Secrets changed anywhere: read them again (a failure keeps the list shown).
  const subscribeRechecked = useCallback(() => onRechecked(() => loadSecrets(() => true)), [loadSecrets]);
  useSubscription(subscribeRechecked, ignoreError);

  return { recent, secrets, secretsError };
}
