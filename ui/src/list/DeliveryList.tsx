// The virtualized delivery list: a scroll container as tall as every row, with only the rows in
// view (plus overscan) rendered, absolutely positioned at index × ROW_HEIGHT.

import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type Ref } from 'react';
import type { Summary } from '../bindings.ts';
import { DeliveryRow, PlaceholderRow } from './DeliveryRow.tsx';
import { shownForward, type LiveForward } from './forwardMark.ts';
import type { PickIntent } from './selection.ts';
import { nextRendered, revealScrollTop, rowsPerPage, type RowRange } from './window.ts';

export const ROW_HEIGHT = 34;
const OVERSCAN = 10;

export interface ListHandle {
  /** Scroll the least needed to show row `index` whole. */
  reveal: (index: number) => void;
  focus: () => void;
  /** Rows per screen, for PageUp/PageDown. */
  pageRows: () => number;
  contains: (node: Node) => boolean;
}

export interface DeliveryListProps {
  count: number;
  rowAt: (index: number) => Summary | undefined;
  /** Rows held above the snapshot; when it grows the view is kept still unless at the top. */
  freshCount: number;
  /** Back to the top when this changes (another filter). */
  resetKey: string;
  selectedId: number | null;
  /** Rows picked for a bulk re-delivery. */
  checked: ReadonlySet<number>;
  /** Forward results heard since the rows were read: shown when newer than the row's own. */
  forwards: ReadonlyMap<number, LiveForward>;
  onRange: (range: RowRange) => void;
  onPick: (row: Summary, intent: PickIntent) => void;
  onRepeat: (eventId: string) => void;
  handle: Ref<ListHandle>;
}

export function DeliveryList(props: DeliveryListProps) {
  const { count, rowAt, freshCount, resetKey, selectedId, checked, forwards, onRange, onPick, onRepeat, handle } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<RowRange>({ start: 0, end: 0 });
  const countRef = useRef(count);

  // Re-render only when the rows to render change, not on every scroll event: the browser
  // moves the absolutely positioned rows by itself.
  const measure = useCallback(() => {
    const el = scroller.current;
    if (el === null) return;
    const viewport = {
      scrollTop: el.scrollTop,
      height: el.clientHeight,
      rowHeight: ROW_HEIGHT,
      overscan: OVERSCAN,
      count: countRef.current,
    };
    setRange((current) => nextRendered(current, viewport));
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  useLayoutEffect(() => {
    countRef.current = count;
    measure();
  }, [count, measure]);

  // Rows arriving above push everything down: keep what the reader looks at in place, unless
  // they sit at the very top, watching arrivals come in.
  const seenFresh = useRef(freshCount);
  const seenReset = useRef(resetKey);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    if (seenReset.current !== resetKey) {
      seenReset.current = resetKey;
      seenFresh.current = freshCount;
      el.scrollTop = 0;
      measure();
      return;
    }
    const added = freshCount - seenFresh.current;
    seenFresh.current = freshCount;
    if (added > 0 && el.scrollTop > 0) {
      el.scrollTop += added * ROW_HEIGHT;
      measure();
    }
  }, [freshCount, resetKey, measure]);

  useImperativeHandle(
    handle,
    () => ({
      reveal(index) {
        const el = scroller.current;
        if (el === null) return;
        const next = revealScrollTop(index, ROW_HEIGHT, el.scrollTop, el.clientHeight);
        if (next !== el.scrollTop) {
          el.scrollTop = next;
          measure();
        }
      },
      focus() {
        scroller.current?.focus({ preventScroll: true });
      },
      pageRows() {
        return rowsPerPage(scroller.current?.clientHeight ?? 0, ROW_HEIGHT);
      },
      contains(node) {
        return scroller.current?.contains(node) ?? false;
      },
    }),
    [measure],
  );

  // Compared by value: a new range object for the same rows is no news.
  const { start, end } = range;
  useEffect(() => onRange({ start, end }), [start, end, count, onRange]);

  const rows = [];
  let selectedShown = false;
  for (let i = range.start; i < range.end; i++) {
    const row = rowAt(i);
    if (row === undefined) {
      rows.push(<PlaceholderRow key={`placeholder-${i}`} top={i * ROW_HEIGHT} />);
      continue;
    }
    const selected = row.id === selectedId;
    if (selected) selectedShown = true;
    const forward = shownForward(row.forward, forwards.get(row.id));
    rows.push(
      <DeliveryRow
        key={row.id}
        row={row}
        index={i}
        top={i * ROW_HEIGHT}
        selected={selected}
        checked={checked.has(row.id)}
        forwardMark={forward?.mark ?? null}
        forwardError={forward?.error ?? null}
        onPick={onPick}
        onRepeat={onRepeat}
      />,
    );
  }

  return (
    <div
      ref={scroller}
      className="list-scroll"
      data-testid="delivery-list"
      role="listbox"
      aria-label="Deliveries, newest first"
      aria-activedescendant={selectedShown && selectedId !== null ? `delivery-${selectedId}` : undefined}
      tabIndex={0}
      onScroll={measure}
    >
      <div className="list-canvas" style={{ height: count * ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}

/** The column titles above the list, on the same grid as the rows. */
export function ListHead() {
  return (
    <div className="list-head" aria-hidden="true">
      <span className="cell check" />
      <span className="cell">Time</span>
      <span className="cell">Event</span>
      <span className="cell resource">Resource</span>
      <span className="cell">Signature</span>
      <span className="cell attempt">Attempt</span>
      <span className="cell source" title="The apparent sender (behind ngrok, from X-Forwarded-For), and whether Persona’s list of webhook addresses has it">
        Source
      </span>
      <span className="cell forward" title="The forward rule's latest result for each capture">
        Forward
      </span>
    </div>
  );
}
