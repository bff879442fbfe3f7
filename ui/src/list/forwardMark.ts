// What the list shows of a capture's forward (the forward rule's latest attempt): a compact mark
// coloured by what Persona would make of the answer, whether a retry is coming and when, and the
// full words for its tooltip. Also which of two marks is the latest. Pure.

import type { FailureKind, ForwardMark, ForwardResult } from '../bindings.ts';
import { attemptTime, failureHeadline } from '../attempt/attemptView.ts';
import { isPersonaSuccess, LIMIT_S } from '../persona/facts.ts';
import { countdown, humanDuration } from '../format/duration.ts';
import type { Tone } from '../format/text.ts';

/** What a live forward result says about one capture: its latest mark, or why nothing was sent. */
export type LiveForward = { mark: ForwardMark; error: null } | { mark: null; error: string };

export interface MarkView {
  /** "→ 200", "→ 500 · retry 3/7 in 4 s", "✗ not listening". */
  text: string;
  tone: Tone;
  /** The same in sentences, for the tooltip. */
  title: string;
  outcome: 'delivered' | 'rejected' | 'slow' | 'unreachable' | 'not-sent';
  /** Another try is scheduled: the text counts down to it. */
  pending: boolean;
}

const FAILURE_SENTENCES: Record<FailureKind, string> = {
  not_listening: 'nothing is listening at the target — is your app running?',
  timeout: 'no answer came within the timeout',
  tls: 'the TLS handshake failed',
  dns: 'the target’s host name could not be resolved',
  connection: 'the connection failed before an answer came',
};

/**
 * When retry `n` (1-based) is due: "retry 3 in 4 s", or "retry 3 now" once it is past due. No
 * "of 7": the relay continues the capture's own count (src/relay/runtime.rs `first_step`), so how many
 * follow depends on the capture's Attempts-Left.
 */
export function retryDue(n: number, dueMs: number, now: number): string {
  const left = dueMs - now;
  return left <= 0 ? `retry ${n} now` : `retry ${n} in ${countdown(left)}`;
}

/**
 * Under a history row whose attempt the forward rule will follow with another:
 * "retry 3/7 due at 12:03:04 (in 4 s)".
 */
export function nextRetryText(a: { retry: number; next_retry_at_ms: number | null }, now: number): string | null {
  if (a.next_retry_at_ms === null) return null;
  const left = a.next_retry_at_ms - now;
  const when = left <= 0 ? 'due now' : `in ${countdown(left)}`;
  return `retry ${a.retry + 1} due at ${attemptTime(a.next_retry_at_ms, now)} (${when})`;
}

export function forwardMarkView(mark: ForwardMark, now: number): MarkView {
  const took = humanDuration(mark.duration_ms);
  const onRetry = mark.retry > 0 ? ` This was retry ${mark.retry}.` : '';
  const retryTag = mark.retry > 0 ? ` · retry ${mark.retry}` : '';

  if (mark.delivered && mark.status !== null) {
    return {
      text: `→ ${mark.status}${retryTag}`,
      tone: 'good',
      title: `Forwarded: ${mark.status} in ${took} — Persona would count this as delivered.${onRetry}`,
      outcome: 'delivered',
      pending: false,
    };
  }

  let what: string;
  let sentence: string;
  let outcome: MarkView['outcome'];
  if (mark.status !== null) {
    const slow = isPersonaSuccess(mark.status);
    what = slow ? `→ ${mark.status} slow` : `→ ${mark.status}`;
    sentence = slow
      ? `Forwarded: ${mark.status} after ${took} — too slow: Persona gives up after ${LIMIT_S} s and would retry.`
      : `Forwarded: ${mark.status} in ${took} — Persona would count this as a failure and retry.`;
    outcome = slow ? 'slow' : 'rejected';
  } else {
    const kind = mark.failure ?? 'connection';
    what = `✗ ${failureHeadline(kind)}`;
    sentence = `Forward failed after ${took}: ${FAILURE_SENTENCES[kind] ?? 'no answer came'}.`;
    outcome = 'unreachable';
  }

  if (mark.next_retry_at_ms !== null) {
    const next = mark.retry + 1;
    return {
      text: `${what} · ${retryDue(next, mark.next_retry_at_ms, now)}`,
      tone: 'warn',
      title: `${sentence}${onRetry} Retry ${next} is due at ${attemptTime(mark.next_retry_at_ms, now)}.`,
      outcome,
      pending: true,
    };
  }
  const after =
    ' No retry follows: Persona would make no more (the capture’s Attempts-Left is used up), retries are off, or the forward rule changed.';
  return { text: `${what}${retryTag}`, tone: 'bad', title: `${sentence}${onRetry}${after}`, outcome, pending: false };
}

/** A forward that could not be sent at all (the capture was purged, the secret removed…). */
export function notSentView(error: string): MarkView {
  return { text: '✗ not sent', tone: 'bad', title: `Not forwarded: ${error}`, outcome: 'not-sent', pending: false };
}

/**
 * What a row shows: the live result when it is the latest (a higher attempt id than the one the
 * row was read with, or a send that failed before any attempt was recorded), else the stored mark.
 * On a tie the stored copy wins: it was read after the store changed it (a retry called off).
 */
export function shownForward(stored: ForwardMark | null | undefined, live: LiveForward | undefined): LiveForward | null {
  if (live === undefined) return stored == null ? null : { mark: stored, error: null };
  if (live.mark === null) return live;
  if (stored != null && stored.redelivery_id >= live.mark.redelivery_id) return { mark: stored, error: null };
  return live;
}

/** Live results kept per delivery; beyond this the oldest are dropped (their rows hold a copy). */
export const LIVE_FORWARDS_MAX = 10_000;

/** `live` with `results` in it, the latest per delivery, at most `max` entries (oldest dropped). */
export function rememberForwards(
  live: ReadonlyMap<number, LiveForward>,
  results: readonly ForwardResult[],
  max: number = LIVE_FORWARDS_MAX,
): Map<number, LiveForward> {
  const next = new Map(live);
  for (const r of results) {
    const entry: LiveForward | null =
      r.mark !== null ? { mark: r.mark, error: null } : r.error !== null ? { mark: null, error: r.error } : null;
    if (entry === null) continue;
    const had = next.get(r.delivery_id);
    // An older attempt's result arriving late does not replace a newer one.
    if (entry.mark !== null && had?.mark != null && had.mark.redelivery_id > entry.mark.redelivery_id) continue;
    next.delete(r.delivery_id); // re-inserted last: Map order is age order
    next.set(r.delivery_id, entry);
  }
  for (const id of next.keys()) {
    if (next.size <= max) break;
    next.delete(id);
  }
  return next;
}
