import { describe, expect, it } from 'vitest';
import {
  checkDays,
  checkLabel,
  checkPort,
  checkReplyDelay,
  checkReplyStatus,
  checkSecretValue,
  checkTolerance,
} from './validate.ts';

describe('checkPort', () => {
  it('accepts 0 (any free port) to 65535', () => {
    expect(checkPort('0')).toEqual({ ok: true, value: 0, warning: null });
    expect(checkPort(' 4747 ')).toEqual({ ok: true, value: 4747, warning: null });
    expect(checkPort('65535')).toEqual({ ok: true, value: 65535, warning: null });
  });

  it('explains what is wrong', () => {
    expect(checkPort('')).toEqual({ ok: false, message: 'Enter the port.' });
    expect(checkPort('47a')).toEqual({ ok: false, message: 'The port must be a whole number.' });
    expect(checkPort('-1')).toEqual({ ok: false, message: 'The port must be a whole number.' });
    expect(checkPort('4747.5')).toEqual({ ok: false, message: 'The port must be a whole number.' });
    expect(checkPort('70000')).toEqual({ ok: false, message: 'The port must be between 0 and 65535.' });
  });

  it('warns about privileged ports', () => {
    const r = checkPort('80');
    expect(r.ok && r.warning).toMatch(/administrator/);
  });
});

describe('checkTolerance', () => {
  it('takes seconds within bounds', () => {
    expect(checkTolerance('300')).toEqual({ ok: true, value: 300, warning: null });
    expect(checkTolerance('0').ok).toBe(false);
    expect(checkTolerance(String(31 * 24 * 3600)).ok).toBe(false);
  });

  it('warns when even first attempts would look stale', () => {
    const r = checkTolerance('5');
    expect(r.ok && r.warning).toMatch(/stale/);
  });
});

describe('checkReplyStatus', () => {
  it('accepts what Persona counts as delivered without a warning', () => {
    for (const s of ['200', '201', '202', '204']) expect(checkReplyStatus(s)).toMatchObject({ ok: true, warning: null });
  });

  it('warns that other statuses make Persona retry', () => {
    expect(checkReplyStatus('500')).toEqual({
      ok: true,
      value: 500,
      warning: 'Persona treats 500 as a failure and retries the delivery.',
    });
    expect(checkReplyStatus('199').ok).toBe(false);
    expect(checkReplyStatus('600').ok).toBe(false);
  });
});

describe('checkReplyDelay', () => {
  it('warns from 5 s, Persona’s timeout', () => {
    expect(checkReplyDelay('4999')).toEqual({ ok: true, value: 4999, warning: null });
    const r = checkReplyDelay('5000');
    expect(r.ok && r.warning).toMatch(/5 s/);
    expect(checkReplyDelay('60001').ok).toBe(false);
  });
});

describe('checkLabel', () => {
  it('requires a unique, short label', () => {
    expect(checkLabel('sandbox', ['current'])).toBeNull();
    expect(checkLabel('  ', [])).toMatch(/label/);
    expect(checkLabel('Current', ['current'])).toBe('A secret is already labelled "Current".');
    expect(checkLabel('x'.repeat(65), [])).toMatch(/64/);
  });
});

describe('checkSecretValue', () => {
  it('trims a pasted secret', () => {
    expect(checkSecretValue(' wbhsec_abc\n')).toEqual({ ok: true, value: 'wbhsec_abc', warning: null });
  });

  it('flags a missing prefix but accepts it', () => {
    const r = checkSecretValue('abc123');
    expect(r.ok).toBe(true);
    expect(r.ok && r.warning).toMatch(/wbhsec_/);
  });

  it('refuses empty values and several secrets at once', () => {
    expect(checkSecretValue('').ok).toBe(false);
    expect(checkSecretValue('wbhsec_a wbhsec_b')).toEqual({
      ok: false,
      message: 'A webhook secret has no spaces; paste one secret at a time.',
    });
  });
});

describe('checkDays', () => {
  it('accepts 1 to 36500 days', () => {
    expect(checkDays('1')).toEqual({ ok: true, value: 1, warning: null });
    expect(checkDays(' 30 ')).toEqual({ ok: true, value: 30, warning: null });
    expect(checkDays('36500')).toEqual({ ok: true, value: 36500, warning: null });
  });

  it('refuses 0 (that would be everything) and what is not a number of days', () => {
    expect(checkDays('0')).toEqual({ ok: false, message: 'The number of days must be between 1 and 36500.' });
    expect(checkDays('36501')).toEqual({ ok: false, message: 'The number of days must be between 1 and 36500.' });
    expect(checkDays('7d')).toEqual({ ok: false, message: 'The number of days must be a whole number.' });
    expect(checkDays('')).toEqual({ ok: false, message: 'Enter the number of days.' });
  });
});
