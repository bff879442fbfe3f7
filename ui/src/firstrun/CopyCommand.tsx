// A command to paste into a terminal, with a Copy button.

import { useCallback, useEffect, useRef, useState } from 'react';

export function CopyCommand({ text, testId, copyTestId }: { text: string; testId?: string; copyTestId?: string }) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const codeRef = useRef<HTMLElement>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const copy = useCallback(async () => {
    window.clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      // No clipboard access: select the text so Ctrl/Cmd+C does it, and say so.
      const node = codeRef.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopied('select');
    }
    timer.current = window.setTimeout(() => setCopied(null), 1800);
  }, [text]);

  return (
    <span className="copy">
      <code ref={codeRef} className="mono command" data-testid={testId}>
        {text}
      </code>
      <button type="button" className="copy-button" data-testid={copyTestId} data-state={copied ?? 'idle'} onClick={() => void copy()}>
        {copied === 'yes' ? 'Copied' : copied === 'select' ? 'Press Ctrl+C' : 'Copy'}
      </button>
    </span>
  );
}
