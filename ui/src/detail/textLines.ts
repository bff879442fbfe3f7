// Splits a body into fixed-height display rows: one per line, long lines hard-wrapped, so a
// 5 MB single-line body becomes a few thousand rows a virtualized list can show.

export interface TextRows {
  /** Start offset (UTF-16 index) of each row. */
  starts: number[];
  /** End offset, exclusive; the row's line break (if any) is counted in its text. */
  ends: number[];
  /** 1-based line number on a line's first row, 0 on its wrapped continuation rows. */
  lines: number[];
}

/** Rows of at most `wrap` code units; never splits a surrogate pair. */
export function layoutLines(text: string, wrap: number): TextRows {
  const width = Math.max(2, Math.floor(wrap));
  const rows: TextRows = { starts: [], ends: [], lines: [] };
  let line = 1;
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    let start = pos;
    let first = true;
    do {
      let end = Math.min(start + width, lineEnd);
      // Keep a trailing "\n" with its line's last row rather than giving it a row of its own.
      if (end === lineEnd - 1 && nl !== -1) end = lineEnd;
      const high = text.charCodeAt(end - 1);
      if (end < lineEnd && high >= 0xd800 && high <= 0xdbff) end -= 1;
      rows.starts.push(start);
      rows.ends.push(end);
      rows.lines.push(first ? line : 0);
      first = false;
      start = end;
    } while (start < lineEnd);
    if (nl === -1) break;
    pos = lineEnd;
    line += 1;
  }
  return rows;
}

/** The row that holds the start of 1-based `line`, or -1. */
export function rowOfLine(rows: TextRows, line: number): number {
  let lo = 0;
  let hi = rows.lines.length - 1;
  // Line numbers only grow: binary search over the first rows of lines.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    let m = mid;
    while (m > 0 && rows.lines[m] === 0) m -= 1;
    const at = rows.lines[m] ?? 0;
    if (at === line) return m;
    if (at < line) lo = mid + 1;
    else hi = m - 1;
  }
  return -1;
}
