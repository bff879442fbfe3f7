import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, type Attempt, type SampleSent } from '../bindings.ts';
import { MAX_DELAY_MS } from '../settings/validate.ts';
import { buildRequest, listenerTimeout, sampleProblems, secretChoice, type SampleForm } from './sampleRequest.ts';
import { SampleResult } from './SampleResult.tsx';

const form: SampleForm = {
  event: 'report/watchlist.matched',
  to: 'here',
  url: '',
  timeout: '5000',
  secret: 'sandbox',
  casing: 'kebab',
  emptyIncluded: false,
  resourceId: '',
};

describe('buildRequest', () => {
  it('sends to this inspector with a timeout covering the reply delay, a blank resource id left out', () => {
    const built = buildRequest({ ...form, url: 'not a url', timeout: 'x', resourceId: '   ' }, 2000);
    expect(built).toEqual({
      ok: true,
      request: {
        event: 'report/watchlist.matched',
        target: null,
        secret: 'sandbox',
        casing: 'kebab',
        empty_included: false,
        resource_id: null,
        timeout_ms: 2000 + DEFAULT_TIMEOUT_MS,
      },
    });
  });

  it('sends to a URL with the typed timeout, the casing, the empty included and the trimmed resource id', () => {
    const built = buildRequest(
      { ...form, to: 'url', url: ' http://127.0.0.1:3000/hooks ', timeout: ' 1500 ', casing: 'snake', emptyIncluded: true, resourceId: ' rep_1 ', secret: null },
      null,
    );
    expect(built).toEqual({
      ok: true,
      request: {
        event: 'report/watchlist.matched',
        target: 'http://127.0.0.1:3000/hooks',
        secret: null,
        casing: 'snake',
        empty_included: true,
        resource_id: 'rep_1',
        timeout_ms: 1500,
      },
    });
  });

  it('refuses without an event, and a URL or timeout that would not do, saying what to type', () => {
    const built = buildRequest({ ...form, event: null, to: 'url', url: 'localhost:3000', timeout: '0' }, null);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems.event).toMatch(/Pick an event/);
    expect(built.problems.target).toMatch(/http:\/\/localhost:3000/);
    expect(built.problems.timeout).toMatch(/between 1 and/);
  });

  it('checks the URL and timeout only when sending to a URL', () => {
    expect(sampleProblems({ ...form, url: '', timeout: '' })).toEqual({ event: null, target: null, timeout: null });
    expect(sampleProblems({ ...form, to: 'url', url: '' }).target).toMatch(/Give a URL/);
  });
});

describe('listenerTimeout', () => {
  it('waits out the reply delay, or the longest one when it is not known, and Persona’s limit', () => {
    expect(listenerTimeout(0)).toBe(DEFAULT_TIMEOUT_MS);
    expect(listenerTimeout(null)).toBe(MAX_DELAY_MS + DEFAULT_TIMEOUT_MS);
  });
});

describe('secretChoice', () => {
  it('keeps the secret chosen before while it is saved, else the first saved one, else none', () => {
    expect(secretChoice(['a', 'b'], 'b')).toBe('b');
    expect(secretChoice(['a', 'b'], 'gone')).toBe('a');
    expect(secretChoice(['a'], null)).toBe('a');
    expect(secretChoice([], 'gone')).toBeNull();
  });
});

// ---- the result, rendered ---------------------------------------------------------------------

const XSS = '<img src=x onerror=alert(1)>';

function attempt(over: Partial<Attempt> = {}): Attempt {
  return {
    origin: 'manual',
    retry: 0,
    next_retry_at_ms: null,
    started_at: '2026-01-01T00:00:00.000Z',
    started_at_ms: Date.UTC(2026, 0, 1),
    target: 'http://127.0.0.1:3000/hooks',
    method: 'POST',
    url: 'http://127.0.0.1:3000/hooks',
    headers: [['persona-signature', 't=1,v1=ab']],
    edited_body_base64: null,
    body_size: 2048,
    signing: { mode: 'resign', secret: 'sandbox' },
    signing_note: null,
    timeout_ms: 5000,
    duration_ms: 12,
    answer: { status: 202, reason: 'Accepted', headers: [], body_base64: '', truncated: false, persona_success: true },
    failure: null,
    ...over,
  };
}

function sent(over: Partial<SampleSent> = {}): SampleSent {
  return {
    sample: {
      event_name: 'report/watchlist.matched',
      event_id: 'evt_1',
      resource: { type: 'report/watchlist', id: `rep_${XSS}` },
      created_at: '2026-01-01T00:00:00.000Z',
    },
    attempt: attempt(),
    delivery_id: null,
    ...over,
  };
}

const html = (s: SampleSent, example = false) =>
  renderToString(createElement(SampleResult, { sent: s, example, onKeepResource: () => undefined })).replaceAll('<!-- -->', '');

describe('SampleResult', () => {
  it('names the delivery a sample sent here was stored as', () => {
    const out = html(sent({ delivery_id: 12 }));
    expect(out).toContain('data-outcome="stored"');
    expect(out).toContain('data-delivery-id="12"');
    expect(out).toContain('#12');
    expect(out).toContain('signed with “sandbox”');
    expect(out).not.toContain('sample-attempt-row');
  });

  it('shows a send to a URL as a re-delivery row, its resource id inert', () => {
    const out = html(sent(), true);
    expect(out).toContain('data-testid="sample-attempt-row"');
    expect(out).toContain('data-outcome="success"');
    expect(out).toContain('data-status="202"');
    expect(out).toContain('202 Accepted');
    expect(out).toContain('signed with the example secret');
    expect(out).toContain('rep_&lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toContain('<img');
  });

  it('says why no answer came', () => {
    const out = html(sent({ attempt: attempt({ answer: null, failure: { kind: 'not_listening', message: 'nothing is listening on 127.0.0.1:9' } }) }));
    expect(out).toContain('data-outcome="no-answer"');
    expect(out).toContain('not listening');
    expect(out).toContain('Nothing is listening on 127.0.0.1:9');
  });
});
