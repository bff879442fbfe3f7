// "Send a test event": a signed sample Persona event posted to the app's own listener.

import { useState } from 'react';
import { sendTestEvent } from '../bindings.ts';
import { errorText } from '../format/error.ts';

export function TestEventButton({ onSent, primary = false }: { onSent: (id: number) => void; primary?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = () => {
    setBusy(true);
    setError(null);
    sendTestEvent().then(
      (id) => {
        setBusy(false);
        onSent(id);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <span className="test-event">
      <button
        type="button"
        className={primary ? 'button button-primary' : 'button'}
        data-testid="send-test-event"
        disabled={busy}
        title="Post a signed sample inquiry.completed event to this app's listener"
        onClick={send}
      >
        {busy ? 'Sending…' : 'Send a test event'}
      </button>
      {error !== null && (
        <span className="inline-error" role="alert">
          Could not send the test event: {error}
        </span>
      )}
    </span>
  );
}
