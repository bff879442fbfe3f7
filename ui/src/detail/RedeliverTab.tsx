// Re-deliver: send this delivery to a URL (usually the app under development), keeping Persona's
// signature or re-signing with a configured secret, optionally after editing the body and
// headers; a live preview of what will be sent, and every attempt's result, newest first.
// Everything from the capture or the target is rendered as React text.

import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import {
  getSettings,
  isCommandError,
  onBulkProgress,
  onForwards,
  onRechecked,
  previewRedelivery,
  recentTargets,
  redeliver,
  redeliveries,
  type Detail,
  type Redelivery,
  type RedeliveryOptions,
  type RedeliveryPreview,
  type SecretInfo,
} from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { shortSize } from '../format/text.ts';
import { unverifiedKind, unverifiedReason, type UnverifiedKind } from '../provenance/provenance.ts';
import { attemptView, mergeHistory, withAttempt } from './attemptView.ts';
import type { DecodedBody } from './body.ts';
import { EditRequest } from './EditRequest.tsx';
import { errorText } from '../format/error.ts';
import { rowsFromHeaders, sameAsStored, type HeaderRow } from './headerRows.ts';
import { RedeliveryHistory } from './RedeliveryHistory.tsx';
import {
  buildOptions,
  checkTimeout,
  formProblems,
  DEFAULT_TIMEOUT_MS,
  KEEP,
  resignChoice,
  signingFromChoice,
  type EditState,
} from './redeliverOptions.ts';
import { originalTarget } from './targetUrl.ts';
import { useDebounced } from './useDebounced.ts';
import { ignoreError, useSubscription } from '../useSubscription.ts';
import { formatDuration, humanDuration } from '../format/duration.ts';

/** How long the form rests before the preview is asked for. */
const PREVIEW_DELAY_MS = 250;

/** The choices of the last send, offered again for the next delivery opened in this window. */
const remembered = { target: '', keepPath: false, signing: KEEP, timeout: String(DEFAULT_TIMEOUT_MS) };

export interface RedeliverTabProps {
  detail: Detail;
  /** The stored body, decoded on first call. */
  storedBody: () => DecodedBody;
}

