// The parsed body as a collapsible tree: flattened to visible rows (jsonTree.ts) and virtualized,
// so a 5 MB payload opens as fast as a small one. Search highlights keys and values and opens the
// way to each match; any node's value or JSON path can be copied.

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { CopyButton } from './CopyButton.tsx';
import { Highlight } from './Highlight.tsx';
import { formatJsonPath } from './jsonPath.ts';
import {
  copyText,
  EMPTY_SEARCH,
  flattenTree,
  INITIAL_EXPAND,
  leafText,
  pinned,
  queryRegex,
  reopened,
  rowMatches,
  searchTree,
  segmentsOf,
  toggled,
  type ExpandState,
  type SearchResult,
  type TreeRow,
} from './jsonTree.ts';
import { VirtualList } from './VirtualList.tsx';

const ROW_HEIGHT = 22;
const INDENT_PX = 16;
/** Typing pauses this long before a search runs over the whole document. */
const SEARCH_DELAY_MS = 200;

export interface PayloadTabProps {
  root: unknown;
  /** Some numbers may be shown rounded (see jsonParse.ts). */
  imprecise: boolean;
}

export function PayloadTab({ root, imprecise }: PayloadTabProps) {
  const [expand, setExpand] = useState<ExpandState>(INITIAL_EXPAND);
  const [full, setFull] = useState<ReadonlySet<string>>(() => new Set());
  const [input, setInput] = useState('');
  const [search, setSearch] = useState<SearchResult>(EMPTY_SEARCH);
  const [current, setCurrent] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  // A row to scroll to once the rows that contain it exist (after ancestors open).
  const [target, setTarget] = useState<{ id: string; nonce: number } | null>(null);
  const [reveal, setReveal] = useState<{ index: number; nonce: number } | null>(null);

  const { rows, truncated } = useMemo(
    () => flattenTree(root, { expand, open: search.open, full }),
    [root, expand, search.open, full],
  );
  const re = useMemo(() => queryRegex(search.query), [search.query]);
  const currentId = search.matches[current]?.id ?? null;
  const selectedIndex = useMemo(
    () => (selected === null ? -1 : rows.findIndex((r) => r.id === selected)),
    [rows, selected],
  );

  const nonce = useRef(0);
  const goTo = useCallback((id: string) => {
    setSelected(id);
    nonce.current += 1;
    setTarget({ id, nonce: nonce.current });
  }, []);

  useEffect(() => {
    if (target === null) return;
    const index = rows.findIndex((r) => r.id === target.id);
    if (index < 0) return; // Its ancestors are still opening: wait for the next rows.
    setReveal({ index, nonce: target.nonce });
    setTarget(null);
  }, [rows, target]);

  const runSearch = useCallback(
    (q: string) => {
      const result = searchTree(root, q);
      const was = search.matches[current];
      setSearch(result);
      // The match being looked at stays reachable when the search changes or is cleared.
      setExpand((e) => reopened(was === undefined ? e : pinned(e, was.ancestors), result.open));
      setCurrent(0);
      const first = result.matches[0];
      if (first !== undefined) goTo(first.id);
    },
    [root, goTo, search, current],
  );

  useEffect(() => {
    if (input === search.query) return;
    const timer = window.setTimeout(() => runSearch(input), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [input, search.query, runSearch]);

  const step = (delta: number) => {
    const n = search.matches.length;
    if (n === 0) return;
    const i = (((current + delta) % n) + n) % n;
    const m = search.matches[i]!;
    setCurrent(i);
    setExpand((e) => reopened(e, m.ancestors));
    goTo(m.id);
  };

  const toggle = (row: TreeRow) => setExpand((e) => toggled(e, row.id, row.expanded));
  const setAll = (mode: ExpandState['mode']) => setExpand({ mode, overrides: new Map() });
  const showAll = (id: string, on: boolean) =>
    setFull((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const onTreeKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const i = selectedIndex;
    const row = i >= 0 ? rows[i] : undefined;
    const select = (j: number) => {
      const r = rows[Math.max(0, Math.min(rows.length - 1, j))];
      if (r !== undefined) goTo(r.id);
    };
    switch (e.key) {
      case 'ArrowDown':
        select(i + 1);
        break;
      case 'ArrowUp':
        select(i < 0 ? 0 : i - 1);
        break;
      case 'Home':
        select(0);
        break;
      case 'End':
        select(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row === undefined) return;
        if (row.size > 0 && (row.kind === 'object' || row.kind === 'array') && !row.expanded) {
          toggle(row);
        } else select(i + 1);
        break;
      case 'ArrowLeft':
        if (row === undefined) return;
        if (row.expanded) toggle(row);
        else if (row.parent >= 0) select(row.parent);
        break;
      case 'Enter':
      case ' ':
        if (row !== undefined && row.size > 0 && (row.kind === 'object' || row.kind === 'array')) {
          toggle(row);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (input !== search.query) runSearch(input);
      else step(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape' && input !== '') {
      e.stopPropagation();
      setInput('');
    }
  };

  const pending = input !== search.query;
  let countText = '';
  if (pending) countText = 'searching…';
  else if (search.query !== '') {
    countText =
      search.total === 0
        ? 'no matches'
        : `${current + 1} of ${search.total}${
            search.total > search.matches.length ? ` (first ${search.matches.length} can be visited)` : ''
          }`;
  }

  const renderRow = (i: number) => {
    const row = rows[i]!;
    return (
      <TreeRowView
        key={row.id}
        row={row}
        index={i}
        rows={rows}
        query={search.query}
        match={rowMatches(row, re)}
        current={row.id === currentId}
        selected={row.id === selected}
        onSelect={setSelected}
        onToggle={toggle}
        onShowAll={showAll}
      />
    );
  };

  const selectedRow = selectedIndex >= 0 ? rows[selectedIndex] : undefined;

  return (
    <div className="dt-payload">
      <div className="dt-toolbar">
        <input
          type="search"
          className="dt-search"
          placeholder="Search keys and values"
          aria-label="Search keys and values"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={onSearchKey}
          data-testid="payload-search"
        />
        <span className="dt-count" data-testid="payload-match-count" aria-live="polite">
          {countText}
        </span>
        <button
          type="button"
          className="dt-btn dt-btn-small"
          onClick={() => step(-1)}
          disabled={search.matches.length === 0}
          data-testid="payload-prev"
          title="Previous match (Shift+Enter)"
        >
          ↑ Prev
        </button>
        <button
          type="button"
          className="dt-btn dt-btn-small"
          onClick={() => step(1)}
          disabled={search.matches.length === 0}
          data-testid="payload-next"
          title="Next match (Enter)"
        >
          Next ↓
        </button>
        <span className="dt-spacer" />
        <button
          type="button"
          className="dt-btn dt-btn-small"
          onClick={() => setAll('all')}
          data-testid="payload-expand-all"
        >
          Expand all
        </button>
        <button
          type="button"
          className="dt-btn dt-btn-small"
          onClick={() => setAll('none')}
          data-testid="payload-collapse-all"
        >
          Collapse all
        </button>
      </div>
      {imprecise && (
        <p className="dt-note">
          Some numbers here have more digits than a JavaScript number holds, so the tree may show
          them rounded; the Raw tab has the exact text.
        </p>
      )}
      <VirtualList
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        renderRow={renderRow}
        className="dt-tree"
        testId="payload-tree"
        role="tree"
        label="Payload"
        reveal={reveal}
        renderAllBelow={200}
        onKeyDown={onTreeKey}
      />
      {truncated && (
        <p className="dt-note">
          Only the first {rows.length} rows are listed; collapse something or search instead.
        </p>
      )}
      <div className="dt-pathbar" data-testid="payload-selection">
        {selectedRow === undefined ? (
          <span className="dt-muted">Select a row to copy its JSON path or value.</span>
        ) : (
          <>
            <code className="dt-path" data-testid="payload-selected-path">
              {formatJsonPath(segmentsOf(rows, selectedIndex))}
            </code>
            <CopyButton
              text={() => formatJsonPath(segmentsOf(rows, selectedIndex))}
              label="Copy path"
              testId="payload-copy-path"
            />
            <CopyButton
              text={() => copyText(selectedRow.value)}
              label="Copy value"
              testId="payload-copy-value"
            />
          </>
        )}
      </div>
    </div>
  );
}

interface TreeRowViewProps {
  row: TreeRow;
  index: number;
  rows: readonly TreeRow[];
  query: string;
  match: boolean;
  current: boolean;
  selected: boolean;
  onSelect: (id: string) => void;
  onToggle: (row: TreeRow) => void;
  onShowAll: (id: string, on: boolean) => void;
}

function TreeRowView({
  row,
  index,
  rows,
  query,
  match,
  current,
  selected,
  onSelect,
  onToggle,
  onShowAll,
}: TreeRowViewProps) {
  const container = row.kind === 'object' || row.kind === 'array';
  const continuation = row.part !== null && row.part.index > 0;
  // The node a continuation row belongs to is its parent (the string's first row).
  const owner = continuation ? row.parent : index;
  const ownerId = continuation ? (rows[row.parent]?.id ?? row.id) : row.id;
  const classes = ['dt-vrow', 'dt-trow'];
  if (match) classes.push('is-match');
  if (current) classes.push('is-current');
  if (selected) classes.push('is-selected');
  const { text, truncated } = leafText(row);

  return (
    <div
      className={classes.join(' ')}
      style={{ paddingLeft: 4 + (row.depth + (continuation ? 1 : 0)) * INDENT_PX }}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={container && row.size > 0 ? row.expanded : undefined}
      aria-selected={selected}
      data-path={row.id}
      onClick={() => onSelect(ownerId)}
    >
      {container && row.size > 0 ? (
        <button
          type="button"
          className="dt-twisty"
          aria-label={row.expanded ? 'Collapse' : 'Expand'}
          tabIndex={-1}
          onClick={(e) => {
            e.stopPropagation();
            onSelect(row.id);
            onToggle(row);
          }}
        >
          {row.expanded ? '▾' : '▸'}
        </button>
      ) : (
        <span className="dt-twisty" aria-hidden="true" />
      )}
      {row.key !== null && (
        <>
          <span className={typeof row.key === 'number' ? 'dt-index' : 'dt-key'}>
            {typeof row.key === 'number' ? String(row.key) : <Highlight text={row.key} query={query} />}
          </span>
          <span className="dt-colon">: </span>
        </>
      )}
      {container ? (
        <>
          <span className="dt-brace">
            {row.size === 0 ? text : row.expanded ? (row.kind === 'object' ? '{' : '[') : text}
          </span>
          {row.size > 0 && (
            <span className="dt-size">
              {row.size} {row.kind === 'object' ? (row.size === 1 ? 'key' : 'keys') : row.size === 1 ? 'item' : 'items'}
            </span>
          )}
        </>
      ) : (
        <span className={`dt-v dt-v-${row.kind}`}>
          <Highlight text={text} query={query} />
        </span>
      )}
      {truncated && (
        <button
          type="button"
          className="dt-link"
          onClick={(e) => {
            e.stopPropagation();
            onShowAll(row.id, true);
          }}
        >
          show all {row.size} characters
        </button>
      )}
      {row.part !== null && row.part.index === 0 && (
        <button
          type="button"
          className="dt-link"
          onClick={(e) => {
            e.stopPropagation();
            onShowAll(row.id, false);
          }}
        >
          show less
        </button>
      )}
      {!continuation && (
        <span className="dt-row-actions">
          <CopyButton
            text={() => copyText(row.value)}
            label="value"
            title="Copy the value"
          />
          <CopyButton
            text={() => formatJsonPath(segmentsOf(rows, owner))}
            label="path"
            title="Copy the JSON path"
          />
        </span>
      )}
    </div>
  );
}
