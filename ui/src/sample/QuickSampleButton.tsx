// First run's one click: a sample inquiry.completed sent to this inspector and opened, to see how
// a delivery looks before Persona sends one. Anything else is in "Send a sample event…".

import { useState } from 'react';
import { sendSample } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { useSettings } from '../settings/settingsStore.ts';
import { listenerTimeout } from './sampleRequest.ts';
import './sample.css';

/** The event most handlers start with. */
export const QUICK_EVENT = 'inquiry.completed';

export function QuickSampleButton({ onStored }: { onStored: (id: number) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { settings } = useSettings();

  const send = () => {
    setBusy(true);
    setError(null);
    sendSample({ event: QUICK_EVENT, timeout_ms: listenerTimeout(settings?.reply_delay_ms ?? null) }).then(
      (sent) => {
        setBusy(false);
        // The command rejects a sample this inspector did not store, so the id is there.
        if (sent.delivery_id !== null) onStored(sent.delivery_id);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <span className="quick-sample">
      <button
        type="button"
        className="button button-primary"
        data-testid="send-sample-quick"
        disabled={busy}
        title={`Post a signed sample ${QUICK_EVENT} event to this app's listener`}
        onClick={send}
      >
        {busy ? 'Sending…' : `Send a sample ${QUICK_EVENT}`}
      </button>
      {error !== null && (
        <span className="inline-error" role="alert">
          Could not send the sample: {error}
        </span>
      )}
    </span>
  );
}
