// The listener's port with a Listen button: stops the listener and listens there instead.

import { useState } from 'react';
import { relisten, type ListenerStatus } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { checkPort } from './validate.ts';

export interface PortFormProps {
  port: number;
  onStatus: (status: ListenerStatus) => void;
}

/** Remount it (key) when the listener's port changes, so the field shows the new one. */
export function PortForm({ port, onStatus }: PortFormProps) {
  const [text, setText] = useState(String(port));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const check = checkPort(text);
  const warning = check.ok ? check.warning : null;

  const submit = () => {
    if (!check.ok) {
      setError(check.message);
      return;
    }
    setBusy(true);
    setError(null);
    relisten(check.value).then(
      (status) => {
        // A failed status is shown where the listener's state is (banner, Settings).
        setBusy(false);
        onStatus(status);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <form
      className="port-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="inline-field">
        <span>Port</span>
        <input
          data-testid="port-input"
          className="mono port-input"
          inputMode="numeric"
          autoComplete="off"
          value={text}
          aria-invalid={error !== null}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
      </label>
      <button type="submit" className="button" data-testid="relisten-button" disabled={busy}>
        {busy ? 'Starting…' : 'Listen'}
      </button>
      <span className="hint">0 picks any free port</span>
      {error !== null && (
        <p className="field-error" role="alert" data-testid="relisten-error">
          {error}
        </p>
      )}
      {error === null && warning !== null && <p className="field-warning">{warning}</p>}
    </form>
  );
}
