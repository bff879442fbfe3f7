// The window's keys: Escape closes the detail (or clears the picked rows), / goes to the search,
// and from the list or the bare page the arrows, j/k, Home/End and PageUp/PageDown move, Enter
// opens and x picks. Nothing while a dialog is open or while typing.

import { useEffect, useRef, type RefObject } from 'react';
import type { ListHandle } from './DeliveryList.tsx';
import { isTyping, navKey } from './keys.ts';
import type { Cursor } from './useCursor.ts';

export function useKeys(
  cursor: Cursor,
  list: RefObject<ListHandle | null>,
  search: RefObject<HTMLInputElement | null>,
  dialogOpen: boolean,
): void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || dialogOpen) return;
    const target = e.target instanceof HTMLElement ? e.target : null;
    if (isTyping(target)) return; // the search box handles its own Escape
    if (e.key === 'Escape') {
      if (cursor.openId !== null) {
        e.preventDefault();
        cursor.closeDetail();
      } else if (cursor.selection.ids.size > 0) {
        e.preventDefault();
        cursor.clearSelection();
      }
      return;
    }
    if (e.key === '/') {
      e.preventDefault();
      search.current?.focus();
      search.current?.select();
      return;
    }
    // Moving and opening only from the list or the bare page, so buttons and the detail pane
    // keep their own keys.
    const fromList =
      target === null ||
      target === document.body ||
      target === document.documentElement ||
      ((list.current?.contains(target) ?? false) && target.closest('button') === null);
    if (!fromList) return;
    if (e.key === 'Enter') {
      if (cursor.openSelected()) e.preventDefault();
      return;
    }
    // x picks (or unpicks) the focused row for a bulk re-delivery, as in mail readers.
    if (e.key === 'x') {
      if (cursor.toggleSelected()) e.preventDefault();
      return;
    }
    const nav = navKey(e.key);
    if (nav === null) return;
    e.preventDefault();
    cursor.move(nav);
  };
  // One listener for the window's lifetime; it calls the latest handler.
  const onKeyRef = useRef(onKey);
  useEffect(() => {
    onKeyRef.current = onKey;
  });
  useEffect(() => {
    const handler = (e: KeyboardEvent) => onKeyRef.current(e);
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, []);
}
