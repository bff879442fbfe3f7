// The filters above the list: event name, signature verdict, text search, resource id, and the
// event id set from a row's repeat mark.

import type { ReactNode, Ref } from 'react';
import { grouped } from '../format/text.ts';
import { STATUSES, isStatus, type FilterDraft } from './filter.ts';
import type { EventOptions } from './eventOptions.ts';

export interface FiltersBarProps {
  draft: FilterDraft;
  onChange: (patch: Partial<FilterDraft>, typing?: boolean) => void;
  onClear: () => void;
  options: EventOptions;
  /** Why the event names could not be read, if they could not. */
  optionsError: string | null;
  searchRef: Ref<HTMLInputElement>;
  /** Escape in the search box: back to the list. */
  onLeaveSearch: () => void;
  /** The count of what is shown, at the right. */
  status: ReactNode;
}

export function FiltersBar(props: FiltersBarProps) {
  const { draft, onChange, onClear, options, optionsError, searchRef, onLeaveSearch, status } = props;
  const filtered =
    draft.event_name !== '' ||
    draft.signature !== '' ||
    draft.search.trim() !== '' ||
    draft.resource_id.trim() !== '' ||
    draft.event_id !== '';
  return (
    <div className="filters" role="search">
      <label className="field">
        <span className="field-label">Event</span>
        <select
          data-testid="filter-event"
          value={draft.event_name}
          onChange={(e) => onChange({ event_name: e.target.value })}
        >
          <option value="">All events</option>
          {options.received.length > 0 && (
            <optgroup label="Received">
              {options.received.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name} ({grouped(o.count)}){o.known ? '' : ' · unknown'}
                </option>
              ))}
            </optgroup>
          )}
          {options.catalog.length > 0 && (
            <optgroup label="Persona catalog, none received">
              {options.catalog.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Signature</span>
        <select
          data-testid="filter-signature"
          value={draft.signature}
          onChange={(e) => {
            const v = e.target.value;
            onChange({ signature: isStatus(v) ? v : '' });
          }}
        >
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="field field-grow">
        <span className="field-label">Search</span>
        <input
          ref={searchRef}
          type="search"
          data-testid="filter-search"
          placeholder="words or id prefixes, e.g. inq_kT4x   ( / )"
          spellCheck={false}
          autoComplete="off"
          value={draft.search}
          onChange={(e) => onChange({ search: e.target.value }, true)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              onLeaveSearch();
            } else if (e.key === 'Enter') {
              // Search now rather than after the pause.
              onChange({ search: e.currentTarget.value });
            }
          }}
        />
      </label>
      <label className="field">
        <span className="field-label">Resource id</span>
        <input
          type="text"
          data-testid="filter-resource"
          className="mono"
          placeholder="inq_…"
          spellCheck={false}
          autoComplete="off"
          value={draft.resource_id}
          onChange={(e) => onChange({ resource_id: e.target.value }, true)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ resource_id: e.currentTarget.value });
          }}
        />
      </label>
      {draft.event_id !== '' && (
        <span className="chip" data-testid="filter-event-id" title="Every delivery of this event: retries and duplicates">
          <span className="chip-label">event</span>
          <span className="mono">{draft.event_id}</span>
          <button type="button" aria-label="Remove the event id filter" onClick={() => onChange({ event_id: '' })}>
            ×
          </button>
        </span>
      )}
      <button type="button" data-testid="clear-filters" className="button" disabled={!filtered} onClick={onClear}>
        Clear filters
      </button>
      <span className="filters-status" aria-live="polite">
        {status}
      </span>
      {optionsError !== null && (
        <span className="inline-error" role="alert">
          Event names could not be read: {optionsError}
        </span>
      )}
    </div>
  );
}
