// Test data: a Summary with overridable fields (imported by tests only).

import type { Summary, Verdict } from '../bindings.ts';

/** A valid verdict by the secret "current" at t = 1720713905, with overridable fields. */
export function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    status: 'valid',
    explanation: 'Signed with the secret "current".',
    diagnosis: null,
    matched: { secret: 'current', pair: 0, timestamp: 1_720_713_905 },
    pairs: [{ t: 1_720_713_905, v1: 'ab'.repeat(32) }],
    timestamp: 1_720_713_905,
    age_seconds: 1,
    stale: false,
    stale_note: null,
    tolerance_seconds: 300,
    ...over,
  };
}

export function summary(id: number, over: Partial<Summary> = {}): Summary {
  return {
    id,
    received_at: '2024-07-11T16:05:05.123Z',
    received_at_ms: 1_720_713_905_123,
    method: 'POST',
    path: '/',
    query: null,
    remote_addr: '127.0.0.1:50000',
    outcome: 'captured',
    event_id: `evt_${id}`,
    event_name: 'inquiry.completed',
    event_created_at: '2024-07-11T16:05:05.000Z',
    event_group: 'Inquiry',
    known_event: true,
    resource: { type: 'inquiry', id: `inq_${id}`, status: 'completed' },
    signature: verdict({ age_seconds: 0 }),
    attempts: { made: 1, left: 7, first_attempted_at: 1_720_713_905 },
    body_size: 1234,
    parse_error: null,
    event_deliveries: 1,
    ...over,
  };
}

/** Summaries with ids `from` down to `to`, newest first, like a page from the store. */
export function rows(from: number, to: number, over: Partial<Summary> = {}): Summary[] {
  const out: Summary[] = [];
  for (let id = from; id >= to; id--) out.push(summary(id, over));
  return out;
}
