// Forwarding: the forward rule, edited. When on, every new capture (or only the chosen events) is
// sent to your app as soon as it is stored, like `stripe listen --forward-to`; a failed forward can
// be retried on Persona's schedule divided by a speed-up, to watch a handler cope with retries and
// duplicates. Saving checks the rule on the Rust side; a refusal's sentence shows here.

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { setForwardRule, type CatalogEvent, type EventCount, type ForwardRule } from '../bindings.ts';
import { signingFromChoice } from '../send/redeliverOptions.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { errorText } from '../format/error.ts';
import { SendFields } from '../send/SendFields.tsx';
import { useSendForm } from '../send/useSendForm.ts';
import { EventPicker } from './EventPicker.tsx';
import { LAST_RETRY_H, LIMIT_S, RETRIES, successCodes } from '../persona/facts.ts';
import { buildRule, CUSTOM, formFromRule, formSpeedup, scheduleText, SPEEDUP_PRESETS, type RuleForm } from './rule.ts';

export interface ForwardingDialogProps {
  rule: ForwardRule;
  catalog: readonly CatalogEvent[];
  counts: readonly EventCount[];
  /** The rule as saved (the dialog closes). */
  onSaved: (rule: ForwardRule) => void;
  onClose: () => void;
}

export function ForwardingDialog({ rule, catalog, counts, onSaved, onClose }: ForwardingDialogProps) {
  const [saved] = useState(() => formFromRule(rule));
  const [saving, setSaving] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const clearRefusal = useCallback(() => setRefused(null), []);
  // Where and how to send is the shared send form's; the rest is this dialog's own.
  const send = useSendForm(
    () => ({ target: saved.target, keepPath: saved.keepPath, signing: saved.signing, timeout: saved.timeout }),
    clearRefusal,
  );
  const [own, setOwn] = useState<RuleForm>(saved);
  const form: RuleForm = { ...own, ...send.values };
  const first = useRef<HTMLInputElement>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  /** This dialog's own fields (the send form's change through `send`). */
  const change = (patch: Partial<RuleForm>) => {
    setOwn((f) => ({ ...f, ...patch }));
    setRefused(null);
  };

  const built = buildRule(form);
  const targetError = send.targetError(built.ok ? null : built.problems.target);
  const speedup = formSpeedup(form);

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (saving) return;
    send.setShowProblems(true);
    if (!built.ok) return;
    setSaving(true);
    setRefused(null);
    try {
      const saved = await setForwardRule(built.rule);
      if (alive.current) onSaved(saved);
    } catch (err) {
      if (alive.current) setRefused(errorText(err));
    } finally {
      if (alive.current) setSaving(false);
    }
  };

  return (
    <Dialog title="Forwarding" testId="forwarding" onClose={onClose} initialFocus={first} wide>
      <p className="section-note">
        Sends each new capture to your app as soon as it is stored, like <code className="mono">stripe listen --forward-to</code>.
        Persona’s answer never waits for it; each result shows in the list’s Forward column and in the capture’s Re-deliver
        tab.
      </p>
      <form className="forward-form" onSubmit={(e) => void save(e)} noValidate>
        <label className="check-field forward-switch">
          <input
            ref={first}
            type="checkbox"
            data-testid="forward-enabled"
            checked={form.enabled}
            onChange={(e) => change({ enabled: e.target.checked })}
          />
          <strong>Forward new captures</strong>
        </label>

        <SendFields
          form={send}
          prefix="forward"
          targetError={targetError}
          targetHelp={form.enabled ? 'Your app’s webhook URL, usually on this machine.' : 'Kept for when forwarding is on.'}
        />
        {signingFromChoice(form.signing).mode === 'resign' && (
          <label className="check-field">
            <input
              type="checkbox"
              data-testid="forward-resign-unverified"
              checked={form.resignUnverified}
              onChange={(e) => change({ resignUnverified: e.target.checked })}
            />
            Also re-sign captures Persona did not sign (invalid, missing, malformed or unchecked signature) or that arrived stale
          </label>
        )}
        {signingFromChoice(form.signing).mode === 'resign' && (
          <p className={form.resignUnverified ? 'hint field-error' : 'hint'} data-testid="forward-resign-unverified-note">
            {form.resignUnverified
              ? 'Anyone who finds the listener’s URL can then get requests signed with your secret and accepted by your app.'
              : 'Off: a capture whose signature does not check out, or was stale when it arrived (an old request sent again?), is forwarded with its own signature, and its result says why.'}
          </p>
        )}

        <fieldset className="forward-fieldset">
          <legend>Events</legend>
          <EventPicker catalog={catalog} counts={counts} value={form.events} onChange={(events) => change({ events })} />
        </fieldset>

        <fieldset className="forward-fieldset">
          <legend>Retries</legend>
          <label className="check-field">
            <input
              type="checkbox"
              data-testid="forward-retries"
              checked={form.retries}
              onChange={(e) => change({ retries: e.target.checked })}
            />
            Retry a failed forward on Persona’s schedule, sped up
          </label>
          <div className="send-row">
            <label className="stack-field">
              <span>Speed-up</span>
              <select
                data-testid="forward-speedup"
                value={form.speedup}
                disabled={!form.retries}
                onChange={(e) => change({ speedup: e.target.value })}
              >
                {SPEEDUP_PRESETS.map((p) => (
                  <option key={p.value} value={String(p.value)}>
                    {p.label}
                  </option>
                ))}
                <option value={CUSTOM}>Custom…</option>
              </select>
            </label>
            {form.speedup === CUSTOM && (
              <label className="stack-field">
                <span>Divide the schedule by</span>
                <span className="with-unit">
                  <input
                    className="number-input"
                    data-testid="forward-speedup-custom"
                    inputMode="numeric"
                    value={form.customSpeedup}
                    placeholder="e.g. 100000"
                    autoComplete="off"
                    disabled={!form.retries}
                    aria-invalid={form.retries && !speedup.ok}
                    onChange={(e) => change({ customSpeedup: e.target.value })}
                  />
                  <span className="unit">×</span>
                </span>
              </label>
            )}
          </div>
          {speedup.ok ? (
            <p className={form.retries ? 'forward-schedule' : 'forward-schedule hint'} data-testid="forward-schedule">
              {form.retries ? `Up to ${RETRIES} retries, after ` : `With retries on: up to ${RETRIES}, after `}
              {scheduleText(speedup.value)}.
            </p>
          ) : (
            form.retries && (
              <p className="field-error" data-testid="forward-speedup-error">
                {speedup.message}
              </p>
            )
          )}
          <p className="hint">
            Persona retries anything but {successCodes()} within {LIMIT_S} s, up to {RETRIES} times, the last about{' '}
            {LAST_RETRY_H} h after the first attempt. Each retry is the same event again (a duplicate to your handler). Retries continue the capture’s
            own count: <code className="mono">Persona-Webhook-Attempts-Made</code> goes up and <code className="mono">-Left</code>{' '}
            down, a capture that said 5 left is retried at most 5 times at the schedule’s later gaps, and one that said 0
            left is not retried. A capture without <code className="mono">-Left</code> starts the schedule over and keeps
            its headers as captured.
          </p>
        </fieldset>

        {refused !== null && (
          <p className="field-error" role="alert" data-testid="forward-error">
            Not saved: {refused}
          </p>
        )}
        <div className="form-actions dialog-actions">
          <button type="submit" className="button button-primary" data-testid="forward-save" disabled={saving} aria-busy={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <span className="hint">Saving stops any retry waiting under the previous rule.</span>
        </div>
      </form>
    </Dialog>
  );
}
