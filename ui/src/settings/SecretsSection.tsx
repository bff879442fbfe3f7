// Webhook secrets: add, rename, remove. Every change re-checks the stored verdicts; the count is
// shown so it is clear the list changed.

import { useState } from 'react';
import {
  addSecret,
  removeSecret,
  renameSecret,
  type SecretInfo,
  type SecretsChanged,
} from '../bindings.ts';
import { plural } from '../format/text.ts';
import { errorText } from '../format/error.ts';
import { checkLabel, checkSecretValue } from './validate.ts';

export interface SecretsSectionProps {
  secrets: readonly SecretInfo[];
  onChanged: (result: SecretsChanged) => void;
}

export function SecretsSection({ secrets, onChanged }: SecretsSectionProps) {
  const [rechecked, setRechecked] = useState<number | null>(null);
  const changed = (r: SecretsChanged) => {
    setRechecked(r.rechecked);
    onChanged(r);
  };
  const labels = secrets.map((s) => s.label);
  return (
    <section className="settings-section" aria-labelledby="secrets-title">
      <h3 id="secrets-title">Webhook secrets</h3>
      <p className="section-note">
        Each Persona webhook has its own secret (<code className="mono">wbhsec_…</code>, on the webhook’s page
        in the Dashboard). Add both the old and the new one while rotating: a signature is valid when any of them
        matches. Only a preview is shown once added.
      </p>
      {secrets.length === 0 ? (
        <p className="empty-note">No secrets yet: signatures are not checked (“unchecked”).</p>
      ) : (
        <ul className="secrets">
          {secrets.map((s) => (
            <SecretRow key={s.id} secret={s} taken={labels.filter((l) => l !== s.label)} onChanged={changed} />
          ))}
        </ul>
      )}
      <AddSecret taken={labels} onChanged={changed} suggest={secrets.length === 0 ? 'current' : 'next'} />
      {rechecked !== null && (
        <p className="ok-note" data-testid="rechecked-count" role="status">
          {plural(rechecked, 'delivery', 'deliveries')} re-checked
        </p>
      )}
    </section>
  );
}

function AddSecret({
  taken,
  onChanged,
  suggest,
}: {
  taken: readonly string[];
  onChanged: (r: SecretsChanged) => void;
  suggest: string;
}) {
  const [label, setLabel] = useState('');
  const [value, setValue] = useState('');
  const [labelError, setLabelError] = useState<string | null>(null);
  const [valueError, setValueError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const valueCheck = value === '' ? null : checkSecretValue(value);
  const warning = valueCheck?.ok === true ? valueCheck.warning : null;

  const submit = () => {
    const lErr = checkLabel(label, taken);
    const v = checkSecretValue(value);
    setLabelError(lErr);
    setValueError(v.ok ? null : v.message);
    if (lErr !== null || !v.ok) return;
    setBusy(true);
    setError(null);
    addSecret(label.trim(), v.value).then(
      (r) => {
        setBusy(false);
        setLabel('');
        setValue('');
        onChanged(r);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <form
      className="add-secret"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="stack-field">
        <span>Label</span>
        <input
          data-testid="secret-label-input"
          value={label}
          placeholder={suggest}
          autoComplete="off"
          aria-invalid={labelError !== null}
          onChange={(e) => {
            setLabel(e.target.value);
            setLabelError(null);
          }}
        />
        {labelError !== null && <span className="field-error">{labelError}</span>}
      </label>
      <label className="stack-field stack-grow">
        <span>Secret</span>
        <input
          data-testid="secret-value-input"
          className="mono"
          type="password"
          value={value}
          placeholder="wbhsec_…"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={valueError !== null}
          onChange={(e) => {
            setValue(e.target.value);
            setValueError(null);
          }}
        />
        {valueError !== null && <span className="field-error">{valueError}</span>}
        {valueError === null && warning !== null && <span className="field-warning">{warning}</span>}
      </label>
      <button type="submit" className="button button-primary" data-testid="secret-add" disabled={busy}>
        {busy ? 'Adding…' : 'Add secret'}
      </button>
      {error !== null && (
        <p className="field-error" role="alert">
          Could not add the secret: {error}
        </p>
      )}
    </form>
  );
}

function SecretRow({
  secret,
  taken,
  onChanged,
}: {
  secret: SecretInfo;
  taken: readonly string[];
  onChanged: (r: SecretsChanged) => void;
}) {
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-remove'>('view');
  const [label, setLabel] = useState(secret.label);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = (what: string, call: () => Promise<SecretsChanged>) => {
    setBusy(true);
    setError(null);
    call().then(
      (r) => {
        setBusy(false);
        setMode('view');
        onChanged(r);
      },
      (e: unknown) => {
        setBusy(false);
        setError(`Could not ${what}: ${errorText(e)}`);
      },
    );
  };

  const rename = () => {
    const next = label.trim();
    if (next === secret.label) {
      setMode('view');
      return;
    }
    const problem = checkLabel(next, taken);
    if (problem !== null) {
      setError(problem);
      return;
    }
    run('rename the secret', () => renameSecret(secret.id, next));
  };

  return (
    <li className="secret-row" data-testid="secret-row" data-secret-id={secret.id}>
      {mode === 'rename' ? (
        <form
          className="secret-rename"
          onSubmit={(e) => {
            e.preventDefault();
            rename();
          }}
        >
          <input
            aria-label={`New label for ${secret.label}`}
            data-testid="secret-rename-input"
            value={label}
            autoFocus
            onChange={(e) => {
              setLabel(e.target.value);
              setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                // Cancel the rename, not close the dialog.
                e.stopPropagation();
                setMode('view');
                setLabel(secret.label);
                setError(null);
              }
            }}
          />
          <button type="submit" className="button" disabled={busy}>
            Save
          </button>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setMode('view');
              setLabel(secret.label);
              setError(null);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <>
          <span
            className="secret-label"
            title="Double-click to rename"
            onDoubleClick={() => {
              setLabel(secret.label);
              setMode('rename');
            }}
          >
            {secret.label}
          </span>
          <code className="mono secret-preview">{secret.preview}</code>
          {mode === 'confirm-remove' ? (
            <span className="confirm">
              <span>Remove? Deliveries are re-checked without it.</span>
              <button
                type="button"
                className="button button-danger"
                data-testid="secret-remove-confirm"
                disabled={busy}
                onClick={() => run('remove the secret', () => removeSecret(secret.id))}
              >
                {busy ? 'Removing…' : 'Remove'}
              </button>
              <button type="button" className="button button-quiet" onClick={() => setMode('view')}>
                Keep
              </button>
            </span>
          ) : (
            <span className="secret-actions">
              <button
                type="button"
                className="button button-quiet"
                data-testid="secret-rename"
                onClick={() => {
                  setLabel(secret.label);
                  setMode('rename');
                }}
              >
                Rename
              </button>
              <button
                type="button"
                className="button button-quiet"
                data-testid="secret-remove"
                onClick={() => setMode('confirm-remove')}
              >
                Remove
              </button>
            </span>
          )}
        </>
      )}
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
