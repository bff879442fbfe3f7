// Where the user is in the list: the selected row (one chosen by keyboard may wait for its page),
// the delivery open beside it, the rows picked for a bulk re-delivery, and a row to scroll to once
// it is in the list. The detail follows the keyboard selection once the key is let go of.

import { useCallback, useEffect, useReducer, useRef, useState, type RefObject } from 'react';
import type { Summary } from '../bindings.ts';
import type { ListHandle } from './DeliveryList.tsx';
import { nextIndex, type NavKey } from './keys.ts';
import { NO_SELECTION, rangeIds, reduceSelection, type PickIntent, type Selection } from './selection.ts';
import { indexOfId, rowAt, rowCount, type ListState } from './snapshot.ts';

/** With the detail open, it follows the keyboard selection once the key is let go of. */
const DETAIL_FOLLOW_MS = 120;

export interface Cursor {
  selectedId: number | null;
  openId: number | null;
  /** The rows picked for a bulk re-delivery. */
  selection: Selection;
  clearSelection: () => void;
  /** A row clicked (stable, for the memoized rows). */
  onPick: (row: Summary, intent: PickIntent) => void;
  /** Moves the selection as a navigation key says (the detail follows when open). */
  move: (nav: NavKey) => void;
  /** Opens the selected row; false when none is selected. */
  openSelected: () => boolean;
  /** Picks (or unpicks) the selected row; false when none is selected. */
  toggleSelected: () => boolean;
  /** Selects, opens and scrolls to a delivery (a test event just sent, one just imported). */
  reveal: (id: number) => void;
  closeDetail: () => void;
}

/** `resetKey` changes with the filter: a pending row and the picked rows are then forgotten. */
export function useCursor(state: ListState, resetKey: string, list: RefObject<ListHandle | null>): Cursor {
  const [selection, changeSelection] = useReducer(reduceSelection, NO_SELECTION);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  /** A row chosen by keyboard whose page is still being read. */
  const [pendingIndex, setPendingIndex] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  /** Scroll to this delivery once it is in the list (a test event just sent). */
  const revealId = useRef<number | null>(null);
  const followTimer = useRef<number | undefined>(undefined);

  // A row chosen before its page arrived becomes the selection when it does.
  useEffect(() => {
    if (pendingIndex === null) return;
    const row = rowAt(state, pendingIndex);
    if (row === undefined) return;
    setSelectedId(row.id);
    setPendingIndex(null);
    if (openId !== null) setOpenId(row.id);
  }, [state, pendingIndex, openId]);

  useEffect(() => {
    if (revealId.current === null) return;
    const i = indexOfId(state, revealId.current);
    if (i === null) return;
    revealId.current = null;
    list.current?.reveal(i);
  }, [state, list]);

  useEffect(() => setPendingIndex(null), [resetKey]);
  // Another filter shows other rows: a selection made among the old ones would be sent unseen.
  useEffect(() => changeSelection({ type: 'clear' }), [resetKey]);
  useEffect(() => () => window.clearTimeout(followTimer.current), []);

  const select = (index: number, follow: boolean) => {
    const row = rowAt(state, index);
    list.current?.reveal(index);
    if (row === undefined) {
      setPendingIndex(index);
      return;
    }
    setPendingIndex(null);
    setSelectedId(row.id);
    if (follow) {
      window.clearTimeout(followTimer.current);
      followTimer.current = window.setTimeout(() => setOpenId(row.id), DETAIL_FOLLOW_MS);
    }
  };

  /** Picks a row for a bulk re-delivery, or every row from the last one picked to it. */
  const check = (id: number, intent: 'toggle' | 'extend') => {
    if (intent === 'toggle') {
      changeSelection({ type: 'toggle', id });
      return;
    }
    const to = indexOfId(state, id);
    const from = selection.anchor === null ? null : indexOfId(state, selection.anchor);
    const ids = to === null ? [] : rangeIds(from, to, (i) => rowAt(state, i)?.id);
    changeSelection({ type: 'extend', id, ids });
  };

  const pick = (row: Summary, intent: PickIntent) => {
    window.clearTimeout(followTimer.current);
    setPendingIndex(null);
    setSelectedId(row.id);
    if (intent === 'open') setOpenId(row.id);
    else check(row.id, intent);
  };
  // Stable for the memoized rows; reads the latest list and selection.
  const pickRef = useRef(pick);
  useEffect(() => {
    pickRef.current = pick;
  });
  const onPick = useCallback((row: Summary, intent: PickIntent) => pickRef.current(row, intent), []);

  const move = (nav: NavKey) => {
    const selectedIndex = selectedId === null ? null : indexOfId(state, selectedId);
    const next = nextIndex(nav, selectedIndex ?? pendingIndex, rowCount(state), list.current?.pageRows() ?? 10);
    if (next !== null) select(next, openId !== null);
  };

  const openSelected = () => {
    if (selectedId === null) return false;
    window.clearTimeout(followTimer.current);
    setOpenId(selectedId);
    return true;
  };

  const toggleSelected = () => {
    if (selectedId === null) return false;
    check(selectedId, 'toggle');
    return true;
  };

  const reveal = useCallback((id: number) => {
    revealId.current = id;
    setPendingIndex(null);
    setSelectedId(id);
    setOpenId(id);
  }, []);

  const closeDetail = useCallback(() => {
    window.clearTimeout(followTimer.current);
    setOpenId(null);
    list.current?.focus();
  }, [list]);

  const clearSelection = useCallback(() => changeSelection({ type: 'clear' }), []);

  return { selectedId, openId, selection, clearSelection, onPick, move, openSelected, toggleSelected, reveal, closeDetail };
}
