// The Re-deliver tab's views rendered to HTML in Node: the form's test ids, the history's rows
// (colour, failure sentence, expanded details) and the editor, with hostile text kept inert.

import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Detail, Redelivery } from '../bindings.ts';
import { verdict } from '../list/fixtures.ts';
import { bodyOf, bytesToBase64 } from './body.ts';
import { EditRequest, type EditRequestProps } from './EditRequest.tsx';
import { rowsFromHeaders } from './headerRows.ts';
import { RedeliverTab } from './RedeliverTab.tsx';
import { RedeliveryHistory } from './RedeliveryHistory.tsx';
import { textToBase64 } from '../send/redeliverOptions.ts';

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

function html(el: Parameters<typeof renderToString>[0]): string {
  return renderToString(el).replaceAll('<!-- -->', '');
}

function expectInert(out: string) {
  expect(out).not.toContain('<img');
  expect(out).not.toContain('<script');
  expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
}

const BODY = '{"data":{"type":"event","id":"evt_1"}}';

function detail(over: Partial<Detail> = {}): Detail {
  return {
    id: 7,
    received_at: '2026-01-01T00:00:00.000Z',
    received_at_ms: Date.UTC(2026, 0, 1),
    method: 'POST',
    path: '/webhooks/persona',
    query: 'a=1',
    remote_addr: '127.0.0.1:51234',
    outcome: 'captured',
    event_id: 'evt_1',
    event_name: 'inquiry.approved',
    event_created_at: null,
    event_group: 'Inquiry',
    known_event: true,
    resource: null,
    signature: verdict({ timestamp: 1_767_225_600 }),
    attempts: { made: 1, left: 7, first_attempted_at: null },
    body_size: BODY.length,
    parse_error: null,
    event_deliveries: 1,
    headers: [
      ['content-type', 'application/json'],
      ['persona-signature', 't=1767225600,v1=abcd'],
    ],
    event_description: null,
    relationships: [],
    included: [],
    event_notes: [],
    retry_chain: [],
    retry_chain_missing_attempts: [],
    retry_chain_notes: [],
    source_ip: '35.232.44.140',
    source_ip_listed: true,
    source_ip_note: 'the address the proxy on this machine (ngrok) put in X-Forwarded-For',
    reply_status: 200,
    ...over,
  };
}

function attempt(id: number, over: Partial<Redelivery> = {}): Redelivery {
  return {
    id,
    delivery_id: 7,
    origin: 'manual',
    retry: 0,
    next_retry_at_ms: null,
    started_at: '2026-01-01T00:00:01.000Z',
    started_at_ms: Date.UTC(2026, 0, 1, 0, 0, id),
    target: 'http://127.0.0.1:3000/hooks',
    method: 'POST',
    url: 'http://127.0.0.1:3000/hooks',
    headers: [
      ['content-type', 'application/json'],
      ['x-evil', XSS],
    ],
    edited_body_base64: null,
    body_size: BODY.length,
    signing: { mode: 'keep' },
    signing_note: null,
    timeout_ms: 5000,
    duration_ms: 12.3,
    answer: {
      status: 200,
      reason: 'OK',
      headers: [['x-answer', XSS]],
      body_base64: textToBase64(`{"echo":"${XSS}"}`),
      truncated: false,
      persona_success: true,
    },
    failure: null,
    ...over,
  };
}

describe('RedeliverTab', () => {
  it('renders the form with its test ids before anything is fetched', () => {
    const d = detail();
    const out = html(
      createElement(RedeliverTab, { detail: d, storedBody: () => ({ ok: true as const, body: bodyOf(new TextEncoder().encode(BODY)) }) }),
    );
    for (const t of ['redeliver-target', 'redeliver-keep-path', 'redeliver-signing', 'redeliver-timeout', 'redeliver-send', 'redeliver-edit', 'redelivery-history']) {
      expect(out, t).toContain(`data-testid="${t}"`);
    }
    expect(out).toContain('/webhooks/persona?a=1');
    expect(out).toContain('value="5000"');
    expect(out).toContain('value="keep"');
  });
});

