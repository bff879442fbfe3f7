// Re-deliver: send this delivery to a URL (usually the app under development), keeping Persona's
// signature or re-signing with a configured secret, optionally after editing the body and
// headers; a live preview of what will be sent, and every attempt's result, newest first.
// Everything from the capture or the target is rendered as React text.

import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import {
  DEFAULT_TIMEOUT_MS,
  isCommandError,
  onBulkProgress,
  onForwards,
  previewRedelivery,
  redeliver,
  redeliveries,
  type Detail,
  type Redelivery,
  type RedeliveryOptions,
} from '../bindings.ts';
import { formatDuration, humanDuration } from '../format/duration.ts';
import { errorText } from '../format/error.ts';
import { unverifiedKind, unverifiedReason, type UnverifiedKind } from '../provenance/provenance.ts';
import { KeepPathField, SendNotes, SigningField, TargetField, TimeoutField } from '../send/SendFields.tsx';
import { useSendForm } from '../send/useSendForm.ts';
import { ignoreError, useSubscription } from '../useSubscription.ts';
import { attemptView, mergeHistory, withAttempt } from '../attempt/attemptView.ts';
import type { DecodedBody } from './body.ts';
import { EditRequest } from './EditRequest.tsx';
import { rowsFromHeaders, sameAsStored, type HeaderRow } from './headerRows.ts';
import { RedeliveryHistory } from './RedeliveryHistory.tsx';
import { PreviewDetails, PreviewLine, type Preview } from './RedeliverPreview.tsx';
import { ConfirmResign, SigningNote } from './ResignNotes.tsx';
import { buildOptions, formProblems, KEEP, signingFromChoice, type EditState } from '../send/redeliverOptions.ts';
import { originalTarget } from '../send/targetUrl.ts';
import { useDebounced } from './useDebounced.ts';

/** How long the form rests before the preview is asked for. */
const PREVIEW_DELAY_MS = 250;

/** The choices of the last send, offered again for the next delivery opened in this window. */
const remembered = { target: '', keepPath: false, signing: KEEP, timeout: String(DEFAULT_TIMEOUT_MS) };

export interface RedeliverTabProps {
  detail: Detail;
  /** The stored body, decoded on first call. */
  storedBody: () => DecodedBody;
}

type StoredText = { text: string | null; locked: string | null; notKept: boolean };

function storedText(detail: Detail, decoded: DecodedBody): StoredText {
  if (detail.outcome === 'too_large') return { text: '', locked: null, notKept: true };
  if (decoded === null) return { text: '', locked: null, notKept: true };
  if (!decoded.ok) return { text: null, locked: `The stored body could not be decoded (${decoded.message}), so it cannot be edited.`, notKept: false };
  if (decoded.body.text === null) {
    return {
      text: null,
      locked:
        'The body is not valid UTF-8, so it cannot be edited as text: it is sent exactly as stored. The headers can still be edited.',
      notKept: false,
    };
  }
  return { text: decoded.body.text, locked: null, notKept: false };
}

