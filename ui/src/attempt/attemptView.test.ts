import { describe, expect, it } from 'vitest';
import type { Answer, Attempt, Redelivery } from '../bindings.ts';
import { attemptTime, attemptView, mergeHistory, newestFirst, originText, signingText, withAttempt } from './attemptView.ts';

const answer = (over: Partial<Answer> = {}): Answer => ({
  status: 200,
  reason: 'OK',
  headers: [],
  body_base64: '',
  truncated: false,
  persona_success: true,
  ...over,
});

const attempt = (over: Partial<Attempt> = {}): Attempt => ({
  origin: 'manual',
  retry: 0,
  next_retry_at_ms: null,
  started_at: '2026-01-01T00:00:00.000Z',
  started_at_ms: 0,
  target: 'http://127.0.0.1:3000',
  method: 'POST',
  url: 'http://127.0.0.1:3000/',
  headers: [],
  edited_body_base64: null,
  body_size: 10,
  signing: { mode: 'keep' },
  signing_note: null,
  timeout_ms: 5000,
  duration_ms: 12,
  answer: answer(),
  failure: null,
  ...over,
});

const row = (id: number, ms: number): Redelivery => ({ id, delivery_id: 1, ...attempt({ started_at_ms: ms }) });

describe('attemptView', () => {
  it('is good when Persona would accept the answer', () => {
    expect(attemptView(attempt())).toEqual({ tone: 'good', headline: '200 OK', note: null, outcome: 'success' });
    expect(attemptView(attempt({ answer: answer({ status: 204, reason: 'No Content' }) })).tone).toBe('good');
  });

  it('is bad for a status Persona retries, saying so', () => {
    const v = attemptView(attempt({ answer: answer({ status: 500, reason: 'Internal Server Error', persona_success: false }) }));
    expect(v).toMatchObject({ tone: 'bad', headline: '500 Internal Server Error', outcome: 'http-failure' });
    expect(v.note).toMatch(/retry/);
  });

  it('warns when a success status came too late for Persona', () => {
    const v = attemptView(attempt({ duration_ms: 6200, answer: answer({ persona_success: false }) }));
    expect(v).toMatchObject({ tone: 'warn', outcome: 'slow', note: expect.stringMatching(/5 s/) });
  });

  it('shows a status without a reason phrase as the bare number', () => {
    expect(attemptView(attempt({ answer: answer({ status: 299, reason: null, persona_success: false }) })).headline).toBe('299');
  });

  it('gives the plain-language failure when nothing answered', () => {
    const v = attemptView(
      attempt({
        answer: null,
        duration_ms: 0.4,
        failure: { kind: 'not_listening', message: 'nothing is listening on 127.0.0.1:3000 — is your app running?' },
      }),
    );
    expect(v).toEqual({
      tone: 'bad',
      headline: 'not listening',
      note: 'Nothing is listening on 127.0.0.1:3000 — is your app running?',
      outcome: 'no-answer',
    });
    expect(attemptView(attempt({ answer: null, failure: { kind: 'timeout', message: 'no answer within 5 s' } })).headline).toBe('timed out');
  });
});

describe('signingText', () => {
  it('names the mode and the secret', () => {
    expect(signingText({ mode: 'keep' })).toBe('signature kept');
    expect(signingText({ mode: 'resign', secret: 'current' })).toBe('re-signed with “current”');
  });
});

describe('attemptTime', () => {
  it('is the time of day today, with the date on another day', () => {
    const now = new Date(2026, 10, 22, 18, 0, 0).getTime();
    expect(attemptTime(new Date(2026, 10, 22, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(attemptTime(new Date(2026, 10, 21, 23, 59, 59).getTime(), now)).toBe('2026-11-21 23:59:59');
  });
});

describe('history order', () => {
  it('is newest first, ties by id', () => {
    expect(newestFirst([row(1, 10), row(3, 30), row(2, 30)]).map((r) => r.id)).toEqual([3, 2, 1]);
  });

  it('puts a new attempt on top and replaces one with the same id', () => {
    const list = [row(2, 20), row(1, 10)];
    expect(withAttempt(list, row(3, 30)).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(withAttempt(list, row(2, 20))).toHaveLength(2);
  });

  it('keeps local sends the store did not return yet when merging', () => {
    expect(mergeHistory([row(2, 20), row(1, 10)], [row(3, 30), row(2, 20)]).map((r) => r.id)).toEqual([3, 2, 1]);
  });
});

describe('originText', () => {
  it('names who sent it: nothing for a manual send, bulk, the forward rule or its n-th retry', () => {
    expect(originText({ origin: 'manual', retry: 0 })).toBeNull();
    expect(originText({ origin: 'bulk', retry: 0 })).toBe('bulk');
    expect(originText({ origin: 'forward', retry: 0 })).toBe('forward');
    expect(originText({ origin: 'forward', retry: 2 })).toBe('retry 2');
  });
});
