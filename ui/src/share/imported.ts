// What the import dialog says after `importFixtures`. Pure.

import { plural } from '../format/text.ts';

/** "Imported 2 deliveries (#12, #13)"; long lists are cut: "(#1, #2, #3, … #40)". */
export function importedText(ids: readonly number[], shown = 8): string {
  if (ids.length === 0) return 'The file held no deliveries: nothing was imported.';
  const list =
    ids.length <= shown
      ? ids.map((id) => `#${id}`).join(', ')
      : `${ids
          .slice(0, shown - 1)
          .map((id) => `#${id}`)
          .join(', ')}, … #${ids[ids.length - 1]}`;
  return `Imported ${plural(ids.length, 'delivery', 'deliveries')} (${list})`;
}

/**
 * Files bigger than this are refused before reading: a fixture of a 10 MiB body is about 14 MB,
 * and the window's HAR export stops at this size.
 */
export const MAX_FIXTURE_FILE = 64 * 1024 * 1024;

/** Why a picked file cannot be read as fixtures or HAR, or null. */
export function fileProblem(file: { name: string; size: number }): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_FIXTURE_FILE) return `${file.name} is over 64 MiB: too big to import (64 MiB at most).`;
  return null;
}
