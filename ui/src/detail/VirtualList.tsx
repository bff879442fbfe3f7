// A fixed-row-height list that renders only the rows on screen (plus a margin), so a body of
// millions of lines or a tree of 250 000 rows scrolls as cheaply as a short one.

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { scrollToReveal, visibleRange } from './virtualRange.ts';

/** Browsers stop laying out elements taller than about 16.7 M px (WebKit) to 33.5 M px. */
const MAX_HEIGHT_PX = 15_000_000;

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** One row; its element must be `rowHeight` tall (the `dt-vrow` class does that). */
  renderRow: (index: number) => ReactNode;
  className?: string;
  testId?: string;
  label?: string;
  role?: string;
  /** Scroll row `index` into view whenever `nonce` changes. */
  reveal?: { index: number; nonce: number } | null;
  /** Lists this short are rendered whole (cheap, and find-in-page sees them). */
  renderAllBelow?: number;
  overscan?: number;
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
}

export function VirtualList({
  count,
  rowHeight,
  renderRow,
  className,
  testId,
  label,
  role,
  reveal,
  renderAllBelow = 0,
  overscan = 12,
  onKeyDown,
}: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    setViewport(el.clientHeight || 600);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (el === null || reveal === null || reveal === undefined) return;
    const top = scrollToReveal(reveal.index, rowHeight, el.scrollTop, el.clientHeight);
    if (top !== null) {
      el.scrollTop = top;
      setScrollTop(el.scrollTop);
    }
    // The nonce is what asks for a scroll; the index comes with it.
  }, [reveal?.nonce]);

  const shown = Math.min(count, Math.floor(MAX_HEIGHT_PX / rowHeight));
  const range =
    shown <= renderAllBelow
      ? { start: 0, end: shown }
      : visibleRange(scrollTop, viewport, rowHeight, shown, overscan);
  const rows: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) rows.push(renderRow(i));

  return (
    <div
      ref={ref}
      className={`dt-vlist ${className ?? ''}`}
      data-testid={testId}
      aria-label={label}
      role={role}
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      style={{ ['--dt-row-h' as string]: `${rowHeight}px` }}
    >
      <div className="dt-vspacer" style={{ height: shown * rowHeight }}>
        <div className="dt-vwindow" style={{ transform: `translateY(${range.start * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
      {shown < count && (
        <div className="dt-note dt-vlimit">
          {count - shown} more rows are past what this view can lay out; copy the text instead.
        </div>
      )}
    </div>
  );
}
