// The payload tree as a flat list of visible rows (what the virtualized view renders), and search
// over the whole document. Pure: the parsed value goes in, rows come out; expansion is keyed by
// each node's canonical path id, so it survives re-flattening.
//
// Known limits of working from JSON.parse's result: duplicate keys keep the last value, and
// integer-like keys ("2", "10") are listed first in numeric order, as JS objects order them.

import { RawNumber } from './jsonParse.ts';
import { childId, type Segment } from './jsonPath.ts';

export type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** Depths above this open by default whatever their size (unless their parent is huge). */
export const DEFAULT_DEPTH = 3;
/** Deeper containers open by default only when they and their parent have at most this many. */
export const SMALL = 50;
/** Children of a container larger than this start collapsed even near the root. */
export const LARGE = 100;
/** No container opens by default at this depth or deeper. */
export const MAX_AUTO_DEPTH = 10;
/** Strings longer than this are cut in their row until "show all". */
export const STRING_PREVIEW = 300;
/** A string shown in full is split into rows of this many code units. */
export const STRING_CHUNK = 80;
/** Guards memory when everything is expanded on a huge document. */
export const MAX_ROWS = 1_000_000;

export interface TreeRow {
  /** Canonical path (`$.data["created-at"]`): the React key and the expansion key. */
  id: string;
  /** Index of the parent row, -1 for the root. */
  parent: number;
  depth: number;
  /** Object key or array index; null for the root and for string continuation rows. */
  key: Segment | null;
  kind: Kind;
  value: unknown;
  /** Children of a container, length of a string, else 0. */
  size: number;
  /** A non-empty container that shows its children. */
  expanded: boolean;
  /** A string shown in full spans rows: which slice this row shows. Null otherwise. */
  part: { index: number; count: number; from: number; to: number } | null;
}

export type ExpandMode = 'default' | 'all' | 'none';

export interface ExpandState {
  mode: ExpandMode;
  /** The user's clicks; they win over the mode and over search. */
  overrides: ReadonlyMap<string, boolean>;
}

export const INITIAL_EXPAND: ExpandState = { mode: 'default', overrides: new Map() };

export interface FlattenOptions {
  expand: ExpandState;
  /** Ancestors of search matches: open unless the user collapsed them. */
  open?: ReadonlySet<string>;
  /** Ids of strings shown in full. */
  full?: ReadonlySet<string>;
  maxRows?: number;
}

export interface Flattened {
  rows: TreeRow[];
  /** Stopped at maxRows. */
  truncated: boolean;
}

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof RawNumber) return 'number';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return 'null';
  }
}

export function defaultExpanded(depth: number, size: number, parentSize: number): boolean {
  if (depth === 0) return true;
  if (depth < DEFAULT_DEPTH) return parentSize <= LARGE;
  return depth < MAX_AUTO_DEPTH && size <= SMALL && parentSize <= SMALL;
}

export function isExpanded(
  state: ExpandState,
  open: ReadonlySet<string> | undefined,
  id: string,
  depth: number,
  size: number,
  parentSize: number,
): boolean {
  // Skipping empty lookups also avoids hashing (and so flattening) every rope-built id.
  if (state.overrides.size > 0) {
    const override = state.overrides.get(id);
    if (override !== undefined) return override;
  }
  if (open !== undefined && open.size > 0 && open.has(id)) return true;
  if (state.mode === 'all') return true;
  if (state.mode === 'none') return depth === 0;
  return defaultExpanded(depth, size, parentSize);
}

/**
 * The rows a tree view shows, in document order: O(visible rows), not O(document). Iterative
 * (deeply nested bodies cannot overflow the call stack), with the pending nodes kept in parallel
 * arrays rather than one object each: expanding everything on a 5 MB body makes ~250 000 rows.
 */
export function flattenTree(root: unknown, opts: FlattenOptions): Flattened {
  const maxRows = opts.maxRows ?? MAX_ROWS;
  const suffix = new SuffixCache();
  const rows: TreeRow[] = [];
  const values: unknown[] = [root];
  const keys: Array<Segment | null> = [null];
  const parents: number[] = [-1];
  while (values.length > 0) {
    if (rows.length >= maxRows) return { rows, truncated: true };
    const value = values.pop();
    const key = keys.pop() ?? null;
    const parent = parents.pop()!;
    const up = parent < 0 ? undefined : rows[parent];
    const id = up === undefined || key === null ? '$' : up.id + suffix.of(key);
    const depth = up === undefined ? 0 : up.depth + 1;
    const kind = kindOf(value);
    const objectKeys = kind === 'object' ? Object.keys(value as object) : null;
    const size =
      objectKeys !== null
        ? objectKeys.length
        : kind === 'array'
          ? (value as unknown[]).length
          : kind === 'string'
            ? (value as string).length
            : 0;
    const expanded =
      (kind === 'object' || kind === 'array') &&
      size > 0 &&
      isExpanded(opts.expand, opts.open, id, depth, size, up?.size ?? 0);
    const index = rows.length;
    const row: TreeRow = { id, parent, depth, key, kind, value, size, expanded, part: null };
    rows.push(row);
    if (kind === 'string' && size > STRING_PREVIEW && opts.full?.has(id) === true) {
      pushStringParts(rows, row, index, maxRows);
      continue;
    }
    if (!expanded) continue;
    if (objectKeys === null) {
      const items = value as unknown[];
      for (let i = items.length - 1; i >= 0; i--) {
        values.push(items[i]);
        keys.push(i);
        parents.push(index);
      }
    } else {
      const obj = value as Record<string, unknown>;
      for (let i = objectKeys.length - 1; i >= 0; i--) {
        const k = objectKeys[i]!;
        values.push(obj[k]);
        keys.push(k);
        parents.push(index);
      }
    }
  }
  return { rows, truncated: false };
}

