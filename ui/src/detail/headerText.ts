// Headers as text for the clipboard, and which ones are Persona's.

import type { Header } from '../bindings.ts';

/** Persona's own headers (`Persona-Signature`, `Persona-Webhook-…`), marked in the table. */
export function isPersonaHeader(name: string): boolean {
  return name.toLowerCase().startsWith('persona-');
}

/** `Name: value` lines, as an HTTP/1 message carries them. */
export function headerLines(headers: readonly Header[]): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n');
}
