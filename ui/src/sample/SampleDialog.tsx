// "Send a sample event…": a made-up Persona event of any kind in the catalog, signed as Persona
// signs, sent to this inspector (stored as a test delivery and opened, to see how it looks) or to
// a URL (the handler being written; the result shows as a re-delivery's does). The event is
// picked by searching the catalog; the secret, the key casing, an empty `included` and the
// resource's id (the same id over several events tells one resource's story) are the user's.

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { DEFAULT_TIMEOUT_MS, sendSample, type CatalogEvent, type Casing, type SampleSent } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { errorText } from '../format/error.ts';
import { checkTimeout, KEEP } from '../send/redeliverOptions.ts';
import { TargetField, TimeoutField } from '../send/SendFields.tsx';
import { useSendForm } from '../send/useSendForm.ts';
import { useSettings } from '../settings/settingsStore.ts';
import { EventSearch } from './EventSearch.tsx';
import { buildRequest, CASINGS, sampleProblems, secretChoice, type Destination } from './sampleRequest.ts';
import { SampleResult } from './SampleResult.tsx';
import './sample.css';

/** The choices of the last send, offered again next time. */
const remembered = {
  event: 'inquiry.completed' as string | null,
  to: 'here' as Destination,
  url: '',
  timeout: String(DEFAULT_TIMEOUT_MS),
  secret: null as string | null,
  casing: 'kebab' as Casing,
  emptyIncluded: false,
};

export interface SampleDialogProps {
  catalog: readonly CatalogEvent[];
  /** This inspector's listener is running (else only a URL can be sent to). */
  listening: boolean;
  /** A sample stored by this inspector: select and open it. */
  onStored: (id: number) => void;
  onClose: () => void;
}

