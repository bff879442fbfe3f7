import { describe, expect, it } from 'vitest';
import { fileProblem, importedText, MAX_FIXTURE_FILE } from './imported.ts';

describe('importedText', () => {
  it('names the new ids', () => {
    expect(importedText([12, 13])).toBe('Imported 2 deliveries (#12, #13)');
    expect(importedText([7])).toBe('Imported 1 delivery (#7)');
  });

  it('cuts long lists, keeping the last id', () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(importedText(ids)).toBe('Imported 40 deliveries (#1, #2, #3, #4, #5, #6, #7, … #40)');
  });

  it('says when nothing was imported', () => {
    expect(importedText([])).toMatch(/nothing was imported/);
  });
});

describe('fileProblem', () => {
  it('refuses empty and huge files', () => {
    expect(fileProblem({ name: 'a.json', size: 10 })).toBeNull();
    expect(fileProblem({ name: 'a.json', size: 0 })).toMatch(/empty/);
    expect(fileProblem({ name: 'a.json', size: MAX_FIXTURE_FILE + 1 })).toMatch(/64 MiB/);
  });
});
