// A button that copies text, says "Copied" briefly, and says so visibly when the clipboard refuses.

import { useEffect, useRef, useState } from 'react';
import { errorText } from '../format/error.ts';

export interface CopyButtonProps {
  /** The text, or a function giving it (big bodies are only built when clicked). */
  text: string | (() => string);
  label?: string | undefined;
  title?: string | undefined;
  testId?: string | undefined;
  className?: string | undefined;
}

async function copyToClipboard(text: string): Promise<void> {
  // Absent outside a secure context, and in some webviews.
  if (typeof navigator === 'undefined' || navigator.clipboard === undefined) {
    throw new Error('this window has no clipboard access');
  }
  await navigator.clipboard.writeText(text);
}

export function CopyButton({ text, label = 'Copy', title, testId, className }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const copy = async () => {
    window.clearTimeout(timer.current);
    try {
      await copyToClipboard(typeof text === 'function' ? text() : text);
      setState('copied');
      setError(null);
      timer.current = window.setTimeout(() => setState('idle'), 1500);
    } catch (e) {
      setState('failed');
      setError(errorText(e));
      timer.current = window.setTimeout(() => setState('idle'), 6000);
    }
  };

  return (
    <span className="dt-copy">
      <button
        type="button"
        className={`dt-btn dt-btn-small ${className ?? ''}`}
        title={title}
        data-testid={testId}
        data-state={state}
        onClick={(e) => {
          e.stopPropagation();
          void copy();
        }}
      >
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      </button>
      {state === 'failed' && error !== null && (
        <span className="dt-copy-error" role="alert">
          The clipboard refused: {error}
        </span>
      )}
    </span>
  );
}
