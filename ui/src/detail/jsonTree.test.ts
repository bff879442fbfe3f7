import docsExample from '../../../tests/fixtures/docs-example.json?raw';
import { describe, expect, it } from 'vitest';
import { formatJsonPath } from './jsonPath.ts';
import { RawNumber } from './jsonParse.ts';
import {
  copyText,
  defaultExpanded,
  flattenTree,
  INITIAL_EXPAND,
  kindOf,
  leafText,
  pinned,
  reopened,
  rowMatches,
  queryRegex,
  searchTree,
  segmentsOf,
  splitMatches,
  STRING_CHUNK,
  STRING_PREVIEW,
  stringChunks,
  toggled,
  type ExpandState,
  type TreeRow,
} from './jsonTree.ts';

const docs: unknown = JSON.parse(docsExample);

function ids(rows: TreeRow[]): string[] {
  return rows.map((r) => r.id);
}

function flat(root: unknown, expand: ExpandState = INITIAL_EXPAND, extra = {}): TreeRow[] {
  return flattenTree(root, { expand, ...extra }).rows;
}

/** About 5.8 MB of JSON: an event whose payload includes 20 000 verification-like resources. */
function bigEvent(n = 20_000): unknown {
  const included = [];
  for (let i = 0; i < n; i++) {
    included.push({
      type: 'verification/government-id',
      id: `ver_${i.toString(36).padStart(24, 'x')}`,
      attributes: {
        status: i % 7 === 0 ? 'failed' : 'passed',
        'created-at': '2024-01-01T00:00:00.000Z',
        'front-photo-url': 'https://files.withpersona.com/abc/def.jpg?x=1',
        checks: [{ name: 'id_aamva_database_lookup', status: 'passed', reasons: [] }],
      },
    });
  }
  return {
    data: {
      type: 'event',
      id: 'evt_big',
      attributes: {
        name: 'inquiry.approved',
        'created-at': '2024-01-01T00:00:00.000Z',
        payload: { data: { type: 'inquiry', id: 'inq_1', attributes: {} }, included },
      },
    },
  };
}

describe('kindOf', () => {
  it('names JSON kinds, RawNumber included', () => {
    expect([{}, [], 'x', 1, true, null, new RawNumber(1, '1.0')].map(kindOf)).toEqual([
      'object',
      'array',
      'string',
      'number',
      'boolean',
      'null',
      'number',
    ]);
  });
});