/**
 * `childId` suffixes by key. Payloads repeat the same few keys thousands of times, so the
 * identifier test runs once per distinct key.
 */
class SuffixCache {
  private readonly byKey = new Map<string, string>();

  of(key: Segment): string {
    if (typeof key === 'number') return `[${key}]`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = childId('', key);
      this.byKey.set(key, s);
    }
    return s;
  }
}

/** Chunk boundaries of a string, never inside a surrogate pair. */
export function stringChunks(s: string, chunk: number): Array<[number, number]> {
  const width = Math.max(2, Math.floor(chunk));
  const out: Array<[number, number]> = [];
  let from = 0;
  while (from < s.length) {
    let to = Math.min(from + width, s.length);
    const c = s.charCodeAt(to - 1);
    if (to < s.length && c >= 0xd800 && c <= 0xdbff) to -= 1;
    out.push([from, to]);
    from = to;
  }
  return out;
}

function pushStringParts(rows: TreeRow[], row: TreeRow, index: number, maxRows: number): void {
  const chunks = stringChunks(row.value as string, STRING_CHUNK);
  const first = chunks[0];
  if (first === undefined) return;
  row.part = { index: 0, count: chunks.length, from: first[0], to: first[1] };
  for (let i = 1; i < chunks.length && rows.length < maxRows; i++) {
    const [from, to] = chunks[i]!;
    rows.push({
      ...row,
      id: `${row.id}#${i}`,
      parent: index,
      key: null,
      part: { index: i, count: chunks.length, from, to },
    });
  }
}

/** The keys from the root to row `index` (for `formatJsonPath`). */
export function segmentsOf(rows: readonly TreeRow[], index: number): Segment[] {
  const out: Segment[] = [];
  let i = index;
  while (i >= 0) {
    const row = rows[i];
    if (row === undefined) break;
    if (row.key !== null) out.push(row.key);
    i = row.parent;
  }
  return out.reverse();
}

/** The row's string slice as shown (JSON-escaped, quoted at the string's ends). */
export function leafText(row: TreeRow): { text: string; truncated: boolean } {
  switch (row.kind) {
    case 'string': {
      const s = row.value as string;
      if (row.part !== null) {
        const body = JSON.stringify(s.slice(row.part.from, row.part.to)).slice(1, -1);
        const open = row.part.index === 0 ? '"' : '';
        const close = row.part.index === row.part.count - 1 ? '"' : '';
        return { text: open + body + close, truncated: false };
      }
      if (s.length > STRING_PREVIEW) {
        let end = STRING_PREVIEW;
        const c = s.charCodeAt(end - 1);
        if (c >= 0xd800 && c <= 0xdbff) end -= 1;
        return { text: `${JSON.stringify(s.slice(0, end)).slice(0, -1)}…`, truncated: true };
      }
      return { text: JSON.stringify(s), truncated: false };
    }
    case 'number':
      return { text: numberText(row.value), truncated: false };
    case 'boolean':
      return { text: String(row.value), truncated: false };
    case 'null':
      return { text: 'null', truncated: false };
    case 'array':
      return { text: row.size === 0 ? '[]' : '[…]', truncated: false };
    case 'object':
      return { text: row.size === 0 ? '{}' : '{…}', truncated: false };
  }
}

export function numberText(v: unknown): string {
  if (v instanceof RawNumber) return v.raw;
  return String(v);
}

/** What "copy value" puts on the clipboard: a string's text, otherwise JSON. */
export function copyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof RawNumber) return value.raw;
  return JSON.stringify(value, null, 2) ?? 'null';
}

/** After a click: the node goes the other way, whatever the mode or search said. */
export function toggled(state: ExpandState, id: string, expandedNow: boolean): ExpandState {
  const overrides = new Map(state.overrides);
  overrides.set(id, !expandedNow);
  return { mode: state.mode, overrides };
}

/** Drops collapse clicks on `ids` so a new search can open them; the same state if none. */
export function reopened(state: ExpandState, ids: Iterable<string>): ExpandState {
  let overrides: Map<string, boolean> | null = null;
  for (const id of ids) {
    if (state.overrides.get(id) === false) {
      overrides ??= new Map(state.overrides);
      overrides.delete(id);
    }
  }
  return overrides === null ? state : { mode: state.mode, overrides };
}

