// The rows picked for a bulk re-delivery: a set of ids, toggled one at a time (checkbox,
// Ctrl/Cmd-click, `x`) or extended by a range from the last toggled row (Shift-click). Separate
// from the focused row (the one Enter opens). Pure.

export interface Selection {
  ids: ReadonlySet<number>;
  /** The row a Shift-click range starts from: the last one toggled. */
  anchor: number | null;
}

export const NO_SELECTION: Selection = { ids: new Set(), anchor: null };

export type SelectionAction =
  | { type: 'toggle'; id: number }
  /** Shift-click on `id`: `ids` (the rows from the anchor to it, as listed) are selected. */
  | { type: 'extend'; id: number; ids: readonly number[] }
  | { type: 'clear' };

export function reduceSelection(s: Selection, a: SelectionAction): Selection {
  switch (a.type) {
    case 'toggle': {
      const ids = new Set(s.ids);
      if (!ids.delete(a.id)) ids.add(a.id);
      return { ids, anchor: a.id };
    }
    case 'extend': {
      // Without an anchor (or one no longer listed) a Shift-click is a plain toggle.
      if (a.ids.length === 0) return reduceSelection(s, { type: 'toggle', id: a.id });
      const ids = new Set(s.ids);
      for (const id of a.ids) ids.add(id);
      return { ids, anchor: s.anchor };
    }
    case 'clear':
      return s.ids.size === 0 && s.anchor === null ? s : NO_SELECTION;
  }
}

/**
 * The ids listed from index `from` to index `to` (either way round), both included; empty when
 * `from` is null. Rows whose page is not read yet have no id and are left out.
 */
export function rangeIds(from: number | null, to: number, idAt: (index: number) => number | undefined): number[] {
  if (from === null) return [];
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const ids: number[] = [];
  for (let i = lo; i <= hi; i++) {
    const id = idAt(i);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** How a click on a row is meant: open it, toggle it (Ctrl/Cmd), or select up to it (Shift). */
export type PickIntent = 'open' | 'toggle' | 'extend';

export function pickIntent(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): PickIntent {
  if (e.shiftKey) return 'extend';
  if (e.ctrlKey || e.metaKey) return 'toggle';
  return 'open';
}
