// Which rows of a fixed-row-height list are on screen. Pure, so the virtual list's arithmetic is
// tested without a DOM.

/** Rows `start` (inclusive) to `end` (exclusive). */
export interface RowRange {
  start: number;
  end: number;
}

export interface Viewport {
  scrollTop: number;
  /** The scroll container's visible height in px. */
  height: number;
  rowHeight: number;
  /** Extra rows rendered above and below, so a fast scroll shows rows rather than gaps. */
  overscan: number;
  count: number;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

/** The rows to render. A scrollTop past the end (the list just shrank) counts as the end. */
export function visibleRange(v: Viewport): RowRange {
  if (v.count <= 0 || v.rowHeight <= 0) return { start: 0, end: 0 };
  const height = Math.max(0, v.height);
  const maxTop = Math.max(0, v.count * v.rowHeight - height);
  const top = clamp(Number.isFinite(v.scrollTop) ? v.scrollTop : 0, 0, maxTop);
  const first = Math.floor(top / v.rowHeight);
  const last = Math.ceil((top + height) / v.rowHeight);
  const overscan = Math.max(0, Math.floor(v.overscan));
  return {
    start: clamp(first - overscan, 0, v.count),
    end: clamp(last + overscan, 0, v.count),
  };
}

/**
 * The rows to render after a scroll: the current ones while the visible rows stay clear of their
 * edges by at least half the overscan, else the visible rows plus overscan. Rendering only when
 * that changes means a re-render every few rows scrolled rather than every scroll event.
 */
export function nextRendered(current: RowRange, v: Viewport): RowRange {
  const visible = visibleRange({ ...v, overscan: 0 });
  const margin = Math.floor(Math.max(0, v.overscan) / 2);
  const clearAbove = current.start === 0 || visible.start - current.start >= margin;
  const clearBelow = current.end >= v.count || current.end - visible.end >= margin;
  const inside = visible.start >= current.start && visible.end <= current.end;
  if (inside && clearAbove && clearBelow && current.end <= v.count) return current;
  return visibleRange(v);
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement: unchanged when
 * it is visible already, else aligned to the nearer edge.
 */
export function revealScrollTop(
  index: number,
  rowHeight: number,
  scrollTop: number,
  height: number,
): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + height) return Math.max(0, rowBottom - height);
  return scrollTop;
}

/** Rows that fit in the viewport, for PageUp/PageDown. */
export function rowsPerPage(height: number, rowHeight: number): number {
  if (rowHeight <= 0) return 1;
  return Math.max(1, Math.floor(height / rowHeight) - 1);
}
