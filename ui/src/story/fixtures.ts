// Test data for the story views (imported by tests only): one inquiry's events delivered out of
// order, one of them twice with another body, two outcomes and a status going back — judged as
// src/story/timeline.rs judges them.

import type { ChainCopy, Timeline, TimelineEntry } from '../bindings.ts';

const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);

function entry(
  id: number,
  name: string,
  createdS: number,
  rank: number,
  status: string,
  flags: TimelineEntry['flags'] = [],
  eventId = `evt_${id}`,
): TimelineEntry {
  const receivedMs = T0 + 60_000 + rank * 1000;
  return {
    delivery_id: id,
    event_id: eventId,
    event_name: name,
    event_created_at: new Date(T0 + createdS * 1000).toISOString(),
    received_at: new Date(receivedMs).toISOString(),
    received_at_ms: receivedMs,
    arrival_rank: rank,
    status,
    flags,
  };
}

/** Posted as: created, started, approved, completed, completed again (changed), failed. */
export function storyTimeline(): Timeline {
  const entries = [
    entry(1, 'inquiry.created', 0, 1, 'created'),
    entry(2, 'inquiry.started', 10, 2, 'pending'),
    entry(4, 'inquiry.completed', 20, 4, 'completed', ['out_of_order', 'status_regression'], 'evt_done'),
    entry(5, 'inquiry.completed', 20, 5, 'completed', ['out_of_order', 'duplicate', 'status_regression'], 'evt_done'),
    entry(3, 'inquiry.approved', 30, 3, 'approved', ['conflicting_outcome']),
    entry(6, 'inquiry.failed', 40, 6, 'failed', ['conflicting_outcome', 'status_regression']),
  ];
  return {
    resource: { type: 'inquiry', id: 'inq_story' },
    entries,
    total_entries: entries.length,
    mentioned_in: [7],
    mentions: [
      {
        delivery_id: 7,
        event_name: 'verification.passed',
        event_created_at: new Date(T0 + 15_000).toISOString(),
        about: { type: 'verification/government-id', id: 'ver_story' },
        via: 'relationship',
      },
    ],
    flags: [
      { flag: 'out_of_order', why: 'Why out of order.', delivery_ids: [4, 5] },
      { flag: 'duplicate', why: 'Why duplicate.', delivery_ids: [5] },
      { flag: 'conflicting_outcome', why: 'Why conflicting.', delivery_ids: [3, 6] },
      { flag: 'status_regression', why: 'Why regression.', delivery_ids: [4, 5, 6] },
    ],
    notes: [],
  };
}

export function copy(id: number, over: Partial<ChainCopy> = {}): ChainCopy {
  return {
    delivery_id: id,
    attempt: 1,
    attempts_left: 7,
    first_attempted_at: 1_800_000_000,
    received_at: '2027-01-15T08:00:00.000Z',
    received_at_ms: 1_800_000_000_000,
    seconds_since_previous: null,
    expected_seconds: null,
    same_body: true,
    ...over,
  };
}
