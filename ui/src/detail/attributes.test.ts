import { describe, expect, it } from 'vitest';
import { attributeEntries, compactJson, includedAttributes } from './attributes.ts';

describe('attributeEntries', () => {
  it('lists object attributes in order', () => {
    expect(attributeEntries({ status: 'passed', 'created-at': null })).toEqual([
      ['status', 'passed'],
      ['created-at', null],
    ]);
  });

  it('is empty for anything that is not an object', () => {
    for (const v of [null, undefined, 'x', 1, [1, 2]]) expect(attributeEntries(v)).toEqual([]);
  });
});

describe('compactJson', () => {
  it('writes one line of JSON', () => {
    expect(compactJson({ a: [1, 'b'] }, 100)).toBe('{"a":[1,"b"]}');
    expect(compactJson('<script>alert(1)</script>', 100)).toBe('"<script>alert(1)</script>"');
  });

  it('cuts long values with an ellipsis, never inside a surrogate pair', () => {
    expect(compactJson('x'.repeat(50), 10)).toBe('"xxxxxxxx…');
    const cut = compactJson('😀'.repeat(20), 6);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
  });

  it('copes with values JSON cannot write', () => {
    expect(compactJson(undefined, 10)).toBe('undefined');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(compactJson(loop, 50)).toBe('[object Object]');
  });
});

describe('includedAttributes', () => {
  it("reads each payload.included element's attributes by index, undefined where there are none", () => {
    const body = {
      data: {
        attributes: {
          payload: {
            included: [{ type: 'a', attributes: { x: 1 } }, 'not an object', { type: 'b' }, { attributes: null }],
          },
        },
      },
    };
    expect(includedAttributes(body)).toEqual([{ x: 1 }, undefined, undefined, null]);
  });

  it('is empty when the body has no included array', () => {
    for (const body of [null, 1, [], {}, { data: { attributes: { payload: { included: {} } } } }]) {
      expect(includedAttributes(body)).toEqual([]);
    }
  });

  it('does not read inherited members', () => {
    expect(includedAttributes(JSON.parse('{"data":{"attributes":{"payload":{"included":[{}]}}}}'))).toEqual([undefined]);
    expect(includedAttributes({ data: { attributes: { payload: Object.create({ included: [{}] }) } } })).toEqual([]);
  });
});
