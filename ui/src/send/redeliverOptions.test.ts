import { describe, expect, it } from 'vitest';
import { base64ToBytes, decodeUtf8Strict } from '../detail/body.ts';
import { rowsFromHeaders, setValue } from '../detail/headerRows.ts';
import { buildEdits, buildOptions, checkTimeout, formProblems, KEEP, resignChoice, signingFromChoice, textToBase64, type EditState, type FormState } from './redeliverOptions.ts';

const stored = [
  ['content-type', 'application/json'],
  ['persona-signature', 't=1,v1=ab'],
];

const edit = (over: Partial<EditState> = {}): EditState => ({
  body: '{"a":1}',
  storedBody: '{"a":1}',
  bodyNotKept: false,
  rows: rowsFromHeaders(stored),
  storedHeaders: stored,
  ...over,
});

const form = (over: Partial<FormState> = {}): FormState => ({
  target: 'http://127.0.0.1:3000/hooks',
  keepPath: false,
  signing: KEEP,
  timeout: '5000',
  edit: null,
  ...over,
});

describe('textToBase64', () => {
  it('encodes the text as UTF-8, non-ASCII and emoji included', () => {
    expect(textToBase64('abc123')).toBe('YWJjMTIz');
    const text = '{"name":"Zoë 名前 🎉"}';
    expect(decodeUtf8Strict(base64ToBytes(textToBase64(text)))).toBe(text);
    expect(textToBase64('é')).toBe('w6k=');
    expect(textToBase64('')).toBe('');
  });
});

describe('signing choices', () => {
  it('keep, or re-sign with a label (any label, even "keep")', () => {
    expect(signingFromChoice(KEEP)).toEqual({ mode: 'keep' });
    expect(signingFromChoice(resignChoice('current'))).toEqual({ mode: 'resign', secret: 'current' });
    expect(signingFromChoice(resignChoice('keep'))).toEqual({ mode: 'resign', secret: 'keep' });
    expect(signingFromChoice(resignChoice('a:b'))).toEqual({ mode: 'resign', secret: 'a:b' });
  });
});

describe('checkTimeout', () => {
  it('takes 1 to 600000 ms, warning past Persona’s 5 s', () => {
    expect(checkTimeout('5000')).toEqual({ ok: true, value: 5000, warning: null });
    expect(checkTimeout(' 1 ')).toMatchObject({ ok: true, value: 1 });
    expect(checkTimeout('30000')).toMatchObject({ ok: true, value: 30000, warning: expect.stringMatching(/5000 ms/) });
    expect(checkTimeout('0').ok).toBe(false);
    expect(checkTimeout('600001').ok).toBe(false);
    expect(checkTimeout('5s').ok).toBe(false);
    expect(checkTimeout('').ok).toBe(false);
  });
});

describe('buildEdits', () => {
  it('is empty when nothing changed', () => {
    expect(buildEdits(edit())).toEqual({});
  });

  it('carries the edited body as base64 of its UTF-8 text', () => {
    expect(buildEdits(edit({ body: '{"a":"é"}' }))).toEqual({ body_base64: textToBase64('{"a":"é"}') });
  });

  it('always carries the body when the stored one was not kept, even empty', () => {
    expect(buildEdits(edit({ body: '', storedBody: '', bodyNotKept: true }))).toEqual({ body_base64: '' });
  });

  it('never carries a body that cannot be edited (not UTF-8)', () => {
    expect(buildEdits(edit({ body: null, storedBody: null }))).toEqual({});
  });

  it('carries every header once one changed: they replace the stored ones', () => {
    const rows = setValue(rowsFromHeaders(stored), 0, 'text/plain');
    expect(buildEdits(edit({ rows }))).toEqual({
      headers: [
        ['content-type', 'text/plain'],
        ['persona-signature', 't=1,v1=ab'],
      ],
    });
  });
});

describe('buildOptions', () => {
  it('builds the options from the form', () => {
    expect(buildOptions(form({ keepPath: true, signing: resignChoice('current'), timeout: '2500' }))).toEqual({
      ok: true,
      options: {
        target: 'http://127.0.0.1:3000/hooks',
        keep_path: true,
        signing: { mode: 'resign', secret: 'current' },
        timeout_ms: 2500,
      },
    });
  });

  it('trims the target and leaves edits out when editing changed nothing', () => {
    const r = buildOptions(form({ target: ' http://h/x ', edit: edit() }));
    expect(r).toEqual({
      ok: true,
      options: { target: 'http://h/x', keep_path: false, signing: { mode: 'keep' }, timeout_ms: 5000 },
    });
  });

  it('puts edits in when editing changed something', () => {
    const r = buildOptions(form({ edit: edit({ body: '[]' }) }));
    expect(r.ok && r.options.edits).toEqual({ body_base64: textToBase64('[]') });
  });

  it('lists every problem: URL, timeout, header rows', () => {
    const rows = [...rowsFromHeaders(stored), { key: 9, name: 'bad name', value: 'v', bytes: null }];
    const r = buildOptions(form({ target: 'localhost:3000', timeout: 'x', edit: edit({ rows }) }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(3);
      expect(r.problems[0]).toMatch(/http:\/\//);
      expect(r.problems[1]).toMatch(/timeout/);
      expect(r.problems[2]).toMatch(/^bad name: .*spaces/);
    }
  });
});

describe('formProblems', () => {
  it('names each field’s problem separately, nothing when all is well', () => {
    expect(formProblems({ target: 'http://h', timeout: '5000', rows: null })).toEqual({ target: null, timeout: null, rows: [] });
    const p = formProblems({
      target: 'h:3000',
      timeout: '0',
      rows: [{ key: 0, name: 'x', value: 'a\nb', bytes: null }],
    });
    expect(p.target).toMatch(/http:\/\//);
    expect(p.timeout).toMatch(/between 1 and/);
    expect(p.rows).toEqual([expect.stringMatching(/^x: .*line breaks/)]);
  });
});