describe('flattenTree', () => {
  it('lists rows in document order with depth, parent and key', () => {
    const rows = flat({ a: 1, b: [true, null], c: { d: 'x' } });
    expect(ids(rows)).toEqual(['$', '$.a', '$.b', '$.b[0]', '$.b[1]', '$.c', '$.c.d']);
    expect(rows.map((r) => r.depth)).toEqual([0, 1, 1, 2, 2, 1, 2]);
    expect(rows[3]!.parent).toBe(2);
    expect(rows[3]!.key).toBe(0);
    expect(rows[2]!.size).toBe(2);
    expect(rows[2]!.expanded).toBe(true);
  });

  it('flattens primitives and empty containers as a single row', () => {
    expect(ids(flat('just a string'))).toEqual(['$']);
    const empty = flat({ o: {}, a: [] });
    expect(empty.map((r) => [r.id, r.expanded])).toEqual([
      ['$', true],
      ['$.o', false],
      ['$.a', false],
    ]);
  });

  it("opens Persona's envelope down to the resource by default", () => {
    const rows = flat(docs);
    const shown = new Set(ids(rows));
    expect(shown.has('$.data.attributes.payload.data.id')).toBe(true);
    expect(shown.has('$.data.attributes.payload.included[1].attributes.status')).toBe(true);
  });

  it('collapses on click and expands again, whatever the default', () => {
    let state = INITIAL_EXPAND;
    state = toggled(state, '$.data', true);
    expect(ids(flat(docs, state))).toEqual(['$', '$.data']);
    state = toggled(state, '$.data', false);
    expect(flat(docs, state).length).toBeGreaterThan(2);
  });

  it('expands everything with mode all and only the root with mode none', () => {
    const doc = { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } };
    expect(flat(doc, { mode: 'all', overrides: new Map() })).toHaveLength(12);
    expect(ids(flat(doc, { mode: 'none', overrides: new Map() }))).toEqual(['$', '$.a']);
    // Default stops opening at MAX_AUTO_DEPTH.
    expect(flat(doc).length).toBeLessThan(12);
    // A click wins over the mode.
    const clicked = toggled({ mode: 'none', overrides: new Map() }, '$.a', false);
    expect(ids(flat(doc, clicked))).toEqual(['$', '$.a', '$.a.b']);
  });

  it('starts large containers collapsed beyond the default depth', () => {
    const arr = Array.from({ length: 60 }, (_, i) => ({ i }));
    const rows = flat({ a: { b: { c: { big: arr, small: [1, 2] } } } });
    const big = rows.find((r) => r.id === '$.a.b.c.big')!;
    const small = rows.find((r) => r.id === '$.a.b.c.small')!;
    expect(big.expanded).toBe(false);
    expect(small.expanded).toBe(true);
  });

  it('keeps the children of a huge container collapsed even near the root', () => {
    const rows = flat(Array.from({ length: 500 }, (_, i) => ({ i, nested: { x: i } })));
    expect(rows).toHaveLength(501);
    expect(rows.slice(1).every((r) => !r.expanded)).toBe(true);
  });

  it('decides default expansion from depth, size and parent size', () => {
    expect(defaultExpanded(0, 1_000_000, 0)).toBe(true);
    expect(defaultExpanded(2, 10_000, 2)).toBe(true);
    expect(defaultExpanded(2, 1, 10_000)).toBe(false);
    expect(defaultExpanded(3, 50, 50)).toBe(true);
    expect(defaultExpanded(3, 51, 1)).toBe(false);
    expect(defaultExpanded(9, 1, 1)).toBe(true);
    expect(defaultExpanded(10, 1, 1)).toBe(false);
  });

  it('stops at maxRows and says so', () => {
    const r = flattenTree(
      Array.from({ length: 100 }, (_, i) => i),
      { expand: INITIAL_EXPAND, maxRows: 10 },
    );
    expect(r.rows).toHaveLength(10);
    expect(r.truncated).toBe(true);
  });

  it('survives deep nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const r = flattenTree(deep, { expand: { mode: 'all', overrides: new Map() } });
    expect(r.rows).toHaveLength(20_001);
  });

  it('keys nodes by path so odd keys stay distinct', () => {
    const rows = flat({ 'a.b': 1, a: { b: 2 }, '0': 3, '': 4, 'x"]': 5 });
    expect(new Set(ids(rows)).size).toBe(rows.length);
  });

  it('splits a string shown in full into continuation rows', () => {
    const long = 'x'.repeat(STRING_PREVIEW + 45);
    const parts = Math.ceil(long.length / STRING_CHUNK);
    const doc = { s: long, after: 1 };
    expect(flat(doc)).toHaveLength(3);
    const rows = flat(doc, INITIAL_EXPAND, { full: new Set(['$.s']) });
    const continuation = Array.from({ length: parts - 1 }, (_, i) => `$.s#${i + 1}`);
    expect(ids(rows)).toEqual(['$', '$.s', ...continuation, '$.after']);
    expect(rows.slice(1, 1 + parts).map((r) => leafText(r).text).join('')).toBe(JSON.stringify(long));
    expect(formatJsonPath(segmentsOf(rows, 3))).toBe('$.s');
    // A string short enough to show whole is never split, even when asked.
    expect(flat({ s: 'short' }, INITIAL_EXPAND, { full: new Set(['$.s']) })).toHaveLength(2);
  });

  it('produces only O(visible) rows for a 5 MB payload, quickly', () => {
    const doc = bigEvent();
    const size = JSON.stringify(doc).length;
    expect(size).toBeGreaterThan(5_000_000);
    const t0 = performance.now();
    const { rows } = flattenTree(doc, { expand: INITIAL_EXPAND });
    const ms = performance.now() - t0;
    console.log(`flattenTree ${(size / 1e6).toFixed(1)} MB, default expansion: ${rows.length} rows in ${ms.toFixed(2)} ms`);
    expect(rows.length).toBeLessThan(50);
    const included = rows.find((r) => r.id === '$.data.attributes.payload.included')!;
    expect(included.expanded).toBe(false);
    expect(included.size).toBe(20_000);

    const opened = toggled(INITIAL_EXPAND, included.id, false);
    const t1 = performance.now();
    const more = flattenTree(doc, { expand: opened }).rows;
    console.log(`  included expanded: ${more.length} rows in ${(performance.now() - t1).toFixed(2)} ms`);
    expect(more.length).toBe(rows.length + 20_000);

    const t2 = performance.now();
    const all = flattenTree(doc, { expand: { mode: 'all', overrides: new Map() } }).rows;
    console.log(`  expand all: ${all.length} rows in ${(performance.now() - t2).toFixed(1)} ms`);
    expect(all.length).toBeGreaterThan(200_000);
  });
});