export function RedeliverTab({ detail, storedBody }: RedeliverTabProps) {
  const id = detail.id;
  const form = useSendForm(() => ({ ...remembered }));
  const { target, keepPath, signing, timeout } = form.values;

  const [editing, setEditing] = useState(false);
  const [stored, setStored] = useState<StoredText | null>(null);
  const [body, setBody] = useState<string | null>(null);
  const storedHeaders = detail.headers;
  const [rows, setRows] = useState<HeaderRow[]>(() => rowsFromHeaders(storedHeaders));

  const [history, setHistory] = useState<Redelivery[]>([]);
  const [historyLoading, setHistoryLoading] = useState(true);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [fresh, setFresh] = useState<number | null>(null);

  const [sending, setSending] = useState<{ since: number; timeoutMs: number } | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview>({ state: 'idle' });
  // Re-signing what Persona did not sign waits for the user's answer here.
  const [confirm, setConfirm] = useState<{ kind: UnverifiedKind; reason: string; secret: string; options: RedeliveryOptions } | null>(
    null,
  );
  const unverified = unverifiedKind(detail);

  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // --- The history --------------------------------------------------------------------------

  const loadHistory = useCallback(() => {
    setHistoryLoading(true);
    redeliveries(id).then(
      (list) => {
        if (!alive.current) return;
        setHistory((h) => mergeHistory(list, h));
        setHistoryError(null);
        setHistoryLoading(false);
      },
      (e: unknown) => {
        if (!alive.current) return;
        setHistoryError(errorText(e));
        setHistoryLoading(false);
      },
    );
  }, [id]);

  useEffect(loadHistory, [loadHistory]);

  // The forward rule or a bulk run sent this delivery: its history has a new row. (A bulk step
  // names only the last delivery sent since the previous step; the final step reads it anyway.)
  const subscribeForwards = useCallback(
    () =>
      onForwards((results) => {
        if (results.some((r) => r.delivery_id === id)) loadHistory();
      }),
    [id, loadHistory],
  );
  useSubscription(subscribeForwards, ignoreError);
  const subscribeBulk = useCallback(
    () =>
      onBulkProgress((step) => {
        if (step.last_id === id || step.progress.finished) loadHistory();
      }),
    [id, loadHistory],
  );
  useSubscription(subscribeBulk, ignoreError);

  const signingNow = signingFromChoice(signing);

  // --- Editing --------------------------------------------------------------------------------

  const startEditing = (on: boolean) => {
    setEditing(on);
    if (on && stored === null) {
      const s = storedText(detail, storedBody());
      setStored(s);
      setBody(s.text);
    }
  };

  const edit: EditState | null =
    editing && stored !== null
      ? { body, storedBody: stored.text, bodyNotKept: stored.notKept, rows, storedHeaders }
      : null;
  const bodyChanged = edit !== null && edit.body !== null && edit.body !== edit.storedBody;
  const headersChanged = editing && !sameAsStored(rows, storedHeaders);

  // --- Options, checked as typed; the preview once typing rests ----------------------------

  // Checked on every keystroke; the body is only encoded once typing rests (preview) or on send.
  const problems = useMemo(
    () => formProblems({ target, timeout, rows: editing ? rows : null }),
    [target, timeout, editing, rows],
  );
  const settledForm = useDebounced(
    useMemo(() => ({ target, keepPath, signing, timeout, editing, body, rows }), [target, keepPath, signing, timeout, editing, body, rows]),
    PREVIEW_DELAY_MS,
  );
  const settled = useMemo(
    () =>
      buildOptions({
        ...settledForm,
        edit:
          settledForm.editing && stored !== null
            ? { body: settledForm.body, storedBody: stored.text, bodyNotKept: stored.notKept, rows: settledForm.rows, storedHeaders }
            : null,
      }),
    [settledForm, stored, storedHeaders],
  );

  const previewSeq = useRef(0);
  useEffect(() => {
    const seq = ++previewSeq.current;
    if (!settled.ok) {
      setPreview({ state: 'idle' });
      return;
    }
    setPreview((p) => ({ state: 'loading', last: p.state === 'ok' ? p.preview : p.state === 'loading' ? p.last : null }));
    // Previewed as re-signed even when that will ask first: the preview sends nothing, and shows
    // what "Re-sign anyway" sends (the note under the options says it will ask).
    previewRedelivery(id, { ...settled.options, resign_unverified: true }).then(
      (preview) => {
        if (alive.current && seq === previewSeq.current) setPreview({ state: 'ok', preview });
      },
      (e: unknown) => {
        if (alive.current && seq === previewSeq.current) setPreview({ state: 'error', message: errorText(e) });
      },
    );
  }, [id, settled]);

  // --- Sending ---------------------------------------------------------------------------------

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    if (sending !== null) return;
    form.setShowProblems(true);
    const built = buildOptions({ target, keepPath, signing, timeout, edit });
    if (!built.ok) return;
    const options = built.options;
    if (options.signing?.mode === 'resign' && unverified !== null) {
      setConfirm({ kind: unverified, reason: unverifiedReason(detail) ?? '', secret: options.signing.secret, options });
      return;
    }
    await dispatch(options);
  };

  /** Sends `options` as they are (an unverified delivery is re-signed only with the opt-in). */
  const dispatch = async (options: RedeliveryOptions) => {
    setConfirm(null);
    setSending({ since: Date.now(), timeoutMs: options.timeout_ms ?? DEFAULT_TIMEOUT_MS });
    setSendError(null);
    try {
      const r = await redeliver(id, options);
      Object.assign(remembered, { target: options.target, keepPath, signing, timeout });
      if (!alive.current) return;
      setHistory((h) => withAttempt(h, r));
      setFresh(r.id);
      form.setShowProblems(false);
      form.choices.reloadRecent();
    } catch (err) {
      if (!alive.current) return;
      setSendError(isCommandError(err) ? err.message : `Could not send: ${errorText(err)}`);
    } finally {
      if (alive.current) setSending(null);
    }
  };

  // The URL's and the timeout's problems show by their fields (the URL's once typed in, or on
  // send); the header rows' by each row, and listed here on send.
  const targetError = form.targetError(problems.target);
  const otherProblems = form.showProblems ? problems.rows : [];

  const field = { form, look: 'tab' as const, prefix: 'redeliver' };
  const original = originalTarget(detail.path, detail.query);

  return (
    <div className="rd-root" data-testid="redeliver">
      <form className="rd-form" onSubmit={(e) => void send(e)} noValidate>
        <TargetField
          {...field}
          targetError={targetError}
          help={<PreviewLine preview={preview} ready={problems.target === null} />}
          action={
            <button
              type="submit"
              className="dt-btn dt-btn-primary rd-send"
              data-testid="redeliver-send"
              disabled={sending !== null}
              aria-busy={sending !== null}
            >
              {sending !== null ? 'Sending…' : 'Send'}
            </button>
          }
        />

        <div className="rd-options">
          <KeepPathField {...field}>
            Append the original path and query <code>{original}</code>
          </KeepPathField>
          <SigningField {...field} />
          <TimeoutField {...field} />
          <label className="rd-check">
            <input
              type="checkbox"
              data-testid="redeliver-edit"
              checked={editing}
              onChange={(e) => startEditing(e.target.checked)}
            />
            Edit body and headers first
          </label>
        </div>
        <SigningNote detail={detail} resign={signingNow.mode === 'resign' ? signingNow.secret : null} edited={bodyChanged} />
        <SendNotes {...field} />
        {otherProblems.length > 0 && (
          <ul className="rd-problems dt-error-text" role="alert" data-testid="redeliver-problems">
            {otherProblems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        )}
      </form>

      {sendError !== null && (
        <div className="dt-banner dt-banner-bad" role="alert" data-testid="redeliver-error">
          {sendError}
        </div>
      )}
      {sending !== null && <Progress since={sending.since} timeoutMs={sending.timeoutMs} url={preview.state === 'ok' ? preview.preview.url : target} />}
      {sending === null && <LastResult r={history.find((h) => h.id === fresh)} />}

      {editing && stored !== null && (
        <EditRequest
          body={body}
          bodyLocked={stored.locked}
          bodyNotKept={stored.notKept}
          hasCarriageReturns={stored.text?.includes('\r') ?? false}
          bodyChanged={bodyChanged}
          headersChanged={headersChanged}
          rows={rows}
          resigning={signingNow.mode === 'resign'}
          onBody={setBody}
          onRows={setRows}
          onResetBody={() => setBody(stored.text)}
          onResetHeaders={() => setRows(rowsFromHeaders(storedHeaders))}
        />
      )}

      <PreviewDetails preview={preview} />

      {confirm !== null &&
        createPortal(
          <ConfirmResign
            kind={confirm.kind}
            reason={confirm.reason}
            secret={confirm.secret}
            onResign={() => void dispatch({ ...confirm.options, resign_unverified: true })}
            onKeep={() => void dispatch({ ...confirm.options, resign_unverified: false })}
            onCancel={() => setConfirm(null)}
          />,
          document.body,
        )}

      <RedeliveryHistory
        list={history}
        loading={historyLoading}
        error={historyError}
        onRetry={loadHistory}
        openIds={open}
        fresh={fresh}
        onToggle={(rid) =>
          setOpen((o) => {
            const next = new Set(o);
            if (!next.delete(rid)) next.add(rid);
            return next;
          })
        }
      />
    </div>
  );
}

