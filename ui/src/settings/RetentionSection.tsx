// How long captures are kept: N days (Persona itself keeps events 30 days) or forever. The app
// purges what is older, a whole day at a time, at launch and every hour; purged deliveries are
// erased from disk.

import { useState } from 'react';
import { updateSettings, type AppSettings } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { checkDays } from './validate.ts';

export interface RetentionSectionProps {
  settings: AppSettings;
  onSettings: (next: AppSettings) => void;
}

export function RetentionSection({ settings, onSettings }: RetentionSectionProps) {
  const [forever, setForever] = useState(settings.retention_days === null);
  const [days, setDays] = useState(String(settings.retention_days ?? 30));
  const [shown, setShown] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const check = checkDays(days);
  const wanted = forever ? null : check.ok ? check.value : undefined;
  const dirty = wanted !== settings.retention_days;

  const save = () => {
    if (!forever && !check.ok) {
      setShown(check.message);
      return;
    }
    if (!dirty) return;
    setBusy(true);
    setError(null);
    updateSettings({ retention: forever || !check.ok ? 'forever' : { days: check.value } }).then(
      (next) => {
        setBusy(false);
        setSaved(true);
        onSettings(next);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby="retention-title">
      <h3 id="retention-title">Stored deliveries</h3>
      <form
        className="reply-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label className="stack-field">
          <span>Keep for</span>
          <span className="with-unit">
            <input
              data-testid="retention-days-input"
              className="mono number-input"
              inputMode="numeric"
              autoComplete="off"
              value={days}
              disabled={forever}
              aria-invalid={shown !== null}
              onChange={(e) => {
                setDays(e.target.value);
                setShown(null);
                setSaved(false);
              }}
            />
            <span className="unit">days</span>
          </span>
          {shown !== null ? (
            <span className="field-error">{shown}</span>
          ) : (
            <span className="field-help">
              Deliveries are kept at least this many days, then purged (whole days, at launch and every hour) and erased
              from disk. Persona keeps events 30 days.
            </span>
          )}
        </label>
        <label className="check-field">
          <input
            type="checkbox"
            data-testid="retention-forever"
            checked={forever}
            onChange={(e) => {
              setForever(e.target.checked);
              setShown(null);
              setSaved(false);
            }}
          />
          <span>Keep forever</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="retention-save" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {saved && !dirty && (
            <span className="ok-note" role="status" data-testid="retention-saved">
              Saved
            </span>
          )}
          {error !== null && (
            <span className="field-error" role="alert">
              Could not save: {error}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
