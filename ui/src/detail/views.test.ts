// Renders each tab to HTML in Node (no browser here) with Persona's documented example and with
// hostile input: the views must not throw, must show what matters, and must keep payload text inert.

import docsExample from '../../../tests/fixtures/docs-example.json?raw';
import docsInvalid from '../../../tests/fixtures/docs-example-invalid.json?raw';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Detail } from '../bindings.ts';
import { verdict } from '../list/fixtures.ts';
import { bodyOf } from './body.ts';
import { DeliveryDetail } from './DeliveryDetail.tsx';
import { HeadersTab } from './HeadersTab.tsx';
import { IncludedTab } from './IncludedTab.tsx';
import { parseJson } from './jsonParse.ts';
import { OverviewTab } from './OverviewTab.tsx';
import { PayloadTab } from './PayloadTab.tsx';
import { RawTab } from './RawTab.tsx';
import { SignatureTab } from './SignatureTab.tsx';

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

/** A body as the detail view holds it, from its text. */
const bodyFor = (text: string) => bodyOf(new TextEncoder().encode(text));

/** Persona's example with hostile and nested attributes on its first included resource. */
const docsWithAttributes = (() => {
  const doc = JSON.parse(docsExample);
  doc.data.attributes.payload.included[0].attributes = { name: 'Acme #1', evil: XSS, nested: { a: [1, 2] } };
  return JSON.stringify(doc);
})();

