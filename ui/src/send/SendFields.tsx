// Where and how to send, as the Forwarding and bulk Re-deliver dialogs ask it: the target URL
// (recent ones offered, checked as typed), the capture's own path appended or not, the signature
// kept or re-signed with a saved secret, and the timeout. The values are the Re-deliver tab's
// (`redeliverOptions.ts`), so the same checks and signing choices apply.

import { useId, type ReactNode } from 'react';
import { checkTimeout, KEEP, resignChoice } from '../detail/redeliverOptions.ts';
import type { SendChoices } from './useSendChoices.ts';

export interface SendFieldsProps {
  /** Test ids are `<prefix>-target`, `<prefix>-keep-path`, `<prefix>-signing`, `<prefix>-timeout`. */
  prefix: string;
  target: string;
  onTarget: (value: string) => void;
  /** Shown under the URL (checked as typed once something was typed, or on submit). */
  targetError: string | null;
  /** Under the URL when it is fine. */
  targetHelp: ReactNode;
  keepPath: boolean;
  onKeepPath: (on: boolean) => void;
  /** `KEEP` or `resignChoice(label)`. */
  signing: string;
  onSigning: (choice: string) => void;
  timeout: string;
  onTimeout: (value: string) => void;
  choices: SendChoices;
  disabled?: boolean;
}

export function SendFields(props: SendFieldsProps) {
  const { prefix, target, onTarget, targetError, targetHelp, keepPath, onKeepPath, signing, onSigning } = props;
  const { timeout, onTimeout, choices, disabled = false } = props;
  const uid = useId();
  const timeoutCheck = checkTimeout(timeout);
  return (
    <div className="send-fields">
      <div className="stack-field">
        <label htmlFor={`${uid}-target`}>Send to</label>
        <input
          id={`${uid}-target`}
          className="mono send-target"
          data-testid={`${prefix}-target`}
          type="url"
          list={`${uid}-recent`}
          value={target}
          placeholder="http://127.0.0.1:3000/webhooks/persona"
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={targetError !== null}
          aria-describedby={`${uid}-target-help`}
          onChange={(e) => onTarget(e.target.value)}
        />
      </div>
      <datalist id={`${uid}-recent`} data-testid={`${prefix}-recent`}>
        {choices.recent.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <p id={`${uid}-target-help`} className="send-help">
        {targetError !== null ? (
          <span className="field-error" role="alert" data-testid={`${prefix}-target-error`}>
            {targetError}
          </span>
        ) : (
          <span className="hint">{targetHelp}</span>
        )}
      </p>
      <label className="check-field">
        <input
          type="checkbox"
          data-testid={`${prefix}-keep-path`}
          checked={keepPath}
          disabled={disabled}
          onChange={(e) => onKeepPath(e.target.checked)}
        />
        Append each capture’s own path and query to the URL
      </label>
      <div className="send-row">
        <label className="stack-field stack-grow">
          <span>Signature</span>
          <select
            data-testid={`${prefix}-signing`}
            value={signing}
            disabled={disabled}
            onChange={(e) => onSigning(e.target.value)}
          >
            <option value={KEEP}>Keep Persona’s (test replay rejection)</option>
            {(choices.secrets ?? []).map((s) => (
              <option key={s.id} value={resignChoice(s.label)}>
                Re-sign with “{s.label}”, fresh timestamp
              </option>
            ))}
            {choices.secrets !== null && choices.secrets.length === 0 && (
              <option value="" disabled>
                Re-sign: add a secret in Settings first
              </option>
            )}
          </select>
        </label>
        <label className="stack-field">
          <span>Timeout</span>
          <span className="with-unit">
            <input
              className="number-input"
              data-testid={`${prefix}-timeout`}
              inputMode="numeric"
              value={timeout}
              autoComplete="off"
              disabled={disabled}
              aria-invalid={!timeoutCheck.ok}
              onChange={(e) => onTimeout(e.target.value)}
            />
            <span className="unit">ms</span>
          </span>
        </label>
      </div>
      {!timeoutCheck.ok ? (
        <p className="field-error" data-testid={`${prefix}-timeout-error`}>
          {timeoutCheck.message}
        </p>
      ) : (
        timeoutCheck.warning !== null && <p className="field-warning">{timeoutCheck.warning}</p>
      )}
      {choices.secretsError !== null && (
        <p className="field-warning">The secrets to re-sign with could not be read: {choices.secretsError}</p>
      )}
    </div>
  );
}
