// "Copy as curl" and "Copy fixture JSON" for the delivery shown, and "Save as HAR" (share/). The
// copied text comes from a command, so it is handed to the clipboard as a promise (ClipboardItem)
// while the click still counts as the user's gesture; where the webview refuses, the text is
// shown to copy by hand.

import { useEffect, useRef, useState } from 'react';
import { exportCurl, exportFixture } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { SaveHarButton } from '../share/SaveHarButton.tsx';

type Copied = { ok: true } | { ok: false; stage: 'produce'; error: unknown } | { ok: false; stage: 'clipboard'; error: unknown; text: string };

/** Asks for the text and copies it; says which step failed. */
async function copyProduced(produce: () => Promise<string>): Promise<Copied> {
  const clip = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  const produced = produce();
  if (clip !== undefined && typeof ClipboardItem !== 'undefined' && typeof clip.write === 'function') {
    try {
      const blob = produced.then((t) => new Blob([t], { type: 'text/plain' }));
      blob.catch(() => undefined); // reported below, from `produced`
      await clip.write([new ClipboardItem({ 'text/plain': blob })]);
      return { ok: true };
    } catch {
      // The command failed (reported next), or this webview wants plain text: try that.
    }
  }
  let text: string;
  try {
    text = await produced;
  } catch (error) {
    return { ok: false, stage: 'produce', error };
  }
  if (clip === undefined) {
    return { ok: false, stage: 'clipboard', error: new Error('this window has no clipboard access'), text };
  }
  try {
    await clip.writeText(text);
    return { ok: true };
  } catch (error) {
    return { ok: false, stage: 'clipboard', error, text };
  }
}

type State =
  | { state: 'idle' | 'working' | 'copied' }
  | { state: 'failed'; message: string }
  | { state: 'manual'; message: string; text: string };

export function ShareButtons({ id }: { id: number }) {
  return (
    <span className="dt-share">
      <ExportButton
        label="Copy as curl"
        testId="copy-curl"
        title="A curl command that sends this delivery again, byte for byte, to this app's listener"
        what="the curl command"
        produce={() => exportCurl(id, null)}
      />
      <ExportButton
        label="Copy fixture JSON"
        testId="copy-fixture"
        title="This delivery as a JSON fixture (headers, base64 body) a teammate can import"
        what="the fixture"
        produce={() => exportFixture(id)}
      />
      <SaveHarButton id={id} />
    </span>
  );
}

function ExportButton({
  label,
  testId,
  title,
  what,
  produce,
}: {
  label: string;
  testId: string;
  title: string;
  what: string;
  produce: () => Promise<string>;
}) {
  const [s, setS] = useState<State>({ state: 'idle' });
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);
  const manual = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      window.clearTimeout(timer.current);
    };
  }, []);
  useEffect(() => {
    if (s.state === 'manual') manual.current?.select();
  }, [s.state]);

  const copy = async () => {
    window.clearTimeout(timer.current);
    setS({ state: 'working' });
    const r = await copyProduced(produce);
    if (!alive.current) return;
    if (r.ok) {
      setS({ state: 'copied' });
      timer.current = window.setTimeout(() => setS({ state: 'idle' }), 1500);
    } else if (r.stage === 'produce') {
      setS({ state: 'failed', message: `Could not make ${what}: ${errorText(r.error)}` });
    } else {
      setS({ state: 'manual', message: `The clipboard refused (${errorText(r.error)}): copy ${what} from here.`, text: r.text });
    }
  };

  const shown = s.state === 'copied' ? 'Copied' : s.state === 'working' ? 'Copying…' : label;
  return (
    <span className="dt-share-item">
      <button
        type="button"
        className="dt-btn dt-btn-small"
        title={title}
        data-testid={testId}
        data-state={s.state}
        disabled={s.state === 'working'}
        onClick={(e) => {
          e.stopPropagation();
          void copy();
        }}
      >
        {shown}
      </button>
      {(s.state === 'failed' || s.state === 'manual') && (
        <span className="dt-share-note" role="alert" data-testid={`${testId}-error`}>
          <span>{s.message}</span>
          {s.state === 'manual' && (
            <textarea ref={manual} className="dt-share-text" readOnly value={s.text} aria-label={what} rows={6} />
          )}
          <button type="button" className="dt-btn dt-btn-small" onClick={() => setS({ state: 'idle' })}>
            Dismiss
          </button>
        </span>
      )}
    </span>
  );
}
