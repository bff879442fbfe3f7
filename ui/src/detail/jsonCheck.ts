// Checks an edited body as JSON while it is typed: null when it is JSON, else what is wrong and
// where. The engine's own parser decides (fast, and what counts); only when it refuses does a
// small scanner find the position, because WebKit's messages give none. Invalid JSON may still be
// sent: this only warns.

export interface JsonProblem {
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based, counted in UTF-8 bytes like serde_json's (so `caretExcerpt` places the caret). */
  column: number;
  /** UTF-16 offset of the problem in the text. */
  offset: number;
}

export function jsonProblem(text: string): JsonProblem | null {
  if (text.trim() === '') return at(text, text.length, 'the body is empty, which is not JSON');
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const found = locate(text);
    if (found !== null) return at(text, found.offset, found.message);
    // The scanner accepted what the engine refused: keep the engine's word, without a position.
    return at(text, 0, e instanceof Error ? e.message : String(e));
  }
}

function at(text: string, offset: number, message: string): JsonProblem {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  const column = new TextEncoder().encode(text.slice(lineStart, offset)).length + 1;
  return { message, line, column, offset };
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the end of the body';
  const cp = text.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f) return `the control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === "'") return "' (JSON strings take double quotes)";
  return JSON.stringify(ch);
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Where the first JSON syntax error is, or null when there is none. Iterative: any depth. */
function locate(text: string): { offset: number; message: string } | null {
  const n = text.length;
  const stack: ('[' | '{')[] = [];
  // Widened: `afterValue` changes it behind the checker's back.
  let state = 'value' as Expect;
  let i = 0;
  const fail = (offset: number, message: string) => ({ offset, message });
  const afterValue = () => {
    state = stack.length === 0 ? 'end' : 'comma-or-close';
  };
  /** Reads a string starting at the quote at `i`; the error, or null. */
  const string = (): { offset: number; message: string } | null => {
    const start = i;
    i += 1;
    for (;;) {
      if (i >= n) return fail(start, 'this string is never closed (no ending ")');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i += 1;
        return null;
      }
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) return fail(i, '\\u must be followed by four hex digits');
          i += 6;
        } else if (next !== undefined && ESCAPES.has(next)) {
          i += 2;
        } else {
          return fail(i, `${next === undefined ? 'a lone \\' : `\\${next}`} is not a JSON escape`);
        }
        continue;
      }
      if (c < 0x20) return fail(i, `${describe(text, i)} must be escaped inside a string (\\n, \\t, \\u00XX)`);
      i += 1;
    }
  };

  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i += 1;
    }
    if (i >= n) {
      if (state === 'end') return null;
      const open = stack[stack.length - 1];
      return fail(n, open === undefined ? 'the body ends before a value' : `the body ends inside ${open === '{' ? 'an object' : 'an array'} (missing ${open === '{' ? '}' : ']'})`);
    }
    const ch = text[i]!;
    switch (state) {
      case 'end':
        return fail(i, `unexpected ${describe(text, i)} after the JSON value`);
      case 'colon':
        if (ch !== ':') return fail(i, `expected ":" after the key, found ${describe(text, i)}`);
        i += 1;
        state = 'value';
        break;
      case 'comma-or-close': {
        const close = stack[stack.length - 1] === '{' ? '}' : ']';
        if (ch === ',') {
          i += 1;
          state = stack[stack.length - 1] === '{' ? 'key' : 'value';
        } else if (ch === close) {
          i += 1;
          stack.pop();
          afterValue();
        } else {
          return fail(i, `expected "," or "${close}", found ${describe(text, i)}`);
        }
        break;
      }
      case 'key':
      case 'key-or-close':
        if (ch === '}' && state === 'key-or-close') {
          i += 1;
          stack.pop();
          afterValue();
        } else if (ch === '"') {
          const e = string();
          if (e !== null) return e;
          state = 'colon';
        } else if (ch === '}') {
          return fail(i, 'a comma before "}": JSON allows no trailing comma');
        } else {
          return fail(i, `expected a key in double quotes, found ${describe(text, i)}`);
        }
        break;
      case 'value':
      case 'value-or-close':
        if (ch === ']') {
          if (state === 'value-or-close') {
            i += 1;
            stack.pop();
            afterValue();
            break;
          }
          if (stack[stack.length - 1] === '[') return fail(i, 'a comma before "]": JSON allows no trailing comma');
        }
        if (ch === '{') {
          stack.push('{');
          i += 1;
          state = 'key-or-close';
        } else if (ch === '[') {
          stack.push('[');
          i += 1;
          state = 'value-or-close';
        } else if (ch === '"') {
          const e = string();
          if (e !== null) return e;
          afterValue();
        } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(text);
          if (m === null) return fail(i, `${describe(text, i)} does not start a number`);
          i += m[0].length;
          afterValue();
        } else {
          const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
          if (word === undefined) return fail(i, `expected a value, found ${describe(text, i)}`);
          i += word.length;
          afterValue();
        }
        break;
    }
  }
}
