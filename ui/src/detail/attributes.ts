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
