// The offending line of a body that is not JSON, with a caret under the error column.
// The column comes from serde_json on the Rust side: 1-based and counted in bytes, so a line with
// non-ASCII text needs the byte column turned into a character position.

export interface CaretExcerpt {
  lineNumber: number;
  /** The line (or a window of it around the caret), without its line break. */
  text: string;
  /** Spaces (tabs where the line has tabs, so it lines up) then "^". */
  caret: string;
  /** The window cuts the line on that side. */
  clippedStart: boolean;
  clippedEnd: boolean;
}

/** UTF-8 length of one code point. */
function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The UTF-16 index in `line` after `bytes` UTF-8 bytes (clamped to the line). */
export function byteColumnToIndex(line: string, bytes: number): number {
  let seen = 0;
  let i = 0;
  while (i < line.length && seen < bytes) {
    const cp = line.codePointAt(i)!;
    seen += utf8Length(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * The 1-based `line` of `text` with a caret at 1-based byte `column` (0 means before the first
 * character, as serde_json reports errors right after a line break). Null when the line does not
 * exist. Lines longer than `width` are cut to a window around the caret.
 */
export function caretExcerpt(
  text: string,
  line: number,
  column: number,
  width = 120,
): CaretExcerpt | null {
  if (!Number.isInteger(line) || line < 1 || !Number.isFinite(column)) return null;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return null;
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  let full = text.slice(start, nl === -1 ? text.length : nl);
  if (full.endsWith('\r')) full = full.slice(0, -1);

  const at = byteColumnToIndex(full, Math.max(0, Math.floor(column) - 1));
  const span = Math.max(10, Math.floor(width));
  let from = 0;
  let to = full.length;
  if (full.length > span) {
    from = Math.max(0, Math.min(at - Math.floor(span / 2), full.length - span));
    to = from + span;
    // Do not start or end the window inside a surrogate pair.
    if (from > 0 && isLowSurrogate(full.charCodeAt(from))) from -= 1;
    if (to < full.length && isLowSurrogate(full.charCodeAt(to))) to += 1;
  }
  const shown = full.slice(from, to);
  let caret = '';
  for (const ch of full.slice(from, at)) caret += ch === '\t' ? '\t' : ' ';
  return {
    lineNumber: line,
    text: shown,
    caret: `${caret}^`,
    clippedStart: from > 0,
    clippedEnd: to < full.length,
  };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
