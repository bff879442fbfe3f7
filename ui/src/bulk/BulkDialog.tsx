// Re-deliver in bulk: the selected rows, or everything the current filter matches, sent one at a
// time in event created-at order or in the order they arrived, to one target (path, signing and
// timeout as in the Re-deliver tab, the same send form). Then a progress bar with the live counts and the last
// result, a Cancel that stops after the request in flight, and the summary at the end. Every
// string from a capture or the target is React text.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { countUnverified, type BulkOrder, type BulkScope, type BulkUnverified, type Filter } from '../bindings.ts';
import { buildOptions, formProblems, KEEP, signingFromChoice } from '../send/redeliverOptions.ts';
import { DEFAULT_TIMEOUT_MS } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { plural } from '../format/text.ts';
import { ScopeFieldset, scopeOf, useMatching, type ScopeChoice } from '../list/ScopeFieldset.tsx';
import { SendFields } from '../send/SendFields.tsx';
import { useSendForm } from '../send/useSendForm.ts';
import { unverifiedCountText } from '../provenance/provenance.ts';
import { bulkView, type BulkView } from './bulkRun.ts';
import type { BulkControl } from './useBulkRun.ts';

/** The choices of the last run, offered again next time (the target comes from recent targets). */
const remembered = { order: 'created' as BulkOrder, keepPath: false, signing: KEEP, timeout: String(DEFAULT_TIMEOUT_MS) };

export interface BulkDialogProps {
  control: BulkControl;
  /** The rows picked in the list, in list order. */
  selected: readonly number[];
  /** The list's filter (limit and offset are not part of it). */
  filter: Filter;
  filtered: boolean;
  /** Hides the dialog; a run under way goes on (the list's bar shows it). */
  onClose: () => void;
}

export function BulkDialog({ control, selected, filter, filtered, onClose }: BulkDialogProps) {
  const view = bulkView(control.run);
  return (
    <Dialog title="Re-deliver in bulk" testId="bulk" onClose={onClose} wide>
      {view === null ? (
        <BulkForm control={control} selected={selected} filter={filter} filtered={filtered} />
      ) : (
        <BulkProgressView view={view} control={control} onClose={onClose} />
      )}
    </Dialog>
  );
}

function BulkForm({ control, selected, filter, filtered }: Omit<BulkDialogProps, 'onClose'>) {
  const [scope, setScope] = useState<ScopeChoice>(selected.length > 0 ? 'selected' : 'filter');
  const { matching, countError } = useMatching(filter);
  const [order, setOrder] = useState<BulkOrder>(remembered.order);
  const form = useSendForm(() => ({
    target: '',
    keepPath: remembered.keepPath,
    signing: remembered.signing,
    timeout: remembered.timeout,
  }));
  const { keepPath, signing, timeout } = form.values;
  const [resignUnverified, setResignUnverified] = useState(false);
  const [unverified, setUnverified] = useState<BulkUnverified | null>(null);

  const bulkScope: BulkScope = useMemo(() => scopeOf(scope, selected, filter), [scope, selected, filter]);
  // How many of them Persona did not sign: said before the run starts, asked about if re-signing.
  useEffect(() => {
    let cancelled = false;
    setUnverified(null);
    countUnverified(bulkScope).then(
      (u) => !cancelled && setUnverified(u),
      () => undefined, // Only a warning: the run itself applies the rule either way.
    );
    return () => {
      cancelled = true;
    };
  }, [bulkScope]);

  const built = buildOptions({ ...form.values, edit: null });
  const targetError = form.targetError(formProblems({ ...form.values, rows: null }).target);
  const failed = control.run.phase === 'failed' ? control.run.error : null;

  const start = (e: FormEvent) => {
    e.preventDefault();
    form.setShowProblems(true);
    if (!built.ok) return;
    if (scope === 'selected' && selected.length === 0) return;
    Object.assign(remembered, { order, keepPath, signing, timeout });
    const resigning = built.options.signing?.mode === 'resign';
    control.start(bulkScope, order, { ...built.options, resign_unverified: resigning && resignUnverified });
  };

  return (
    <form className="bulk-form" onSubmit={start} noValidate>
      <ScopeFieldset
        legend="What to send"
        prefix="bulk"
        purpose="re-deliver them"
        choice={scope}
        onChoice={setScope}
        selected={selected}
        filtered={filtered}
        matching={matching}
        countError={countError}
      />

      <fieldset className="forward-fieldset">
        <legend>In which order</legend>
        <label className="check-field">
          <input
            type="radio"
            name="bulk-order"
            data-testid="bulk-order-created"
            checked={order === 'created'}
            onChange={() => setOrder('created')}
          />
          <span>
            By the event’s created-at <span className="hint">— what a handler should order by; requests that are not Persona events go last</span>
          </span>
        </label>
        <label className="check-field">
          <input
            type="radio"
            name="bulk-order"
            data-testid="bulk-order-received"
            checked={order === 'received'}
            onChange={() => setOrder('received')}
          />
          <span>
            As they were received <span className="hint">— Persona does not promise this order</span>
          </span>
        </label>
      </fieldset>

      <SendFields
        form={form}
        prefix="bulk"
        targetError={targetError}
        targetHelp="One at a time, each as stored (edits belong to one delivery, in its Re-deliver tab)."
      />

      {unverified !== null && unverified.unverified > 0 && (
        <div className="forward-fieldset" data-testid="bulk-unverified" data-n={unverified.unverified}>
          <p className={signingFromChoice(signing).mode === 'resign' ? 'field-warning' : 'hint'}>
            {unverifiedCountText(unverified)}
            {signingFromChoice(signing).mode === 'resign'
              ? resignUnverified
                ? ': they will be re-signed too.'
                : ': they go with their own signature.'
              : '.'}
          </p>
          {signingFromChoice(signing).mode === 'resign' && (
            <label className="check-field">
              <input
                type="checkbox"
                data-testid="bulk-resign-unverified"
                checked={resignUnverified}
                onChange={(e) => setResignUnverified(e.target.checked)}
              />
              Re-sign them too — only if you trust where they came from
            </label>
          )}
        </div>
      )}

      {failed !== null && (
        <p className="field-error" role="alert" data-testid="bulk-error">
          Nothing was sent: {failed}
        </p>
      )}
      <div className="form-actions dialog-actions">
        <button
          type="submit"
          className="button button-primary"
          data-testid="bulk-start"
          disabled={scope === 'selected' && selected.length === 0}
        >
          Start
        </button>
      </div>
    </form>
  );
}

