// A modal dialog over the window (Import, Forwarding, bulk Re-deliver, Check my endpoint): the app
// body behind is `inert` (App.tsx), Escape or a click outside closes it, focus moves in when it
// opens and back to where it was when it closes.

import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

export interface DialogProps {
  title: string;
  testId: string;
  onClose: () => void;
  /** Focused when the dialog opens; the dialog itself when absent. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** Wider than the default, for forms with several columns. */
  wide?: boolean;
  /** Added to the panel's classes (a dialog's own width). */
  className?: string;
  children: ReactNode;
}

export function Dialog({ title, testId, onClose, initialFocus, wide = false, className, children }: DialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = `${testId}-title`;

  // Escape closes it wherever focus is (a button just disabled leaves none).
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const before = document.activeElement;
    (initialFocus?.current ?? panel.current)?.focus();
    return () => {
      if (before instanceof HTMLElement) before.focus({ preventScroll: true });
    };
  }, [initialFocus]);

  return (
    <div
      className="overlay overlay-center"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={panel}
        className={[wide ? 'dialog dialog-wide' : 'dialog', className].filter(Boolean).join(' ')}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        tabIndex={-1}
      >
        <header className="drawer-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="button button-quiet" data-testid={`${testId}-close`} onClick={onClose}>
            Close
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