export function SampleDialog({ catalog, listening, onStored, onClose }: SampleDialogProps) {
  const [query, setQuery] = useState('');
  const [event, setEvent] = useState(remembered.event);
  const [to, setTo] = useState<Destination>(listening ? remembered.to : 'url');
  const [secretPicked, setSecretPicked] = useState(remembered.secret);
  const [casing, setCasing] = useState(remembered.casing);
  const [emptyIncluded, setEmptyIncluded] = useState(remembered.emptyIncluded);
  const [resourceId, setResourceId] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ sent: SampleSent; example: boolean } | null>(null);
  const clearError = useCallback(() => setError(null), []);
  // The URL and timeout are the send form's, as in a re-delivery.
  const form = useSendForm(
    () => ({ target: remembered.url, keepPath: false, signing: KEEP, timeout: remembered.timeout }),
    clearError,
  );
  const { settings } = useSettings();
  const search = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  useEffect(() => {
    if (result !== null) resultRef.current?.scrollIntoView({ block: 'nearest' });
  }, [result]);

  const secrets = form.choices.secrets;
  const labels = (secrets ?? []).map((s) => s.label);
  const secret = secretChoice(labels, secretPicked);
  const noSecret = secrets !== null && secrets.length === 0;
  const values = {
    event,
    to,
    url: form.values.target,
    timeout: form.values.timeout,
    secret,
    casing,
    emptyIncluded,
    resourceId,
  };
  const problems = sampleProblems(values);
  const timeout = checkTimeout(form.values.timeout);

  /** One of this dialog's own fields changed. */
  const edited = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setError(null);
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    form.setShowProblems(true);
    const built = buildRequest(values, settings?.reply_delay_ms ?? null);
    if (!built.ok) {
      if (built.problems.event !== null) search.current?.focus();
      return;
    }
    setSending(true);
    setError(null);
    setResult(null);
    try {
      const sent = await sendSample(built.request);
      Object.assign(remembered, { event, to, url: form.values.target, timeout: form.values.timeout, secret, casing, emptyIncluded });
      if (!alive.current) return;
      setResult({ sent, example: noSecret });
      form.setShowProblems(false);
      if (sent.delivery_id !== null) onStored(sent.delivery_id);
    } catch (err) {
      if (alive.current) setError(errorText(err));
    } finally {
      if (alive.current) setSending(false);
    }
  };

  const field = { form, look: 'dialog' as const, prefix: 'sample', disabled: sending };

  return (
    <Dialog title="Send a sample event" testId="sample" onClose={onClose} initialFocus={search} wide>
      <p className="section-note">
        A made-up Persona event, signed as Persona signs it: to see how a delivery looks here, or how your handler copes
        with an event you cannot easily trigger in the sandbox.
      </p>
      <form className="sample-form" onSubmit={(e) => void send(e)} noValidate>
        <fieldset className="forward-fieldset">
          <legend>Event</legend>
          <EventSearch
            catalog={catalog}
            query={query}
            chosen={event}
            onSearch={(q, chosen) => {
              setQuery(q);
              setEvent(chosen);
              setError(null);
            }}
            onChoose={edited(setEvent)}
            inputRef={search}
            problem={form.showProblems ? problems.event : null}
          />
        </fieldset>

        <fieldset className="forward-fieldset">
          <legend>Send to</legend>
          <label className="check-field">
            <input
              type="radio"
              name="sample-to"
              data-testid="sample-to-here"
              checked={to === 'here'}
              disabled={!listening}
              onChange={() => edited(setTo)('here')}
            />
            <span>
              This inspector{' '}
              <span className="hint">
                {listening
                  ? '— stored as a test delivery and opened'
                  : '— not listening: pick a port first (header or Settings)'}
              </span>
            </span>
          </label>
          <label className="check-field">
            <input
              type="radio"
              name="sample-to"
              data-testid="sample-to-url"
              checked={to === 'url'}
              onChange={() => edited(setTo)('url')}
            />
            <span>
              A URL <span className="hint">— your handler; nothing is stored here</span>
            </span>
          </label>
          {to === 'url' && (
            <div className="send-fields sample-url">
              <TargetField {...field} targetError={form.targetError(problems.target)} help="Sent as Persona sends: a POST with its headers." />
              <div className="send-row">
                <TimeoutField {...field} />
              </div>
              {!timeout.ok ? (
                <p className="field-error" data-testid="sample-timeout-error">
                  {timeout.message}
                </p>
              ) : (
                timeout.warning !== null && <p className="field-warning">{timeout.warning}</p>
              )}
            </div>
          )}
        </fieldset>

        <fieldset className="forward-fieldset">
          <legend>How</legend>
          <div className="send-row">
            <label className="stack-field stack-grow">
              <span>Signed with</span>
              <select
                data-testid="sample-secret"
                value={secret ?? ''}
                disabled={sending || labels.length === 0}
                onChange={(e) => edited(setSecretPicked)(e.target.value)}
              >
                {labels.length === 0 ? (
                  <option value="">{secrets === null ? 'Your first saved secret' : 'An example secret'}</option>
                ) : (
                  labels.map((label) => (
                    <option key={label} value={label}>
                      “{label}”
                    </option>
                  ))
                )}
              </select>
            </label>
            <label className="stack-field">
              <span>Keys</span>
              <select
                data-testid="sample-casing"
                value={casing}
                disabled={sending}
                onChange={(e) => edited(setCasing)(e.target.value as Casing)}
              >
                {CASINGS.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {noSecret && (
            <p className="hint" data-testid="sample-example-secret">
              No secret is saved, so it is signed with an example secret; its verdict says how to add yours (Settings →
              Webhook secrets).
            </p>
          )}
          {form.choices.secretsError !== null && (
            <p className="field-warning">
              The saved secrets could not be read ({form.choices.secretsError}): the first saved one signs it, else an
              example secret.
            </p>
          )}
          <label className="stack-field">
            <span>Resource id</span>
            <input
              className="mono"
              data-testid="sample-resource-id"
              value={resourceId}
              placeholder="optional, e.g. inq_… — blank: a made-up one"
              spellCheck={false}
              autoComplete="off"
              disabled={sending}
              onChange={(e) => edited(setResourceId)(e.target.value)}
            />
          </label>
          <p className="hint">Send several events with one resource’s id to tell its story, as Persona would over time.</p>
          <label className="check-field">
            <input
              type="checkbox"
              data-testid="sample-empty-included"
              checked={emptyIncluded}
              disabled={sending}
              onChange={(e) => edited(setEmptyIncluded)(e.target.checked)}
            />
            <span>
              Send <code className="mono">included: []</code>{' '}
              <span className="hint">— as a webhook without an Included Allowlist does</span>
            </span>
          </label>
        </fieldset>

        {error !== null && (
          <p className="field-error" role="alert" data-testid="sample-error">
            Could not send the sample: {error}
          </p>
        )}
        {result !== null && (
          <div ref={resultRef} className="sample-result-wrap">
            <SampleResult sent={result.sent} example={result.example} onKeepResource={setResourceId} />
          </div>
        )}
        <div className="form-actions dialog-actions">
          <button type="submit" className="button button-primary" data-testid="sample-send" disabled={sending} aria-busy={sending}>
            {sending ? 'Sending…' : 'Send'}
          </button>
          <span className="hint">
            <kbd>↑</kbd> <kbd>↓</kbd> choose the event, <kbd>Enter</kbd> sends
          </span>
        </div>
      </form>
    </Dialog>
  );
}