describe('RedeliveryHistory', () => {
  const base = { loading: false, error: null, onRetry: () => undefined, fresh: null, onToggle: () => undefined };

  it('shows a row per attempt: status coloured by Persona’s verdict, failures in words', () => {
    const list = [
      attempt(3, {
        answer: null,
        duration_ms: 0.6,
        failure: { kind: 'not_listening', message: `nothing is listening on 127.0.0.1:9 — is your app running? ${XSS}` },
      }),
      attempt(2, {
        signing: { mode: 'resign', secret: 'current' },
        answer: { ...attempt(0).answer!, status: 500, reason: 'Internal Server Error', persona_success: false },
      }),
      attempt(1, {
        edited_body_base64: textToBase64('{}'),
        signing_note: `sent with its original signature: not re-signed because its signature is invalid ${XSS}`,
      }),
    ];
    const out = html(createElement(RedeliveryHistory, { ...base, list, openIds: new Set<number>() }));
    expect(out.match(/data-testid="redelivery-row"/g)).toHaveLength(3);
    expect(out).toContain('data-outcome="no-answer"');
    expect(out).toContain('Nothing is listening on 127.0.0.1:9 — is your app running?');
    expect(out).toContain('rd-tone-bad');
    expect(out).toContain('500 Internal Server Error');
    expect(out).toContain('re-signed with “current”');
    expect(out).toContain('rd-tone-good');
    expect(out).toContain('200 OK');
    expect(out).toContain('edited body');
    expect(out).toContain('Sent with its original signature: not re-signed because its signature is invalid');
    expect(out).toContain('12 ms');
    expect(out.indexOf('data-id="3"')).toBeLessThan(out.indexOf('data-id="1"'));
    expectInert(out);
    expect(out).not.toContain('data-testid="redelivery-details"');
  });

  it('expands a row to the headers sent and the answer, inert', () => {
    const out = html(createElement(RedeliveryHistory, { ...base, list: [attempt(1)], openIds: new Set([1]) }));
    expect(out).toContain('data-testid="redelivery-details"');
    expect(out).toContain('Headers sent');
    expect(out).toContain('x-answer');
    expect(out).toContain('data-testid="redelivery-response-body"');
    expect(out).toContain('&quot;echo&quot;');
    expect(out).toContain('The stored body, unchanged');
    expectInert(out);
  });

  it('shows a binary answer as hex and says when it was cut', () => {
    const answer = { ...attempt(0).answer!, body_base64: bytesToBase64(new Uint8Array([0xff, 0xfe, 0x41])), truncated: true };
    const out = html(createElement(RedeliveryHistory, { ...base, list: [attempt(1, { answer })], openIds: new Set([1]) }));
    expect(out).toContain('ff fe 41');
    expect(out).toContain('not UTF-8');
    expect(out).toContain('first 1 MiB');
  });

  it('says when there is nothing yet, and when the history could not be read', () => {
    expect(html(createElement(RedeliveryHistory, { ...base, list: [], openIds: new Set<number>() }))).toContain('Not re-delivered yet');
    expect(html(createElement(RedeliveryHistory, { ...base, list: [], error: 'store gone', openIds: new Set<number>() }))).toContain('store gone');
  });
});

describe('EditRequest', () => {
  const props = (over: Partial<EditRequestProps> = {}): EditRequestProps => ({
    body: BODY,
    bodyLocked: null,
    bodyNotKept: false,
    hasCarriageReturns: false,
    bodyChanged: false,
    headersChanged: false,
    rows: rowsFromHeaders([...detail().headers, ['x-evil', XSS]]),
    resigning: true,
    onBody: () => undefined,
    onRows: () => undefined,
    onResetBody: () => undefined,
    onResetHeaders: () => undefined,
    ...over,
  });

  it('shows the body and a row per header, values as input values', () => {
    const out = html(createElement(EditRequest, props()));
    expect(out).toContain('data-testid="redeliver-body"');
    expect(out.match(/data-testid="redeliver-header-row"/g)).toHaveLength(3);
    expect(out).toContain('Valid JSON');
    expect(out).toContain('persona-signature is replaced');
    expectInert(out);
  });

  it('warns about invalid JSON with a caret, and still allows it', () => {
    const out = html(createElement(EditRequest, props({ body: '{"a": 1,}', bodyChanged: true })));
    expect(out).toContain('data-valid="false"');
    expect(out).toContain('trailing comma');
    expect(out).toContain('It can still be sent');
    expect(out).toContain('dt-caret');
  });

  it('locks a body that is not UTF-8 and says why', () => {
    const out = html(createElement(EditRequest, props({ body: null, bodyLocked: 'The body is not valid UTF-8.' })));
    expect(out).toContain('data-testid="redeliver-body-locked"');
    expect(out).not.toContain('data-testid="redeliver-body"');
  });
});
