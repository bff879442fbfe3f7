// "Export as HAR": the selected rows, or everything the current filter matches, as one HAR 1.2
// file (oldest first, bodies exact) saved to the Downloads folder, for browser developer tools,
// Insomnia, Postman or HTTP Toolkit. Import… reads it back.

import { useEffect, useRef, useState } from 'react';
import type { Filter } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { errorText } from '../format/error.ts';
import { ScopeFieldset, scopeOf, useMatching, type ScopeChoice } from '../list/ScopeFieldset.tsx';
import { saveHar } from './saveHar.ts';

export interface HarDialogProps {
  /** The rows ticked in the list. */
  selected: readonly number[];
  /** The list's filter (limit and offset are not part of it). */
  filter: Filter;
  filtered: boolean;
  onClose: () => void;
}

type Result = { state: 'idle' | 'busy' } | { state: 'saved' | 'failed'; message: string };

export function HarDialog({ selected, filter, filtered, onClose }: HarDialogProps) {
  const [choice, setChoice] = useState<ScopeChoice>(selected.length > 0 ? 'selected' : 'filter');
  const { matching, countError } = useMatching(filter);
  const [result, setResult] = useState<Result>({ state: 'idle' });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const nothing = choice === 'selected' ? selected.length === 0 : matching === 0;

  const save = () => {
    if (nothing || result.state === 'busy') return;
    setResult({ state: 'busy' });
    saveHar(scopeOf(choice, selected, filter), { kind: 'many' }).then(
      (message) => alive.current && setResult({ state: 'saved', message }),
      (e: unknown) => alive.current && setResult({ state: 'failed', message: errorText(e) }),
    );
  };

  return (
    <Dialog title="Export as HAR" testId="har-dialog" onClose={onClose}>
      <p className="section-note">
        One HAR 1.2 file, oldest first, that browser developer tools, Insomnia, Postman and HTTP Toolkit open: each
        request as received, its body exact (base64 where it is not UTF-8 text), and the status the listener answered.
        It is saved to your Downloads folder; Import… reads it back.
      </p>
      <form
        className="reply-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <ScopeFieldset
          legend="What to export"
          prefix="har"
          purpose="export them"
          choice={choice}
          onChoice={(c) => {
            setChoice(c);
            if (result.state !== 'busy') setResult({ state: 'idle' });
          }}
          selected={selected}
          filtered={filtered}
          matching={matching}
          countError={countError}
        />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            data-testid="har-export"
            disabled={nothing || result.state === 'busy'}
          >
            {result.state === 'busy' ? 'Exporting…' : 'Export'}
          </button>
          {result.state === 'saved' && (
            <span className="ok-note" role="status" data-testid="har-saved">
              {result.message}
            </span>
          )}
        </div>
        {result.state === 'failed' && (
          <p className="field-error" role="alert" data-testid="har-error">
            Nothing was exported: {result.message}
          </p>
        )}
      </form>
    </Dialog>
  );
}