describe('segmentsOf', () => {
  it('gives the keys from the root, for copying a path', () => {
    const rows = flat(docs);
    const i = rows.findIndex((r) => r.id === '$.data.attributes.payload.data.id');
    expect(formatJsonPath(segmentsOf(rows, i))).toBe('$.data.attributes.payload.data.id');
    const j = rows.findIndex(
      (r) => r.id === '$.data.attributes.payload.included[1].attributes["created-at"]',
    );
    expect(formatJsonPath(segmentsOf(rows, j))).toBe(
      '$["data"]["attributes"]["payload"]["included"][1]["attributes"]["created-at"]',
    );
    expect(segmentsOf(rows, 0)).toEqual([]);
    expect(segmentsOf(rows, 99_999)).toEqual([]);
  });
});

describe('leafText', () => {
  it('shows values as JSON, escaping control characters so rows stay one line', () => {
    const rows = flat({ s: 'a\nb', n: 1.5, t: false, z: null, e: [], o: {}, big: new RawNumber(1, '1.00000000000000001') });
    expect(rows.slice(1).map((r) => leafText(r).text)).toEqual([
      '"a\\nb"',
      '1.5',
      'false',
      'null',
      '[]',
      '{}',
      '1.00000000000000001',
    ]);
  });

  it('renders markup in payload strings as plain characters', () => {
    const rows = flat({ x: '<img src=x onerror=alert(1)>' });
    expect(leafText(rows[1]!).text).toBe('"<img src=x onerror=alert(1)>"');
  });

  it('truncates long strings in their row', () => {
    const rows = flat({ s: 'y'.repeat(STRING_PREVIEW * 2) });
    const t = leafText(rows[1]!);
    expect(t.truncated).toBe(true);
    expect(t.text.length).toBeLessThan(STRING_PREVIEW + 5);
    expect(t.text.endsWith('…')).toBe(true);
  });
});