function detail(body: string, over: Partial<Detail> = {}): Detail {
  return {
    id: 7,
    received_at: '2019-09-09T22:46:29.000Z',
    received_at_ms: Date.UTC(2019, 8, 9, 22, 46, 29, 0),
    method: 'POST',
    path: '/webhooks/persona',
    query: 'a=1',
    remote_addr: '127.0.0.1:51234',
    outcome: 'captured',
    event_id: 'evt_XGuYWp7WuDzNxie5z16s7sGJ',
    event_name: 'inquiry.approved',
    event_created_at: '2019-09-09T22:46:27.598Z',
    event_group: 'Inquiry',
    known_event: true,
    resource: { type: 'inquiry', id: 'inq_2CVZ4HyVg7qaboXz2PUHknAn', status: 'approved' },
    signature: verdict({
      explanation: 'Signed with the secret "sandbox".',
      matched: { secret: 'sandbox', pair: 0, timestamp: 1_568_069_188 },
      pairs: [{ t: 1_568_069_188, v1: 'ab'.repeat(32) }],
      timestamp: 1_568_069_188,
    }),
    attempts: { made: 2, left: 6, first_attempted_at: 1_568_069_185 },
    body_size: new TextEncoder().encode(body).length,
    parse_error: null,
    event_deliveries: 2,
    headers: [
      ['content-type', 'application/json'],
      ['persona-signature', `t=1568069188,v1=${'ab'.repeat(32)}`],
      ['x-weird', '\uFFFD', '/w=='],
      ['x-evil', XSS],
    ],
    event_description: 'Occurs when an inquiry is approved.',
    relationships: [
      {
        name: 'template',
        to_many: false,
        targets: [
          { type: 'template', id: 'blu_biqYXr3aNfHuLeXUdJUNFNET', included: true, included_index: 0, primary: false, api: null },
        ],
      },
      {
        name: 'account',
        to_many: false,
        targets: [
          {
            type: 'account',
            id: 'act_123',
            included: false,
            included_index: null,
            primary: false,
            api: { path: '/api/v1/accounts/act_123', source: 'https://docs.withpersona.com/api-reference/accounts/retrieve-an-account' },
          },
        ],
      },
      { name: 'reports', to_many: true, targets: [] },
    ],
    included: [
      {
        type: 'template',
        id: 'blu_biqYXr3aNfHuLeXUdJUNFNET',
        status: null,
        relationships: [],
      },
    ],
    event_notes: ['data.type is "evnt", not "event"'],
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

function html(el: Parameters<typeof renderToString>[0]): string {
  // SSR separates adjacent text nodes with empty comments; they are not part of the text.
  return renderToString(el).replaceAll('<!-- -->', '');
}

function expectInert(out: string) {
  expect(out).not.toContain('<img');
  expect(out).not.toContain('<script');
  expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
}

describe('OverviewTab', () => {
  it('shows the event, its description, delay, attempt and request', () => {
    const out = html(createElement(OverviewTab, { detail: detail(docsExample) }));
    expect(out).toContain('inquiry.approved');
    expect(out).toContain('Occurs when an inquiry is approved.');
    expect(out).toContain('received 1.4 s after the event was created');
    expect(out).toContain('2 made, 6 left');
    expect(out).not.toContain(' of 8');
    expect(out).toContain('/webhooks/persona?a=1');
    expect(out).toContain('data.type is &quot;evnt&quot;');
    expect(out).toContain('2 stored deliveries carry this id');
  });

  it('explains a 413 and a body that is not JSON', () => {
    const big = html(
      createElement(OverviewTab, {
        detail: detail('', {
          outcome: 'too_large',
          body_size: 20_000_000,
          event_name: null,
          event_id: null,
          event_created_at: null,
          resource: null,
        }),
      }),
    );
    expect(big).toContain('413');
    expect(big).toContain('not kept');
    expect(big).toContain('unknown: the body was not kept');
    expect(big).not.toContain('not a Persona event envelope');
    const bad = html(
      createElement(OverviewTab, {
        detail: detail(docsInvalid, {
          parse_error: { message: 'expected `,` or `}`', line: 10, column: 11 },
        }),
      }),
    );
    expect(bad).toContain('line 10, column');
  });

  it('copes with every optional field absent', () => {
    const out = html(
      createElement(OverviewTab, {
        detail: detail('x', {
          event_name: null,
          event_id: null,
          event_created_at: null,
          event_description: null,
          resource: null,
          remote_addr: null,
          query: null,
          attempts: { made: null, left: null, first_attempted_at: null },
          event_notes: [],
        }),
      }),
    );
    expect(out).toContain('no created-at');
  });
});

describe('HeadersTab', () => {
  it('lists headers in order, marks non-UTF-8 values and keeps values inert', () => {
    const out = html(createElement(HeadersTab, { headers: detail('{}').headers }));
    expect(out.indexOf('content-type')).toBeLessThan(out.indexOf('persona-signature'));
    expect(out).toContain('not UTF-8');
    expect(out).toContain('/w==');
    expectInert(out);
  });
});

describe('SignatureTab', () => {
  it('renders the verdict, the pair and the signed string', () => {
    const d = detail(docsExample);
    const out = html(
      createElement(SignatureTab, {
        detail: d,
        body: bodyFor(docsExample),
        reload: async () => undefined,
        onSecretsChanged: () => undefined,
      }),
    );
    expect(out).toContain('data-testid="signature-verdict"');
    expect(out).toContain('data-status="valid"');
    expect(out).toContain('Matched the secret <strong>sandbox</strong>');
    expect(out).toContain('1568069188.{');
    expect(out).toContain('data-testid="detail-secret-add"');
  });

  it('shows the diagnosis of an invalid signature and shortens a big signed string', () => {
    const body = JSON.stringify({ pad: 'x'.repeat(10_000), evil: XSS });
    const d = detail(body, {
      signature: {
        ...detail('').signature,
        status: 'invalid',
        matched: null,
        explanation: 'No configured secret matches.',
        diagnosis: 'The body was re-serialized before hashing.',
      },
    });
    const out = html(
      createElement(SignatureTab, {
        detail: d,
        body: bodyFor(body),
        reload: async () => undefined,
        onSecretsChanged: () => undefined,
      }),
    );
    expect(out).toContain('Likely cause:');
    expect(out).toContain('characters not shown');
    expect(out.length).toBeLessThan(20_000);
    expectInert(out);
  });
});

describe('PayloadTab', () => {
  it('renders the tree with typed values and keeps markup inert', () => {
    const r = parseJson(JSON.stringify({ data: { id: 'evt_1', n: 3, ok: true, none: null, evil: XSS } }));
    if (!r.ok) throw new Error('fixture');
    const out = html(createElement(PayloadTab, { root: r.value, imprecise: false }));
    expect(out).toContain('data-testid="payload-tree"');
    expect(out).toContain('data-path="$.data.id"');
    expect(out).toContain('dt-v-number');
    expect(out).toContain('dt-v-boolean');
    expect(out).toContain('dt-v-null');
    expectInert(out);
  });

  it('renders a 5 MB payload as a handful of rows', () => {
    const included = Array.from({ length: 20_000 }, (_, i) => ({
      type: 'verification/government-id',
      id: `ver_${i}`,
      attributes: { status: 'passed', 'front-photo-url': 'https://example.com/'.padEnd(200, 'x') },
    }));
    const text = JSON.stringify({ data: { attributes: { payload: { data: {}, included } } } });
    expect(text.length).toBeGreaterThan(5_000_000);
    // What opening the Payload tab costs once the body's bytes have arrived: bytes → text →
    // JSON.parse → flatten → render.
    const bytes = new TextEncoder().encode(text);
    const t0 = performance.now();
    const body = bodyOf(bytes);
    const t1 = performance.now();
    const r = parseJson(body.text!);
    if (!r.ok) throw new Error('fixture');
    const t2 = performance.now();
    const out = html(createElement(PayloadTab, { root: r.value, imprecise: r.imprecise }));
    const t3 = performance.now();
    console.log(
      `5 MB payload: decode ${(t1 - t0).toFixed(1)} ms, parse ${(t2 - t1).toFixed(1)} ms, ` +
        `flatten + render (server) ${(t3 - t2).toFixed(1)} ms, total ${(t3 - t0).toFixed(1)} ms`,
    );
    expect(out.length).toBeLessThan(50_000);
  });
});

describe('IncludedTab', () => {
  it('renders cards, jump links, and the API path for what is not included', () => {
    const parsed = () => parseJson(docsWithAttributes);
    const out = html(createElement(IncludedTab, { detail: detail(docsWithAttributes), parsed }));
    expect(out).toContain('data-testid="included-card"');
    // The attributes come from the window's own parse of the body, by index.
    expect(out).toContain('Acme #1');
    expect(out).toContain('{&quot;a&quot;:[1,2]}');
    expect(out).toContain('data-type="template"');
    expect(out).toContain('data-id="blu_biqYXr3aNfHuLeXUdJUNFNET"');
    expect(out).toContain('data-testid="relationship-jump"');
    expect(out).toContain('GET /api/v1/accounts/act_123');
    // The account Persona left out gets a card of its own, marked as not included.
    expect(out).toMatch(/data-testid="included-card" data-type="account" data-id="act_123" data-included="false"/);
    expect(out).toContain('Included Allowlist');
    expect(out).toContain('empty list');
    expectInert(out);
  });

  it('makes up no path for an undocumented type, and does not call payload.data missing', () => {
    const relationships = [
      {
        name: 'device',
        to_many: false,
        targets: [{ type: 'device', id: 'dev_1', included: false, included_index: null, primary: false, api: null }],
      },
      {
        name: 'inquiry',
        to_many: false,
        targets: [{ type: 'inquiry', id: 'inq_1', included: false, included_index: null, primary: true, api: null }],
      },
    ];
    const out = html(
      createElement(IncludedTab, { detail: detail('{}', { relationships, included: [] }), parsed: () => parseJson('{}') }),
    );
    expect(out).toContain('data-testid="api-path-none"');
    expect(out).not.toContain('/api/v1/devices');
    expect(out).toContain('data-included="primary"');
    expect(out).toContain('the primary resource (payload.data)');
    // Only the device gets a "not included" card.
    expect(out.match(/data-testid="included-card"/g)).toHaveLength(1);
  });

  it('says so when nothing is included', () => {
    const out = html(
      createElement(IncludedTab, { detail: detail('{}', { included: [], relationships: [] }), parsed: () => null }),
    );
    expect(out).toContain('included-empty');
  });

  it('says why the cards have no attributes when the webview could not parse the body', () => {
    const out = html(
      createElement(IncludedTab, {
        detail: detail(docsExample),
        parsed: () => ({ ok: false as const, message: 'too deep' }),
      }),
    );
    expect(out).toContain('data-testid="included-no-attributes"');
    expect(out).toContain('too deep');
    expect(out).toContain('data-testid="included-card"');
  });
});

describe('RawTab', () => {
  it('shows the exact text, inert', () => {
    const body = bodyFor(`{"a":"${XSS}"}`);
    const out = html(createElement(RawTab, { body, parseError: null, parsed: () => parseJson(body.text!) }));
    expect(out).toContain('data-testid="raw-body"');
    expectInert(out);
  });

  it('points a caret at the parse error', () => {
    const body = bodyFor(docsInvalid);
    const out = html(
      createElement(RawTab, {
        body,
        parseError: { message: 'expected `,` or `}`', line: 10, column: 11 },
        parsed: () => null,
      }),
    );
    expect(out).toContain('data-testid="raw-parse-caret"');
    expect(out).toContain('          ^');
  });

  it('shows a hex dump for bytes that are not UTF-8', () => {
    const body = bodyOf(Uint8Array.from([0x7b, 0xff, 0x00, 0x7d]));
    const out = html(createElement(RawTab, { body, parseError: null, parsed: () => null }));
    expect(out).toContain('7b ff 00 7d');
    expect(out).toContain('{..}');
    expect(out).toContain('Copy as base64');
  });
});

describe('DeliveryDetail', () => {
  it('renders its tabs and a loading state before the fetch resolves', () => {
    const out = html(
      createElement(DeliveryDetail, {
        id: 3,
        onClose: () => undefined,
        onOpenDelivery: () => undefined,
        onSecretsChanged: () => undefined,
      }),
    );
    expect(out).toContain('data-testid="detail"');
    for (const t of ['overview', 'timeline', 'headers', 'signature', 'payload', 'included', 'raw', 'redeliver']) {
      expect(out).toContain(`data-testid="tab-${t}"`);
    }
    expect(out).toContain('Loading delivery 3');
  });
});
