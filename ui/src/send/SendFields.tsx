// The send form's fields, written once: the target URL (recent ones offered, its problem or a
// help line under it), the capture's own path appended or not, the signature kept or re-signed
// with a saved secret, the timeout, and the notes they raise. The Forwarding and bulk dialogs
// stack them (`SendFields`); the Re-deliver tab lays the same fields out in its own compact rows,
// in the detail pane's look. The values are `redeliverOptions.ts`'s, so the same checks apply.

import { useId, type ReactNode } from 'react';
import { checkTimeout, KEEP, resignChoice } from './redeliverOptions.ts';
import type { SendForm } from './useSendForm.ts';

/** The dialogs' look, or the detail pane's (Re-deliver tab). */
export type Look = 'dialog' | 'tab';

const CLASSES = {
  dialog: {
    targetRow: 'stack-field',
    label: undefined,
    target: 'mono send-target',
    help: 'send-help',
    targetError: 'field-error',
    helpText: 'hint',
    check: 'check-field',
    field: 'stack-field',
    select: undefined,
    timeout: 'number-input',
    error: 'field-error',
    warning: 'field-warning',
  },
  tab: {
    targetRow: 'rd-target-row',
    label: 'rd-label',
    target: 'rd-input rd-target',
    help: 'rd-help',
    targetError: 'dt-error-text',
    helpText: undefined,
    check: 'rd-check',
    field: 'rd-field',
    select: 'rd-input',
    timeout: 'rd-input rd-timeout',
    error: 'dt-error-text rd-small',
    warning: 'dt-warn-text rd-small',
  },
} as const;

/** The signing select's first choice, as each look has always worded it. */
const KEEP_TEXT: Record<Look, string> = {
  dialog: 'Keep Persona’s (test replay rejection)',
  tab: "Keep Persona's (test replay rejection)",
};

interface FieldProps {
  form: SendForm;
  look: Look;
  /** Test ids are `<prefix>-target`, `<prefix>-keep-path`, `<prefix>-signing`, `<prefix>-timeout`. */
  prefix: string;
  disabled?: boolean;
}

/** What the URL field reads of a form: any form with a typed URL and targets to offer. */
export interface TargetForm {
  values: { target: string };
  choices: { recent: readonly string[] };
  typeTarget: (target: string) => void;
}

export interface TargetFieldProps extends Omit<FieldProps, 'form'> {
  form: TargetForm;
  /** "Send to" unless told. */
  label?: string;
  /** Shown under the URL (the caller decides when: `form.targetError`). */
  targetError: string | null;
  /** Under the URL when it is fine. */
  help: ReactNode;
  /** Beside the URL (the Re-deliver tab's Send button). */
  action?: ReactNode;
}

/** "Send to": the URL, the recent targets offered, and its problem or help below it. */
export function TargetField({ form, look, prefix, disabled = false, label = 'Send to', targetError, help, action }: TargetFieldProps) {
  const uid = useId();
  const c = CLASSES[look];
  return (
    <>
      <div className={c.targetRow}>
        <label htmlFor={`${uid}-target`} className={c.label}>
          {label}
        </label>
        <input
          id={`${uid}-target`}
          className={c.target}
          data-testid={`${prefix}-target`}
          type="url"
          list={`${uid}-recent`}
          value={form.values.target}
          placeholder="http://127.0.0.1:3000/webhooks/persona"
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={targetError !== null}
          aria-describedby={`${uid}-target-help`}
          onChange={(e) => form.typeTarget(e.target.value)}
        />
        <datalist id={`${uid}-recent`} data-testid={`${prefix}-recent`}>
          {form.choices.recent.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        {action}
      </div>
      <div id={`${uid}-target-help`} className={c.help}>
        {targetError !== null ? (
          <span className={c.targetError} role="alert" data-testid={`${prefix}-target-error`}>
            {targetError}
          </span>
        ) : (
          <span className={c.helpText}>{help}</span>
        )}
      </div>
    </>
  );
}

/** Append the capture's own path and query to the URL. */
export function KeepPathField({ form, look, prefix, disabled = false, children }: FieldProps & { children: ReactNode }) {
  return (
    <label className={CLASSES[look].check}>
      <input
        type="checkbox"
        data-testid={`${prefix}-keep-path`}
        checked={form.values.keepPath}
        disabled={disabled}
        onChange={(e) => form.change({ keepPath: e.target.checked })}
      />
      {children}
    </label>
  );
}

/** Keep Persona's signature, or re-sign with a saved secret. */
export function SigningField({ form, look, prefix, disabled = false }: FieldProps) {
  const c = CLASSES[look];
  const secrets = form.choices.secrets;
  return (
    <label className={look === 'dialog' ? 'stack-field stack-grow' : c.field}>
      <span className={c.label}>Signature</span>
      <select
        className={c.select}
        data-testid={`${prefix}-signing`}
        value={form.values.signing}
        disabled={disabled}
        onChange={(e) => form.change({ signing: e.target.value })}
      >
        <option value={KEEP}>{KEEP_TEXT[look]}</option>
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
  );
}

/** The timeout in ms. */
export function TimeoutField({ form, look, prefix, disabled = false }: FieldProps) {
  const c = CLASSES[look];
  const input = (
    <input
      className={c.timeout}
      data-testid={`${prefix}-timeout`}
      inputMode="numeric"
      value={form.values.timeout}
      autoComplete="off"
      disabled={disabled}
      aria-invalid={!checkTimeout(form.values.timeout).ok}
      onChange={(e) => form.change({ timeout: e.target.value })}
    />
  );
  return (
    <label className={c.field}>
      <span className={c.label}>Timeout</span>
      {look === 'dialog' ? (
        <span className="with-unit">
          {input}
          <span className="unit">ms</span>
        </span>
      ) : (
        <>
          {input}
          <span className="dt-muted">ms</span>
        </>
      )}
    </label>
  );
}

/** What the timeout and the secrets raise: a refused timeout, a slow one, unreadable secrets. */
export function SendNotes({ form, look, prefix }: Omit<FieldProps, 'disabled'>) {
  const c = CLASSES[look];
  const timeout = checkTimeout(form.values.timeout);
  return (
    <>
      {!timeout.ok ? (
        <p className={c.error} data-testid={`${prefix}-timeout-error`}>
          {timeout.message}
        </p>
      ) : (
        timeout.warning !== null && <p className={c.warning}>{timeout.warning}</p>
      )}
      {form.choices.secretsError !== null && (
        <p className={c.warning}>The secrets to re-sign with could not be read: {form.choices.secretsError}</p>
      )}
    </>
  );
}

export interface SendFieldsProps {
  form: SendForm;
  /** Test ids are `<prefix>-target`, `<prefix>-keep-path`, `<prefix>-signing`, `<prefix>-timeout`. */
  prefix: string;
  targetError: string | null;
  /** Under the URL when it is fine. */
  targetHelp: ReactNode;
  disabled?: boolean;
}

/** The fields stacked, as the Forwarding and bulk Re-deliver dialogs show them. */
export function SendFields({ form, prefix, targetError, targetHelp, disabled = false }: SendFieldsProps) {
  const field = { form, look: 'dialog' as const, prefix, disabled };
  return (
    <div className="send-fields">
      <TargetField {...field} targetError={targetError} help={targetHelp} />
      <KeepPathField {...field}>Append each capture’s own path and query to the URL</KeepPathField>
      <div className="send-row">
        <SigningField {...field} />
        <TimeoutField {...field} />
      </div>
      <SendNotes form={form} look="dialog" prefix={prefix} />
    </div>
  );
}
