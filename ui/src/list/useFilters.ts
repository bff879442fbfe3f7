// The filter bar's state: what is typed shows at once, the query follows after a pause for text
// fields (so each keystroke is not a query) and at once for choices.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Filter } from '../bindings.ts';
import { EMPTY_DRAFT, filterKey, toFilter, type FilterDraft } from './filter.ts';

export const TYPING_DEBOUNCE_MS = 200;

export interface Filters {
  draft: FilterDraft;
  /** The query: changes only when a narrowing field does. */
  filter: Filter;
  /** `typing`: apply after a pause; otherwise at once (pending typing included). */
  change: (patch: Partial<FilterDraft>, typing?: boolean) => void;
  clear: () => void;
}

export function useFilters(): Filters {
  const [draft, setDraft] = useState<FilterDraft>(EMPTY_DRAFT);
  const [filter, setFilter] = useState<Filter>({});
  const draftRef = useRef<FilterDraft>(EMPTY_DRAFT);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const apply = useCallback((d: FilterDraft) => {
    const next = toFilter(d);
    setFilter((prev) => (filterKey(prev) === filterKey(next) ? prev : next));
  }, []);

  const change = useCallback(
    (patch: Partial<FilterDraft>, typing = false) => {
      const next = { ...draftRef.current, ...patch };
      draftRef.current = next;
      setDraft(next);
      window.clearTimeout(timer.current);
      if (typing) timer.current = window.setTimeout(() => apply(next), TYPING_DEBOUNCE_MS);
      else apply(next);
    },
    [apply],
  );

  const clear = useCallback(() => change(EMPTY_DRAFT), [change]);

  return { draft, filter, change, clear };
}
