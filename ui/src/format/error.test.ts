import { describe, expect, it } from 'vitest';
import { errorText } from './error.ts';

describe('errorText', () => {
  it('shows a command error or Error by its message', () => {
    expect(errorText({ kind: 'store', message: 'database is locked' })).toBe('database is locked');
    expect(errorText(new Error('boom'))).toBe('boom');
  });

  it('shows strings and anything else readably', () => {
    expect(errorText('plain')).toBe('plain');
    expect(errorText({ code: 3 })).toBe('{"code":3}');
    expect(errorText(undefined)).toBe('undefined');
  });
});