function BulkProgressView({ view, control, onClose }: { view: BulkView; control: BulkControl; onClose: () => void }) {
  const missing = control.run.started?.missing ?? 0;
  const done = view.phase === 'done';
  return (
    <div className="bulk-run" data-testid="bulk-run" data-phase={view.phase}>
      {view.phase === 'starting' ? (
        <p className="hint">Starting…</p>
      ) : (
        <>
          <div className="bulk-bar">
            <progress data-testid="bulk-progress" max={Math.max(1, view.total)} value={view.done} />
            <span className="bulk-bar-text" data-testid="bulk-progress-text" data-done={view.done} data-total={view.total}>
              {view.done} of {view.total} {done ? 'done' : 'sent'}
            </span>
          </div>
          {done && (
            <p className="bulk-headline" role="status" data-testid="bulk-headline">
              {view.headline}
            </p>
          )}
          <ul className="bulk-counts" data-testid="bulk-counts">
            {view.counts.map((c) => (
              <li key={c.key} className={`badge badge-${c.tone}`} data-key={c.key} data-n={c.n}>
                {c.n} {c.label}
              </li>
            ))}
          </ul>
          {view.last !== null && (
            <p className="bulk-last mono" data-testid="bulk-last">
              {view.last.id !== null && <span className="hint">#{view.last.id} </span>}
              {view.last.text}
            </p>
          )}
          {missing > 0 && !done && (
            <p className="hint">{plural(missing, 'selected delivery is', 'selected deliveries are')} no longer stored.</p>
          )}
          {done && view.summary !== null && (
            <p className="bulk-summary" data-testid="bulk-summary">
              {view.summary}
            </p>
          )}
        </>
      )}
      {control.run.error !== null && (
        <p className="field-error" role="alert">
          Could not cancel: {control.run.error}
        </p>
      )}
      <div className="form-actions dialog-actions">
        {done ? (
          <button type="button" className="button button-primary" data-testid="bulk-done" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button
              type="button"
              className="button button-danger"
              data-testid="bulk-cancel"
              disabled={view.phase !== 'running'}
              onClick={control.cancel}
            >
              Cancel
            </button>
            {view.phase === 'stopping' && (
              <span className="hint" role="status" data-testid="bulk-stopping">
                stopping after the current request…
              </span>
            )}
            <button type="button" className="button" data-testid="bulk-hide" onClick={onClose}>
              Hide
            </button>
            <span className="hint">It goes on while hidden: the bar above the list shows it.</span>
          </>
        )}
      </div>
    </div>
  );
}