/** The attempt just sent, by the form: the history below may be scrolled out of view. */
function LastResult({ r }: { r: Redelivery | undefined }) {
  if (r === undefined) return null;
  const v = attemptView(r);
  return (
    <p className={`rd-last rd-tone-${v.tone}`} data-testid="redeliver-last" role="status">
      <span className={`dt-badge dt-badge-${v.tone} rd-status`}>{v.headline}</span>{' '}
      <span className="dt-muted">in {humanDuration(r.duration_ms)}</span>
      {v.note !== null && <> — {v.note}</>}
      {r.signing_note != null && <> — {r.signing_note}</>}
      <span className="dt-muted"> (recorded below)</span>
    </p>
  );
}

function Progress({ since, timeoutMs, url }: { since: number; timeoutMs: number; url: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 100);
    return () => window.clearInterval(timer);
  }, []);
  const elapsed = Math.max(0, now - since);
  return (
    <div className="rd-progress" data-testid="redeliver-progress" role="status">
      <span className="rd-spinner" aria-hidden="true" />
      Sending to <code>{url}</code>… {(elapsed / 1000).toFixed(1)} s{' '}
      <span className="dt-muted">(gives up after {formatDuration(timeoutMs)})</span>
      <progress max={timeoutMs} value={Math.min(elapsed, timeoutMs)} />
    </div>
  );
}
