// The hex view of a body: 16 bytes a row, offset, hex pairs and an ASCII column, built per row
// so a virtualized list formats only what is on screen.

export const HEX_WIDTH = 16;

export interface HexRow {
  /** Hex offset of the row's first byte, at least 8 digits. */
  offset: string;
  /** Two digits per byte, a space between, an extra space after the eighth; padded to full width. */
  hex: string;
  /** Printable ASCII as itself, every other byte as ".". */
  ascii: string;
}

export function hexRowCount(length: number): number {
  return Math.ceil(Math.max(0, length) / HEX_WIDTH);
}

const DIGITS = '0123456789abcdef';

export function hexRow(bytes: Uint8Array, row: number): HexRow {
  const start = row * HEX_WIDTH;
  let hex = '';
  let ascii = '';
  for (let i = 0; i < HEX_WIDTH; i++) {
    if (i > 0) hex += i === 8 ? '  ' : ' ';
    const b = start + i < bytes.length ? bytes[start + i] : undefined;
    if (b === undefined) {
      hex += '  ';
      continue;
    }
    hex += DIGITS[b >> 4]! + DIGITS[b & 15]!;
    ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  }
  return { offset: start.toString(16).padStart(8, '0'), hex, ascii };
}
