// The list's filter: what the filter bar holds, the query it becomes, and whether a live arrival
// belongs in the filtered list without asking the store.

import type { Filter, Status, Summary } from '../bindings.ts';

/** The filter bar's fields as typed; empty strings mean "any". */
export interface FilterDraft {
  event_name: string;
  signature: Status | '';
  search: string;
  resource_id: string;
  event_id: string;
}

export const EMPTY_DRAFT: FilterDraft = {
  event_name: '',
  signature: '',
  search: '',
  resource_id: '',
  event_id: '',
};

export const STATUSES: readonly Status[] = ['valid', 'invalid', 'missing', 'malformed', 'unchecked'];

export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}

/** The query for a draft: text trimmed, empty fields left out (not sent as empty strings). */
export function toFilter(d: FilterDraft): Filter {
  const f: Filter = {};
  const eventName = d.event_name.trim();
  const search = d.search.trim();
  const resource = d.resource_id.trim();
  const eventId = d.event_id.trim();
  if (eventName !== '') f.event_name = eventName;
  if (d.signature !== '') f.signature = d.signature;
  if (search !== '') f.search = search;
  if (resource !== '') f.resource_id = resource;
  if (eventId !== '') f.event_id = eventId;
  return f;
}

/** Whether any narrowing field is set. */
export function isFiltered(f: Filter): boolean {
  return (
    f.event_name !== undefined ||
    f.signature !== undefined ||
    f.search !== undefined ||
    f.resource_id !== undefined ||
    f.event_id !== undefined
  );
}

/** A stable key for the narrowing fields, to tell one filter from another. */
export function filterKey(f: Filter): string {
  return JSON.stringify([
    f.event_name ?? null,
    f.signature ?? null,
    f.search ?? null,
    f.resource_id ?? null,
    f.event_id ?? null,
  ]);
}

/**
 * Whether a delivery belongs in the filtered list: true or false for the fields the summary
 * carries, null when a text search is set (only the full-text index can tell).
 */
export function matchesFilter(s: Summary, f: Filter): boolean | null {
  if (f.event_name !== undefined && s.event_name !== f.event_name) return false;
  if (f.event_id !== undefined && s.event_id !== f.event_id) return false;
  if (f.resource_id !== undefined && s.resource?.id !== f.resource_id) return false;
  if (f.signature !== undefined && s.signature.status !== f.signature) return false;
  if (f.search !== undefined) return null;
  return true;
}
