// "Purge…": delete every delivery, or those older than N days. The first step counts what would
// go and asks to confirm with that number; the purge erases them from disk (it can take a
// while on a large store: the database is rewritten).

import { useEffect, useRef, useState } from 'react';
import { countPurgeable, purge } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { plural } from '../format/text.ts';
import { errorText } from '../format/error.ts';
import { checkDays } from './validate.ts';

export interface PurgeDialogProps {
  onClose: () => void;
  /** Deliveries were deleted: reload what is shown. */
  onPurged: (removed: number) => void;
}

type Step =
  | { state: 'choose' }
  | { state: 'counting' }
  | { state: 'confirm'; count: number; olderThan: number | null }
  | { state: 'purging'; count: number }
  | { state: 'done'; removed: number };

export function PurgeDialog({ onClose, onPurged }: PurgeDialogProps) {
  const [all, setAll] = useState(false);
  const [days, setDays] = useState('30');
  const [step, setStep] = useState<Step>({ state: 'choose' });
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const count = () => {
    setError(null);
    let olderThan: number | null = null;
    if (!all) {
      const c = checkDays(days);
      if (!c.ok) {
        setProblem(c.message);
        return;
      }
      olderThan = c.value;
    }
    setStep({ state: 'counting' });
    countPurgeable(olderThan).then(
      (n) => {
        if (alive.current) setStep({ state: 'confirm', count: n, olderThan });
      },
      (e: unknown) => {
        if (!alive.current) return;
        setStep({ state: 'choose' });
        setError(errorText(e));
      },
    );
  };

  const confirm = (n: number, olderThan: number | null) => {
    setError(null);
    setStep({ state: 'purging', count: n });
    purge(olderThan).then(
      (removed) => {
        if (!alive.current) return;
        setStep({ state: 'done', removed });
        onPurged(removed);
      },
      (e: unknown) => {
        if (!alive.current) return;
        setStep({ state: 'confirm', count: n, olderThan });
        setError(errorText(e));
      },
    );
  };

  const what = (olderThan: number | null) =>
    olderThan === null ? 'every stored delivery' : `deliveries received more than ${plural(olderThan, 'day', 'days')} ago`;

  return (
    <Dialog title="Purge deliveries" testId="purge-dialog" onClose={onClose} initialFocus={first}>
      {(step.state === 'choose' || step.state === 'counting') && (
        <form
          className="reply-form"
          onSubmit={(e) => {
            e.preventDefault();
            count();
          }}
        >
          <label className="stack-field">
            <span>Older than</span>
            <span className="with-unit">
              <input
                ref={first}
                data-testid="purge-days-input"
                className="mono number-input"
                inputMode="numeric"
                autoComplete="off"
                value={days}
                disabled={all}
                aria-invalid={problem !== null}
                onChange={(e) => {
                  setDays(e.target.value);
                  setProblem(null);
                }}
              />
              <span className="unit">days</span>
            </span>
            {problem !== null && <span className="field-error">{problem}</span>}
          </label>
          <label className="check-field">
            <input type="checkbox" data-testid="purge-all" checked={all} onChange={(e) => setAll(e.target.checked)} />
            <span>All deliveries, whatever their age</span>
          </label>
          <div className="form-actions">
            <button type="submit" className="button" data-testid="purge-count" disabled={step.state === 'counting'}>
              {step.state === 'counting' ? 'Counting…' : 'Continue…'}
            </button>
          </div>
        </form>
      )}
      {(step.state === 'confirm' || step.state === 'purging') && (
        <div className="reply-form">
          {step.state === 'confirm' && step.count === 0 ? (
            <p className="section-note" data-testid="purge-confirm-text">
              No delivery matches: {what(step.olderThan)} — nothing to purge.
            </p>
          ) : (
            <p className="section-note" data-testid="purge-confirm-text">
              {step.state === 'confirm'
                ? `${plural(step.count, 'delivery', 'deliveries')} will be deleted (${what(step.olderThan)}), with their re-delivery history, and erased from disk. This cannot be undone.`
                : `Deleting ${plural(step.count, 'delivery', 'deliveries')} and erasing them from disk…`}
            </p>
          )}
          <div className="form-actions">
            {step.state === 'confirm' && step.count > 0 && (
              <button
                type="button"
                className="button button-danger"
                data-testid="purge-confirm"
                onClick={() => confirm(step.count, step.olderThan)}
              >
                Delete {plural(step.count, 'delivery', 'deliveries')}
              </button>
            )}
            <button type="button" className="button" data-testid="purge-back" disabled={step.state === 'purging'} onClick={() => setStep({ state: 'choose' })}>
              Back
            </button>
          </div>
        </div>
      )}
      {step.state === 'done' && (
        <div className="reply-form">
          <p className="ok-note" role="status" data-testid="purge-result">
            Deleted {plural(step.removed, 'delivery', 'deliveries')}.
          </p>
          <div className="form-actions">
            <button type="button" className="button" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      )}
      {error !== null && (
        <p className="field-error" role="alert" data-testid="purge-error">
          Could not purge: {error}
        </p>
      )}
    </Dialog>
  );
}
