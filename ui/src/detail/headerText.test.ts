import { describe, expect, it } from 'vitest';
import { headerLines, isPersonaHeader } from './headerText.ts';

describe('headerLines', () => {
  it('writes one `Name: value` line per header, in order, duplicates kept', () => {
    expect(
      headerLines([
        ['content-type', 'application/json'],
        ['persona-signature', 't=1,v1=aa'],
        ['x-dup', 'a'],
        ['x-dup', 'b'],
        ['x-bin', '\uFFFD', '/w=='],
      ]),
    ).toBe(
      'content-type: application/json\npersona-signature: t=1,v1=aa\nx-dup: a\nx-dup: b\nx-bin: \uFFFD',
    );
    expect(headerLines([])).toBe('');
  });
});

describe('isPersonaHeader', () => {
  it("marks Persona's headers in any case", () => {
    expect(isPersonaHeader('Persona-Signature')).toBe(true);
    expect(isPersonaHeader('persona-webhook-attempts-made')).toBe(true);
    expect(isPersonaHeader('x-persona')).toBe(false);
  });
});
