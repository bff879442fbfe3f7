// How verdicts and replies work: stale tolerance, the listener's reply (status and delay, to
// rehearse Persona's retries), and desktop notifications.

import { useState } from 'react';
import { updateSettings, type AppSettings, type SettingsChange } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { LIMIT_S, successCodes } from '../persona/facts.ts';
import { checkReplyDelay, checkReplyStatus, checkTolerance, type Checked } from './validate.ts';

export interface ReplySectionProps {
  settings: AppSettings;
  onSettings: (next: AppSettings) => void;
}

type Field = 'tolerance_seconds' | 'reply_status' | 'reply_delay_ms';

const CHECKS: Record<Field, (text: string) => Checked<number>> = {
  tolerance_seconds: checkTolerance,
  reply_status: checkReplyStatus,
  reply_delay_ms: checkReplyDelay,
};

export function ReplySection({ settings, onSettings }: ReplySectionProps) {
  const [text, setText] = useState<Record<Field, string>>({
    tolerance_seconds: String(settings.tolerance_seconds),
    reply_status: String(settings.reply_status),
    reply_delay_ms: String(settings.reply_delay_ms),
  });
  const [shown, setShown] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const checks = {
    tolerance_seconds: CHECKS.tolerance_seconds(text.tolerance_seconds),
    reply_status: CHECKS.reply_status(text.reply_status),
    reply_delay_ms: CHECKS.reply_delay_ms(text.reply_delay_ms),
  };
  const change: SettingsChange = {};
  for (const f of Object.keys(checks) as Field[]) {
    const c = checks[f];
    if (c.ok && c.value !== settings[f]) change[f] = c.value;
  }
  const dirty = Object.keys(change).length > 0 || Object.values(checks).some((c) => !c.ok);

  const save = () => {
    const problems: Partial<Record<Field, string>> = {};
    for (const f of Object.keys(checks) as Field[]) {
      const c = checks[f];
      if (!c.ok) problems[f] = c.message;
    }
    setShown(problems);
    if (Object.keys(problems).length > 0 || Object.keys(change).length === 0) return;
    setBusy(true);
    setError(null);
    updateSettings(change).then(
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

  const field = (f: Field, label: string, unit: string, testId: string, help: string) => {
    const c = checks[f];
    const problem = shown[f];
    return (
      <label className="stack-field">
        <span>{label}</span>
        <span className="with-unit">
          <input
            data-testid={testId}
            className="mono number-input"
            inputMode="numeric"
            autoComplete="off"
            value={text[f]}
            aria-invalid={problem !== undefined}
            onChange={(e) => {
              setText({ ...text, [f]: e.target.value });
              const rest = { ...shown };
              delete rest[f];
              setShown(rest);
              setSaved(false);
            }}
          />
          <span className="unit">{unit}</span>
        </span>
        {problem !== undefined ? (
          <span className="field-error">{problem}</span>
        ) : c.ok && c.warning !== null ? (
          <span className="field-warning">{c.warning}</span>
        ) : (
          <span className="field-help">{help}</span>
        )}
      </label>
    );
  };

  return (
    <>
      <section className="settings-section" aria-labelledby="reply-title">
        <h3 id="reply-title">Verification and replies</h3>
        <form
          className="reply-form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          {field(
            'tolerance_seconds',
            'Stale after',
            's',
            'tolerance-input',
            'A valid signature older than this at arrival is flagged stale. Persona documents no tolerance.',
          )}
          {field(
            'reply_status',
            'Reply status',
            '',
            'reply-status-input',
            `Persona counts ${successCodes('and')} as delivered.`,
          )}
          {field(
            'reply_delay_ms',
            'Reply delay',
            'ms',
            'reply-delay-input',
            `Wait before answering. Persona gives up after ${LIMIT_S} s.`,
          )}
          <div className="form-actions">
            <button type="submit" className="button button-primary" data-testid="settings-save" disabled={busy || !dirty}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            {saved && !dirty && (
              <span className="ok-note" role="status">
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
      <NotificationsToggle settings={settings} onSettings={onSettings} />
    </>
  );
}

function NotificationsToggle({ settings, onSettings }: ReplySectionProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (change: SettingsChange) => {
    setBusy(true);
    setError(null);
    updateSettings(change).then(
      (next) => {
        setBusy(false);
        onSettings(next);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };
  return (
    <section className="settings-section" aria-labelledby="notify-title">
      <h3 id="notify-title">Notifications</h3>
      <label className="check-field">
        <input
          type="checkbox"
          data-testid="notifications-toggle"
          checked={settings.notifications}
          disabled={busy}
          onChange={(e) => toggle({ notifications: e.target.checked })}
        />
        <span>One desktop notification per burst of arriving deliveries</span>
      </label>
      <label className="check-field">
        <input
          type="checkbox"
          data-testid="notification-counts-only-toggle"
          checked={settings.notification_counts_only}
          disabled={busy || !settings.notifications}
          onChange={(e) => toggle({ notification_counts_only: e.target.checked })}
        />
        <span>Counts only (“3 new deliveries”): no event name or resource id on a locked screen</span>
      </label>
      {error !== null && (
        <p className="field-error" role="alert">
          Could not change notifications: {error}
        </p>
      )}
    </section>
  );
}
