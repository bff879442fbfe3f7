import { describe, expect, it } from 'vitest';
import { harFileName, savedText } from './harFile.ts';

describe('harFileName', () => {
  it('names one delivery by its id', () => {
    expect(harFileName({ kind: 'one', id: 42 }, new Date(2026, 10, 22, 10, 4, 5))).toBe('persona-delivery-42.har');
  });

  it('names several by the local time, zero-padded', () => {
    expect(harFileName({ kind: 'many' }, new Date(2026, 0, 2, 3, 4, 5))).toBe('persona-deliveries-20260102-030405.har');
    expect(harFileName({ kind: 'many' }, new Date(2026, 11, 31, 23, 59, 58))).toBe('persona-deliveries-20261231-235958.har');
  });
});

describe('savedText', () => {
  it('says what was saved, how big, and where', () => {
    expect(savedText('persona-delivery-42.har', 3174)).toBe('Saved persona-delivery-42.har (3.1 KiB) to your Downloads folder');
    expect(savedText('x.har', 512)).toBe('Saved x.har (512 B) to your Downloads folder');
  });
});
