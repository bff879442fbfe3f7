// Which deliveries an action over many takes (a bulk re-delivery, a HAR export): the rows ticked
// in the list, or everything the current filter matches (every stored delivery when there is no
// filter), with how many that is.

import { useEffect, useState } from 'react';
import { countDeliveries, type Filter, type Scope } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { plural } from '../format/text.ts';

export type ScopeChoice = 'selected' | 'filter';

export function scopeOf(choice: ScopeChoice, selected: readonly number[], filter: Filter): Scope {
  return choice === 'selected' ? { kind: 'ids', ids: [...selected] } : { kind: 'filter', filter };
}

/** How many deliveries `filter` matches: null until counted; the error when it could not be. */
export function useMatching(filter: Filter): { matching: number | null; countError: string | null } {
  const [matching, setMatching] = useState<number | null>(null);
  const [countError, setCountError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    countDeliveries(filter).then(
      (n) => !cancelled && setMatching(n),
      (e: unknown) => !cancelled && setCountError(errorText(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [filter]);
  return { matching, countError };
}

export interface ScopeFieldsetProps {
  legend: string;
  /** Names the radio group and prefixes the test ids: `<prefix>-scope-selected`, … */
  prefix: string;
  /** What is done to the ticked rows, after "tick rows in the list … to": "re-deliver them". */
  purpose: string;
  choice: ScopeChoice;
  onChoice: (c: ScopeChoice) => void;
  selected: readonly number[];
  filtered: boolean;
  matching: number | null;
  countError: string | null;
}

export function ScopeFieldset(props: ScopeFieldsetProps) {
  const { legend, prefix, purpose, choice, onChoice, selected, filtered, matching, countError } = props;
  const matchingText =
    matching === null ? (countError !== null ? 'the deliveries' : '…') : plural(matching, 'delivery', 'deliveries');
  return (
    <fieldset className="forward-fieldset">
      <legend>{legend}</legend>
      <label className="check-field">
        <input
          type="radio"
          name={`${prefix}-scope`}
          data-testid={`${prefix}-scope-selected`}
          checked={choice === 'selected'}
          disabled={selected.length === 0}
          onChange={() => onChoice('selected')}
        />
        {selected.length === 0 ? (
          <span className="hint">
            The selected rows — none yet: tick rows in the list (Ctrl/Cmd-click, Shift-click for a range, <kbd>x</kbd>) to{' '}
            {purpose}
          </span>
        ) : (
          <span>The {plural(selected.length, 'selected delivery', 'selected deliveries')}</span>
        )}
      </label>
      <label className="check-field">
        <input
          type="radio"
          name={`${prefix}-scope`}
          data-testid={`${prefix}-scope-filter`}
          checked={choice === 'filter'}
          onChange={() => onChoice('filter')}
        />
        <span data-testid={`${prefix}-matching`} data-count={matching ?? ''}>
          {filtered ? `All ${matchingText} matching the current filter` : `All ${matchingText} stored`}
        </span>
      </label>
      {countError !== null && <p className="field-warning">Could not count them: {countError}</p>}
    </fieldset>
  );
}
