import { describe, expect, it } from 'vitest';
import { NO_SELECTION, pickIntent, rangeIds, reduceSelection, type Selection } from './selection.ts';

const ids = (s: Selection) => [...s.ids].sort((a, b) => a - b);

/** A list of ids newest first, as the list shows them: index 0 holds id 10. */
const LISTED = [10, 9, 8, 7, 6, 5];
const idAt = (i: number) => LISTED[i];

describe('reduceSelection', () => {
  it('toggles one row at a time and remembers it as the anchor', () => {
    let s = reduceSelection(NO_SELECTION, { type: 'toggle', id: 9 });
    s = reduceSelection(s, { type: 'toggle', id: 7 });
    expect(ids(s)).toEqual([7, 9]);
    expect(s.anchor).toBe(7);
    s = reduceSelection(s, { type: 'toggle', id: 9 });
    expect(ids(s)).toEqual([7]);
    expect(s.anchor).toBe(9);
  });

  it('extends from the anchor to the Shift-clicked row, either direction, keeping the anchor', () => {
    let s = reduceSelection(NO_SELECTION, { type: 'toggle', id: 9 }); // index 1
    s = reduceSelection(s, { type: 'extend', id: 6, ids: rangeIds(1, 4, idAt) });
    expect(ids(s)).toEqual([6, 7, 8, 9]);
    expect(s.anchor).toBe(9);
    // Upwards from the same anchor adds to what is selected.
    s = reduceSelection(s, { type: 'extend', id: 10, ids: rangeIds(1, 0, idAt) });
    expect(ids(s)).toEqual([6, 7, 8, 9, 10]);
  });

  it('treats a Shift-click without an anchor as a toggle', () => {
    const s = reduceSelection(NO_SELECTION, { type: 'extend', id: 8, ids: rangeIds(null, 2, idAt) });
    expect(ids(s)).toEqual([8]);
    expect(s.anchor).toBe(8);
  });

  it('clears, and clearing nothing changes nothing', () => {
    const s = reduceSelection(NO_SELECTION, { type: 'toggle', id: 5 });
    expect(reduceSelection(s, { type: 'clear' })).toBe(NO_SELECTION);
    expect(reduceSelection(NO_SELECTION, { type: 'clear' })).toBe(NO_SELECTION);
  });
});

describe('rangeIds', () => {
  it('lists the ids between two indexes inclusive, skipping rows not read yet', () => {
    expect(rangeIds(2, 2, idAt)).toEqual([8]);
    expect(rangeIds(4, 2, idAt)).toEqual([8, 7, 6]);
    const holes = (i: number) => (i === 3 ? undefined : LISTED[i]);
    expect(rangeIds(1, 4, holes)).toEqual([9, 8, 6]);
  });
});

describe('pickIntent', () => {
  it('reads Shift as extend, Ctrl or Cmd as toggle, a plain click as open', () => {
    expect(pickIntent({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe('open');
    expect(pickIntent({ shiftKey: false, ctrlKey: true, metaKey: false })).toBe('toggle');
    expect(pickIntent({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(pickIntent({ shiftKey: true, ctrlKey: true, metaKey: false })).toBe('extend');
  });
});
