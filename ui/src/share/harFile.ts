// A HAR export's file name and what the window says once it is handed over. Pure.

import { shortSize } from '../format/text.ts';

/** What is exported: one delivery (named by its id), or several (named by the time). */
export type HarSubject = { kind: 'one'; id: number } | { kind: 'many' };

const two = (n: number) => String(n).padStart(2, '0');

/** "persona-delivery-42.har", "persona-deliveries-20261122-100405.har" (local time). */
export function harFileName(subject: HarSubject, now: Date): string {
  if (subject.kind === 'one') return `persona-delivery-${subject.id}.har`;
  const day = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `persona-deliveries-${day}-${time}.har`;
}

/**
 * "Saved persona-delivery-42.har (3.1 KiB) to your Downloads folder". The webview saves it there
 * itself, adding " (1)" to a name already taken; the window is not told the final name.
 */
export function savedText(name: string, bytes: number): string {
  return `Saved ${name} (${shortSize(bytes)}) to your Downloads folder`;
}
