import { describe, expect, it } from 'vitest';
import { hexRow, hexRowCount } from './hexDump.ts';

const enc = new TextEncoder();

describe('hexRow', () => {
  it('formats a full row: offset, hex in two groups of eight, ASCII', () => {
    const row = hexRow(enc.encode('{"data":{"type":'), 0);
    expect(row.offset).toBe('00000000');
    expect(row.hex).toBe('7b 22 64 61 74 61 22 3a  7b 22 74 79 70 65 22 3a');
    expect(row.ascii).toBe('{"data":{"type":');
  });

  it('counts offsets in hex by row', () => {
    const bytes = new Uint8Array(40);
    expect(hexRow(bytes, 1).offset).toBe('00000010');
    expect(hexRow(bytes, 2).offset).toBe('00000020');
    // Past 4 GiB the offset grows a digit rather than wrapping.
    expect(hexRow(bytes, 0x1000_0000).offset).toBe('100000000');
  });

  it('shows non-printable bytes as dots, including DEL and bytes above 0x7e', () => {
    const row = hexRow(Uint8Array.from([0x00, 0x0a, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff]), 0);
    expect(row.ascii).toBe('... ~...');
    expect(row.hex.startsWith('00 0a 1f 20 7e 7f 80 ff')).toBe(true);
  });

  it('pads a short last row so the ASCII column lines up', () => {
    const full = hexRow(new Uint8Array(16), 0);
    const short = hexRow(Uint8Array.from([0x41, 0x42, 0x43]), 0);
    expect(short.hex.length).toBe(full.hex.length);
    expect(short.hex.trimEnd()).toBe('41 42 43');
    expect(short.ascii).toBe('ABC');
  });

  it('is empty past the end rather than throwing', () => {
    const row = hexRow(Uint8Array.from([1]), 5);
    expect(row.hex.trim()).toBe('');
    expect(row.ascii).toBe('');
  });
});

describe('hexRowCount', () => {
  it('rounds up to whole rows', () => {
    expect(hexRowCount(0)).toBe(0);
    expect(hexRowCount(1)).toBe(1);
    expect(hexRowCount(16)).toBe(1);
    expect(hexRowCount(17)).toBe(2);
    expect(hexRowCount(-5)).toBe(0);
  });
});
