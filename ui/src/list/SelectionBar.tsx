// Above the list: how many rows are picked (with Clear), the Re-deliver… and Export as HAR…
// actions for them or for everything the filter matches, and a bulk run going on while its
// dialog is hidden.

import type { BulkView } from '../bulk/bulkRun.ts';
import { plural } from '../format/text.ts';

export interface SelectionBarProps {
  selected: number;
  onClear: () => void;
  onRedeliver: () => void;
  onExportHar: () => void;
  /** A bulk run under way or ended, whose dialog is hidden; null when there is none. */
  bulk: BulkView | null;
  onShowBulk: () => void;
}

export function SelectionBar({ selected, onClear, onRedeliver, onExportHar, bulk, onShowBulk }: SelectionBarProps) {
  return (
    <div className="list-actions">
      {selected > 0 ? (
        <span className="selection" data-testid="selection-bar" data-count={selected}>
          <strong>{plural(selected, 'selected', 'selected')}</strong>
          <span aria-hidden="true"> · </span>
          <button type="button" className="link" data-testid="selection-clear" onClick={onClear}>
            Clear
          </button>
        </span>
      ) : (
        <span className="hint">Tick rows (or Ctrl/Cmd-click, Shift-click a range, <kbd>x</kbd>) to re-deliver or export a selection.</span>
      )}
      <span className="spacer" />
      {bulk !== null && (
        <button type="button" className="button button-quiet" data-testid="bulk-status" data-phase={bulk.phase} onClick={onShowBulk}>
          {bulk.phase === 'done'
            ? `Bulk re-delivery: ${bulk.headline ?? 'done'}`
            : `Re-delivering ${bulk.done} of ${bulk.total}${bulk.phase === 'stopping' ? ', stopping' : ''}…`}
        </button>
      )}
      <button
        type="button"
        className="button"
        data-testid="open-bulk"
        title="Send the selected rows, or everything the filter matches, to your app, in order"
        onClick={onRedeliver}
      >
        {selected > 0 ? `Re-deliver ${selected}…` : 'Re-deliver…'}
      </button>
      <button
        type="button"
        className="button"
        data-testid="open-har"
        title="Save the selected rows, or everything the filter matches, as a HAR file for browser developer tools, Insomnia, Postman or HTTP Toolkit"
        onClick={onExportHar}
      >
        Export as HAR…
      </button>
    </div>
  );
}