/** Opens `ids` as if clicked (so the way to a match stays open once the search is cleared). */
export function pinned(state: ExpandState, ids: Iterable<string>): ExpandState {
  let overrides: Map<string, boolean> | null = null;
  for (const id of ids) {
    if (state.overrides.get(id) !== true) {
      overrides ??= new Map(state.overrides);
      overrides.set(id, true);
    }
  }
  return overrides === null ? state : { mode: state.mode, overrides };
}

// --- search ---

export interface Match {
  id: string;
  /** Ids of the containers above it, root first. */
  ancestors: string[];
}

export interface SearchResult {
  query: string;
  /** Matching nodes in document order, at most `limit`. */
  matches: Match[];
  /** All matching nodes. */
  total: number;
  /** Ancestors of the kept matches: flattening opens them. */
  open: Set<string>;
}

export const EMPTY_SEARCH: SearchResult = { query: '', matches: [], total: 0, open: new Set() };

/** Case-insensitive, literal (the query is not a regex). Null for an empty query. */
export function queryRegex(query: string, global = false): RegExp | null {
  if (query === '') return null;
  const escaped = query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // No `u` flag: it makes every test markedly slower and changes nothing for a literal query.
  return new RegExp(escaped, global ? 'gi' : 'i');
}

/** Text a value matches on: the string itself, the number as written, true/false/null. */
function primitiveText(v: unknown, kind: Kind): string | null {
  switch (kind) {
    case 'string':
      return v as string;
    case 'number':
      return numberText(v);
    case 'boolean':
      return String(v);
    case 'null':
      return 'null';
    default:
      return null;
  }
}

interface Link {
  parent: Link | null;
  key: Segment | null;
  id: string | undefined;
}

function idOf(link: Link, suffix: SuffixCache): string {
  if (link.id === undefined) {
    link.id =
      link.parent === null || link.key === null ? '$' : idOf(link.parent, suffix) + suffix.of(link.key);
  }
  return link.id;
}

/**
 * Nodes whose key or value contains the query, over the whole document. Ids are built only for
 * matches and their ancestors; containers get a parent link, leaves nothing unless they match.
 */
export function searchTree(root: unknown, query: string, limit = 10_000): SearchResult {
  const re = queryRegex(query);
  if (re === null) return EMPTY_SEARCH;
  const suffix = new SuffixCache();
  // Keys repeat across a payload's objects: test each distinct key once.
  const keyHits = new Map<string, boolean>();
  const matches: Match[] = [];
  const open = new Set<string>();
  let total = 0;
  const values: unknown[] = [root];
  const keys: Array<Segment | null> = [null];
  const parents: Array<Link | null> = [null];
  while (values.length > 0) {
    const value = values.pop();
    const key = keys.pop() ?? null;
    const parent = parents.pop() ?? null;
    const kind = kindOf(value);
    let keyHit = false;
    if (typeof key === 'string') {
      const known = keyHits.get(key);
      keyHit = known ?? re.test(key);
      if (known === undefined) keyHits.set(key, keyHit);
    }
    const text = primitiveText(value, kind);
    if (keyHit || (text !== null && re.test(text))) {
      total += 1;
      if (matches.length < limit) {
        const ancestors: string[] = [];
        for (let p = parent; p !== null; p = p.parent) ancestors.push(idOf(p, suffix));
        ancestors.reverse();
        for (const a of ancestors) open.add(a);
        const self: Link = { parent, key, id: undefined };
        matches.push({ id: idOf(self, suffix), ancestors });
      }
    }
    if (kind === 'array') {
      const link: Link = { parent, key, id: undefined };
      const items = value as unknown[];
      for (let i = items.length - 1; i >= 0; i--) {
        values.push(items[i]);
        keys.push(i);
        parents.push(link);
      }
    } else if (kind === 'object') {
      const link: Link = { parent, key, id: undefined };
      const obj = value as Record<string, unknown>;
      const objectKeys = Object.keys(obj);
      for (let i = objectKeys.length - 1; i >= 0; i--) {
        const k = objectKeys[i]!;
        values.push(obj[k]);
        keys.push(k);
        parents.push(link);
      }
    }
  }
  return { query, matches, total, open };
}

export interface Piece {
  text: string;
  match: boolean;
}

/** `text` cut into matching and non-matching pieces, for <mark>. */
export function splitMatches(text: string, query: string): Piece[] {
  const re = queryRegex(query, true);
  if (re === null || text === '') return [{ text, match: false }];
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index;
    if (m[0] === '') break;
    if (at > last) out.push({ text: text.slice(last, at), match: false });
    out.push({ text: m[0], match: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), match: false });
  return out.length === 0 ? [{ text, match: false }] : out;
}

/** Whether this row's node is a match (continuation rows of a string never are on their own). */
export function rowMatches(row: TreeRow, re: RegExp | null): boolean {
  if (re === null || (row.part !== null && row.part.index > 0)) return false;
  if (typeof row.key === 'string' && re.test(row.key)) return true;
  const text = primitiveText(row.value, row.kind);
  return text !== null && re.test(text);
}