describe('copyText', () => {
  it('copies strings as text, numbers as written, containers as JSON', () => {
    expect(copyText('a"b')).toBe('a"b');
    expect(copyText(new RawNumber(1, '1.0'))).toBe('1.0');
    expect(copyText(12)).toBe('12');
    expect(copyText(null)).toBe('null');
    expect(copyText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});

describe('searchTree', () => {
  it('finds keys and values, case-insensitively, in document order', () => {
    const r = searchTree(docs, 'PASSED');
    expect(r.total).toBe(2);
    expect(r.matches.map((m) => m.id)).toEqual([
      '$.data.attributes.payload.included[1].attributes.status',
      '$.data.attributes.payload.included[2].attributes.status',
    ]);
    const keys = searchTree(docs, 'photo-url');
    expect(keys.total).toBe(4);
  });

  it('counts a node once when both its key and value match', () => {
    expect(searchTree({ status: 'status' }, 'status').total).toBe(1);
  });

  it('matches numbers, booleans and null by their text but not array indices', () => {
    const doc = { n: 42, b: true, z: null, list: ['a', 'b'] };
    expect(searchTree(doc, '42').total).toBe(1);
    expect(searchTree(doc, 'tru').total).toBe(1);
    expect(searchTree(doc, 'null').total).toBe(1);
    expect(searchTree(doc, '1').total).toBe(0);
  });

  it('takes the query literally, not as a regex', () => {
    expect(searchTree({ a: 'x.y', b: 'xzy' }, 'x.y').total).toBe(1);
    expect(searchTree({ a: '(' }, '(').total).toBe(1);
  });

  it('opens the ancestors of matches, even collapsed by default', () => {
    const doc = bigEvent(200);
    const plain = flat(doc);
    expect(plain.some((r) => r.id.includes('included[7]'))).toBe(false);
    const found = searchTree(doc, `ver_${'7'.padStart(24, 'x')}`);
    expect(found.total).toBe(1);
    expect(found.matches[0]!.ancestors).toEqual([
      '$',
      '$.data',
      '$.data.attributes',
      '$.data.attributes.payload',
      '$.data.attributes.payload.included',
      '$.data.attributes.payload.included[7]',
    ]);
    const rows = flat(doc, INITIAL_EXPAND, { open: found.open });
    expect(ids(rows)).toContain('$.data.attributes.payload.included[7].id');
    // Only the path to the match opens, not its 199 siblings.
    const openItems = rows.filter((r) => r.expanded && /included\[\d+\]$/.test(r.id));
    expect(openItems.map((r) => r.id)).toEqual(['$.data.attributes.payload.included[7]']);
  });

  it('lets a collapse click win over search until the next search reopens it', () => {
    const doc = { a: { b: { c: { d: { e: [Array.from({ length: 60 }, () => 'needle')] } } } } };
    const found = searchTree(doc, 'needle');
    let state = toggled(INITIAL_EXPAND, '$.a', true);
    expect(ids(flat(doc, state, { open: found.open }))).toEqual(['$', '$.a']);
    state = reopened(state, found.open);
    expect(flat(doc, state, { open: found.open }).length).toBeGreaterThan(60);
    expect(reopened(state, ['$.nothing'])).toBe(state);
  });

  it('keeps the way to a match open after the search is cleared, when pinned', () => {
    const doc = { a: { b: { c: { d: Array.from({ length: 60 }, (_, i) => ({ i })) } } } };
    const found = searchTree(doc, '"i"'.slice(1, 2));
    const last = found.matches[found.matches.length - 1]!;
    const state = pinned(INITIAL_EXPAND, last.ancestors);
    expect(ids(flat(doc, state))).toContain(last.id);
    expect(ids(flat(doc))).not.toContain(last.id);
    expect(pinned(state, last.ancestors)).toBe(state);
  });

  it('caps kept matches but counts all', () => {
    const r = searchTree(Array.from({ length: 50 }, () => 'hit'), 'hit', 10);
    expect(r.total).toBe(50);
    expect(r.matches).toHaveLength(10);
  });

  it('finds nothing for an empty query', () => {
    expect(searchTree(docs, '').total).toBe(0);
  });

  it('searches a 5 MB payload', () => {
    const doc = bigEvent();
    const t0 = performance.now();
    const r = searchTree(doc, 'failed');
    console.log(`searchTree 5 MB: ${r.total} matches in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(r.total).toBe(Math.ceil(20_000 / 7));
    const t1 = performance.now();
    const rows = flattenTree(doc, { expand: INITIAL_EXPAND, open: r.open }).rows;
    console.log(`  flatten with matches opened: ${rows.length} rows in ${(performance.now() - t1).toFixed(1)} ms`);
    expect(rows.filter((row) => rowMatches(row, queryRegex('failed'))).length).toBe(r.total);
  });
});

describe('splitMatches', () => {
  it('cuts text around every case-insensitive match', () => {
    expect(splitMatches('Passed, passed', 'pass')).toEqual([
      { text: 'Pass', match: true },
      { text: 'ed, ', match: false },
      { text: 'pass', match: true },
      { text: 'ed', match: false },
    ]);
  });

  it('returns the text whole when nothing matches or the query is empty', () => {
    expect(splitMatches('abc', 'z')).toEqual([{ text: 'abc', match: false }]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', match: false }]);
    expect(splitMatches('', 'a')).toEqual([{ text: '', match: false }]);
  });

  it('escapes regex characters in the query', () => {
    expect(splitMatches('a.b', '.').map((p) => p.match)).toEqual([false, true, false]);
  });
});

describe('stringChunks', () => {
  it('covers the string without splitting surrogate pairs', () => {
    const s = 'a😀'.repeat(100);
    const chunks = stringChunks(s, 7);
    expect(chunks.map(([f, t]) => s.slice(f, t)).join('')).toBe(s);
    for (const [, t] of chunks) expect(s.charCodeAt(t - 1) >= 0xd800 && s.charCodeAt(t - 1) <= 0xdbff).toBe(false);
  });
});
