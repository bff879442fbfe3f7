// JSON paths of tree nodes. Rows are keyed by a canonical id (dot for identifier keys, brackets
// otherwise: `$.data["created-at"][0]`); what is copied is `formatJsonPath`, which keeps the dot
// form when every key is an identifier and otherwise brackets every key (`$["data"]["a-b"]`).

export type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIdentifierKey(key: string): boolean {
  return IDENTIFIER.test(key);
}

/** `["key"]` with JSON string escaping (quotes, backslashes, control characters). */
function bracket(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

/** The canonical id of a child: unique per path, a valid path itself. */
export function childId(parentId: string, segment: Segment): string {
  if (typeof segment === 'number') return `${parentId}[${segment}]`;
  return isIdentifierKey(segment) ? `${parentId}.${segment}` : parentId + bracket(segment);
}

export function formatJsonPath(segments: readonly Segment[]): string {
  const plain = segments.every((s) => typeof s === 'number' || isIdentifierKey(s));
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += plain ? `.${s}` : bracket(s);
  }
  return out;
}
