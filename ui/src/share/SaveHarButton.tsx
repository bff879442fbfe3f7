// "Save as HAR" in the detail header: the delivery as a HAR 1.2 file in the Downloads folder, for
// browser developer tools, Insomnia, Postman or HTTP Toolkit. Says where it went, or why not.

import { useEffect, useRef, useState } from 'react';
import { errorText } from '../format/error.ts';
import { saveHar } from './saveHar.ts';

type State = { state: 'idle' | 'working' } | { state: 'saved' | 'failed'; message: string };

export function SaveHarButton({ id }: { id: number }) {
  const [s, setS] = useState<State>({ state: 'idle' });
  const alive = useRef(true);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      window.clearTimeout(timer.current);
    };
  }, []);

  const save = async () => {
    window.clearTimeout(timer.current);
    setS({ state: 'working' });
    try {
      const message = await saveHar({ kind: 'ids', ids: [id] }, { kind: 'one', id });
      if (!alive.current) return;
      setS({ state: 'saved', message });
      timer.current = window.setTimeout(() => setS({ state: 'idle' }), 8000);
    } catch (e) {
      if (alive.current) setS({ state: 'failed', message: `Could not export it as HAR: ${errorText(e)}` });
    }
  };

  return (
    <span className="dt-share-item">
      <button
        type="button"
        className="dt-btn dt-btn-small"
        title="This delivery as a HAR 1.2 file (exact body) in your Downloads folder, for browser developer tools, Insomnia, Postman or HTTP Toolkit"
        data-testid="save-har"
        data-state={s.state}
        disabled={s.state === 'working'}
        onClick={(e) => {
          e.stopPropagation();
          void save();
        }}
      >
        {s.state === 'working' ? 'Saving…' : 'Save as HAR'}
      </button>
      {(s.state === 'saved' || s.state === 'failed') && (
        <span
          className={s.state === 'saved' ? 'dt-share-note dt-share-note-ok' : 'dt-share-note'}
          role={s.state === 'saved' ? 'status' : 'alert'}
          data-testid={s.state === 'saved' ? 'save-har-done' : 'save-har-error'}
        >
          <span>{s.message}</span>
          <button type="button" className="dt-btn dt-btn-small" onClick={() => setS({ state: 'idle' })}>
            Dismiss
          </button>
        </span>
      )}
    </span>
  );
}
