// The forward rule in use, for the header's status and the Forwarding dialog.

import { useCallback, useEffect, useState } from 'react';
import { forwardRule, type ForwardRule } from '../bindings.ts';
import { errorText } from '../format/error.ts';

export interface ForwardRuleState {
  rule: ForwardRule | null;
  error: string | null;
  reload: () => void;
  /** The rule as the dialog saved it. */
  saved: (rule: ForwardRule) => void;
}

export function useForwardRule(): ForwardRuleState {
  const [rule, setRule] = useState<ForwardRule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const saved = useCallback((r: ForwardRule) => {
    setRule(r);
    setError(null);
  }, []);
  const reload = useCallback(() => {
    forwardRule().then(saved, (e: unknown) => setError(errorText(e)));
  }, [saved]);
  useEffect(reload, [reload]);
  return { rule, error, reload, saved };
}
