// A resource's attributes as the Included cards list them.

/** The attributes' entries when they are an object; nothing otherwise. */
export function attributeEntries(attributes: unknown): Array<[string, unknown]> {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) return [];
  return Object.entries(attributes as Record<string, unknown>);
}

/** One-line JSON cut to `max` characters with "…", for values inside a small card. */
export function compactJson(value: unknown, max: number): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Each `payload.included[i].attributes` of a parsed Persona body, by index (undefined where an
 * element has none or is not an object): the included resources' attributes, which the Rust side
 * does not send again (its `included[i]` is the same element). Empty when there is no such array.
 */
export function includedAttributes(root: unknown): unknown[] {
  const included = member(member(member(member(root, 'data'), 'attributes'), 'payload'), 'included');
  if (!Array.isArray(included)) return [];
  return included.map((item) => member(item, 'attributes'));
}

function member(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