type Preview =
  | { state: 'idle' }
  | { state: 'loading'; last: RedeliveryPreview | null }
  | { state: 'ok'; preview: RedeliveryPreview }
  | { state: 'error'; message: string };

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
  const uid = useId();
  const [target, setTarget] = useState(remembered.target);
  const [touched, setTouched] = useState(false);
  const touchedRef = useRef(false);
  const [recent, setRecent] = useState<string[]>([]);
  const [keepPath, setKeepPath] = useState(remembered.keepPath);
  const [signing, setSigning] = useState(remembered.signing);
  const [timeout, setTimeoutText] = useState(remembered.timeout);
  const [secrets, setSecrets] = useState<SecretInfo[] | null>(null);
  const [secretsError, setSecretsError] = useState<string | null>(null);

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
  const [showProblems, setShowProblems] = useState(false);
  const [preview, setPreview] = useState<Preview>({ state: 'idle' });
  // Re-signing what Persona did not sign waits for the user's answer here.
  const [confirm, setConfirm] = useState<{ kind: UnverifiedKind; secret: string; options: RedeliveryOptions } | null>(null);
  const unverified = unverifiedKind(detail);

  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // --- What the form offers: recent targets, secrets, the history ------------------------------

  const loadTargets = useCallback(() => {
    recentTargets().then(
      (list) => {
        if (!alive.current) return;
        setRecent(list);
        // The last target used is offered until something is typed.
        if (!touchedRef.current && list[0] !== undefined) setTarget((t) => (t === '' ? list[0]! : t));
      },
      () => undefined, // Only suggestions: the field works without them.
    );
  }, []);

  const loadSecrets = useCallback(() => {
    getSettings().then(
      (s) => {
        if (!alive.current) return;
        setSecrets(s.secrets);
        setSecretsError(null);
      },
      (e: unknown) => {
        if (alive.current) setSecretsError(errorText(e));
      },
    );
  }, []);

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

  useEffect(() => {
    loadTargets();
    loadSecrets();
    loadHistory();
  }, [loadTargets, loadSecrets, loadHistory]);

  // Secrets added, renamed or removed anywhere re-check every verdict, and say so.
  const subscribeRechecked = useCallback(() => onRechecked(loadSecrets), [loadSecrets]);
  useSubscription(subscribeRechecked, ignoreError);

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

  // A re-signing label that is gone falls back to keeping the signature.
  const labels = useMemo(() => secrets?.map((s) => s.label) ?? null, [secrets]);
  const signingNow = signingFromChoice(signing);
  useEffect(() => {
    const s = signingFromChoice(signing);
    if (labels !== null && s.mode === 'resign' && !labels.includes(s.secret)) setSigning(KEEP);
  }, [labels, signing]);

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
    setShowProblems(true);
    const built = buildOptions({ target, keepPath, signing, timeout, edit });
    if (!built.ok) return;
    const options = built.options;
    if (options.signing?.mode === 'resign' && unverified !== null) {
      setConfirm({ kind: unverified, secret: options.signing.secret, options });
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
      setShowProblems(false);
      loadTargets();
    } catch (err) {
      if (!alive.current) return;
      setSendError(isCommandError(err) ? err.message : `Could not send: ${errorText(err)}`);
    } finally {
      if (alive.current) setSending(null);
    }
  };

  // The URL's and the timeout's problems show by their fields (the URL's once typed in, or on
  // send); the header rows' by each row, and listed here on send.
  const targetError = problems.target !== null && (showProblems || (touched && target.trim() !== '')) ? problems.target : null;
  const timeoutCheck = checkTimeout(timeout);
  const otherProblems = showProblems ? problems.rows : [];

  const listId = `${uid}-targets`;
  const original = originalTarget(detail.path, detail.query);

  return (
    <div className="rd-root" data-testid="redeliver">
      <form className="rd-form" onSubmit={(e) => void send(e)} noValidate>
        <div className="rd-target-row">
          <label htmlFor={`${uid}-target`} className="rd-label">
            Send to
          </label>
          <input
            id={`${uid}-target`}
            className="rd-input rd-target"
            data-testid="redeliver-target"
            type="url"
            list={listId}
            value={target}
            placeholder="http://127.0.0.1:3000/webhooks/persona"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={targetError !== null}
            aria-describedby={`${uid}-target-help`}
            onChange={(e) => {
              setTarget(e.target.value);
              setTouched(true);
              touchedRef.current = true;
            }}
          />
          <datalist id={listId} data-testid="redeliver-recent">
            {recent.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <button
            type="submit"
            className="dt-btn dt-btn-primary rd-send"
            data-testid="redeliver-send"
            disabled={sending !== null}
            aria-busy={sending !== null}
          >
            {sending !== null ? 'Sending…' : 'Send'}
          </button>
        </div>
        <div id={`${uid}-target-help`} className="rd-help">
          {targetError !== null ? (
            <span className="dt-error-text" data-testid="redeliver-target-error" role="alert">
              {targetError}
            </span>
          ) : (
            <PreviewLine preview={preview} ready={problems.target === null} />
          )}
        </div>

        <div className="rd-options">
          <label className="rd-check">
            <input
              type="checkbox"
              data-testid="redeliver-keep-path"
              checked={keepPath}
              onChange={(e) => setKeepPath(e.target.checked)}
            />
            Append the original path and query <code>{original}</code>
          </label>
          <label className="rd-field">
            <span className="rd-label">Signature</span>
            <select
              className="rd-input"
              data-testid="redeliver-signing"
              value={signing}
              onChange={(e) => setSigning(e.target.value)}
            >
              <option value={KEEP}>Keep Persona's (test replay rejection)</option>
              {(secrets ?? []).map((s) => (
                <option key={s.id} value={resignChoice(s.label)}>
                  Re-sign with “{s.label}”, fresh timestamp
                </option>
              ))}
              {secrets !== null && secrets.length === 0 && (
                <option value="" disabled>
                  Re-sign: add a secret in Settings first
                </option>
              )}
            </select>
          </label>
          <label className="rd-field">
            <span className="rd-label">Timeout</span>
            <input
              className="rd-input rd-timeout"
              data-testid="redeliver-timeout"
              inputMode="numeric"
              value={timeout}
              autoComplete="off"
              aria-invalid={!timeoutCheck.ok}
              onChange={(e) => setTimeoutText(e.target.value)}
            />
            <span className="dt-muted">ms</span>
          </label>
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
        {!timeoutCheck.ok ? (
          <p className="dt-error-text rd-small">{timeoutCheck.message}</p>
        ) : (
          timeoutCheck.warning !== null && <p className="dt-warn-text rd-small">{timeoutCheck.warning}</p>
        )}
        {secretsError !== null && (
          <p className="dt-warn-text rd-small">The secrets to re-sign with could not be read: {secretsError}</p>
        )}
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

/** Under the URL: where it will go, once the preview says. */
function PreviewLine({ preview, ready }: { preview: Preview; ready: boolean }) {
  if (!ready) return <span className="dt-muted">An http:// or https:// URL: your handler, usually on this machine.</span>;
  if (preview.state === 'error') {
    return (
      <span className="dt-error-text" data-testid="redeliver-preview-error" role="alert">
        {preview.message}
      </span>
    );
  }
  const p = preview.state === 'ok' ? preview.preview : preview.state === 'loading' ? preview.last : null;
  if (p === null) return <span className="dt-muted">Preparing the preview…</span>;
  return (
    <span className="rd-final" data-testid="redeliver-preview-url" data-url={p.url}>
      → <span className="dt-muted">{p.method}</span> <code>{p.url}</code>{' '}
      <span className="dt-muted">· {shortSize(p.body_size)} body</span>
    </span>
  );
}

/** The headers that would be sent, the recomputed signature first. */
function PreviewDetails({ preview }: { preview: Preview }) {
  const p = preview.state === 'ok' ? preview.preview : preview.state === 'loading' ? preview.last : null;
  if (p === null) return null;
  const signature = p.headers.find((h) => h[0]?.toLowerCase() === 'persona-signature');
  return (
    <section
      className="rd-preview"
      data-testid="redeliver-preview"
      data-state={preview.state}
      aria-label="What will be sent"
      aria-busy={preview.state === 'loading'}
    >
      <p className="rd-sig">
        <span className="dt-persona">persona-signature</span>{' '}
        {signature === undefined ? (
          <span className="dt-muted">none (the delivery carried none)</span>
        ) : (
          <code data-testid="redeliver-preview-signature">{signature[1]}</code>
        )}
      </p>
      <details>
        <summary>All {p.headers.length} headers that will be sent</summary>
        <table className="dt-table rd-headers" data-testid="redeliver-preview-headers">
          <tbody>
            {p.headers.map((h, i) => (
              <tr key={i}>
                <th scope="row" className={h[0]?.toLowerCase() === 'persona-signature' ? 'dt-hname dt-persona' : 'dt-hname'}>
                  {h[0]}
                </th>
                <td className="dt-hvalue">
                  <code>{h[1]}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="dt-muted rd-small">The client adds Host and Content-Length ({p.body_size} bytes).</p>
      </details>
    </section>
  );
}

/** Asked before re-signing a delivery Persona did not sign: it names the verdict. */
function ConfirmResign(props: { kind: UnverifiedKind; secret: string; onResign: () => void; onKeep: () => void; onCancel: () => void }) {
  const { kind, secret, onResign, onKeep, onCancel } = props;
  const keep = useRef<HTMLButtonElement>(null);
  return (
    <Dialog title="Re-sign a delivery Persona did not sign?" testId="redeliver-confirm" onClose={onCancel} initialFocus={keep}>
      <div className="forward-form" data-kind={kind}>
        <p data-testid="redeliver-confirm-reason">
          Persona did not sign this delivery: <strong>{unverifiedReason(kind)}</strong>.
        </p>
        <p>
          Re-signing it with “{secret}” makes your app accept these bytes as Persona's. Anyone who knows the
          listener's URL can send a request like it, so re-sign only if you trust where it came from.
        </p>
        <div className="form-actions dialog-actions">
          <button type="button" className="button" ref={keep} data-testid="redeliver-confirm-keep" onClick={onKeep}>
            Send with its original signature
          </button>
          <button type="button" className="button button-danger" data-testid="redeliver-confirm-resign" onClick={onResign}>
            Re-sign anyway
          </button>
          <button type="button" className="button button-quiet" data-testid="redeliver-confirm-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function SigningNote({ detail, resign, edited }: { detail: Detail; resign: string | null; edited: boolean }) {
  const unverified = unverifiedKind(detail);
  if (resign !== null && unverified !== null) {
    return (
      <p className="dt-warn-text rd-small" data-testid="redeliver-signing-note">
        Persona did not sign this delivery ({unverifiedReason(unverified)}): you will be asked before it is
        re-signed with “{resign}”; otherwise it goes with its original signature.
      </p>
    );
  }
  if (resign !== null) {
    return (
      <p className="dt-muted rd-small" data-testid="redeliver-signing-note">
        A fresh <code>t=&lt;now&gt;,v1=…</code> made with “{resign}” over the body actually sent replaces
        Persona's signature, so a handler with a timestamp tolerance accepts it.
      </p>
    );
  }
  const t = detail.signature.timestamp;
  const age = t === null ? null : formatDuration(Date.now() - t * 1000);
  return (
    <p className="dt-muted rd-small" data-testid="redeliver-signing-note">
      {detail.signature.status === 'missing'
        ? 'The delivery carried no signature: none is sent.'
        : `Persona's signature is sent as it arrived${age === null ? '' : ` (signed ${age} ago)`}: a handler that checks the timestamp should refuse it as a replay once it is old.`}
      {edited && (
        <strong className="dt-warn-text">
          {' '}
          The body is edited, so the kept signature no longer matches it: a handler that verifies will refuse it.
        </strong>
      )}
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
