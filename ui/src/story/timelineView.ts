// What the Timeline tab draws from a resource's timeline (src/story/timeline.rs): one row per
// delivery in the order Persona created the events, where each came in the order of arrival, the
// flags with their labels and Rust's one-sentence reasons, and the deliveries that only mention
// the resource. Pure, so Vitest runs it in Node.

import type { Mention, Timeline, TimelineEntry, TimelineFlag } from '../bindings.ts';
import { formatUtc, parseRfc3339 } from '../detail/timing.ts';

export const FLAG_LABELS: Record<TimelineFlag, string> = {
  out_of_order: 'out of order',
  duplicate: 'duplicate',
  conflicting_outcome: 'conflicting outcome',
  status_regression: 'status regression',
};

/** Two final outcomes need a decision; the others a careful handler absorbs. */
export const FLAG_TONES: Record<TimelineFlag, 'bad' | 'warn'> = {
  out_of_order: 'warn',
  duplicate: 'warn',
  conflicting_outcome: 'bad',
  status_regression: 'warn',
};

export interface FlagView {
  flag: TimelineFlag;
  label: string;
  tone: 'bad' | 'warn';
  /** Why it matters to a handler (Rust's sentence); empty when the timeline gave none. */
  why: string;
}

export interface TimelineRow {
  deliveryId: number;
  eventName: string | null;
  eventId: string | null;
  /** "2026-05-01 10:00:20.000" (UTC), the text as sent when it is no RFC 3339 time, or null. */
  created: string | null;
  createdRaw: string | null;
  received: string;
  rank: number;
  /** "4th": when it arrived among the rows. */
  rankText: string;
  /** Where the rank sits on the arrival lane: 0 arrived first, 1 last. */
  lane: number;
  /** How many rows of events Persona created later had arrived before this one. */
  overtakenBy: number;
  status: string | null;
  flags: FlagView[];
  /** The delivery open in the detail. */
  current: boolean;
}

export interface MentionRow {
  deliveryId: number;
  eventName: string | null;
  created: string | null;
  about: { type: string; id: string } | null;
  /** Where it names the resource, in words. */
  via: string;
  current: boolean;
}

export interface TimelineView {
  rows: TimelineRow[];
  /** Every row arrived in the order Persona created the events (ties aside). */
  inOrder: boolean;
  /** The flags present, in Rust's order, with the deliveries that carry each. */
  legend: (FlagView & { deliveryIds: number[] })[];
  mentions: MentionRow[];
}

/** "1st", "2nd", "3rd", "4th", "11th", "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** A created-at for reading: in UTC when it is an RFC 3339 time, else as sent. */
function createdText(raw: string | null): string | null {
  if (raw === null) return null;
  return formatUtc(parseRfc3339(raw)) ?? raw;
}

/** 0 for the first of `total` ranks, 1 for the last; the middle when there is one. */
export function lanePosition(rank: number, total: number): number {
  if (total <= 1) return 0.5;
  return Math.min(Math.max((rank - 1) / (total - 1), 0), 1);
}

/**
 * For each entry, how many entries about events created strictly later (as instants) arrived
 * before it. Entries without a usable created-at count for nothing, as in Rust's judgement.
 */
export function overtaken(entries: readonly TimelineEntry[]): number[] {
  const created = entries.map((e) => (e.event_created_at === null ? null : parseRfc3339(e.event_created_at)));
  return entries.map((e, i) => {
    const mine = created[i] ?? null;
    if (mine === null) return 0;
    return entries.filter((o, j) => {
      const theirs = created[j] ?? null;
      return theirs !== null && theirs > mine && o.arrival_rank < e.arrival_rank;
    }).length;
  });
}

const VIA: Record<Mention['via'], string> = {
  relationship: 'a relationship of its payload.data',
  included: 'payload.included',
};

export function timelineView(t: Timeline, currentId: number | null): TimelineView {
  const why = new Map(t.flags.map((n) => [n.flag, n.why]));
  const flagView = (flag: TimelineFlag): FlagView => ({
    flag,
    label: FLAG_LABELS[flag],
    tone: FLAG_TONES[flag],
    why: why.get(flag) ?? '',
  });
  const behind = overtaken(t.entries);
  const rows = t.entries.map(
    (e, i): TimelineRow => ({
      deliveryId: e.delivery_id,
      eventName: e.event_name,
      eventId: e.event_id,
      // The column's head says UTC.
      created: createdText(e.event_created_at)?.replace(/ UTC$/, '') ?? null,
      createdRaw: e.event_created_at,
      received: formatUtc(e.received_at_ms) ?? e.received_at,
      rank: e.arrival_rank,
      rankText: ordinal(e.arrival_rank),
      lane: lanePosition(e.arrival_rank, t.entries.length),
      overtakenBy: behind[i] ?? 0,
      status: e.status,
      flags: e.flags.map(flagView),
      current: e.delivery_id === currentId,
    }),
  );
  return {
    rows,
    inOrder: behind.every((n) => n === 0),
    legend: t.flags.map((n) => ({ ...flagView(n.flag), deliveryIds: n.delivery_ids })),
    mentions: t.mentions.map((m) => ({
      deliveryId: m.delivery_id,
      eventName: m.event_name,
      created: createdText(m.event_created_at),
      about: m.about,
      via: VIA[m.via],
      current: m.delivery_id === currentId,
    })),
  };
}

/** "arrived after 2 events created later", or null when none overtook it. */
export function overtakenText(n: number): string | null {
  if (n <= 0) return null;
  return `arrived after ${n === 1 ? '1 event' : `${n} events`} created later`;
}

/** What the tab says when the resource has no rows. */
export function emptyText(id: string, mentions: number): string {
  if (mentions === 0) {
    return `No stored delivery is about ${id}, and none names it. Check the id: the list's resource filter shows which ones are stored.`;
  }
  return `No stored delivery is about ${id} itself (as its payload.data); ${
    mentions === 1 ? '1 names it' : `${mentions} name it`
  }, listed below.`;
}
