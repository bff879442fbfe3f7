// What the Overview says about when a delivery arrived: what was measured, and only the causes
// that fit the measurement. Each cause is checked against what the capture itself shows (its
// signature's time, its attempt headers, whether it was imported), so none is a guess stated as
// a fact. Persona's facts come from its webhook docs (its Webhooks overview: "Retry logic",
// "Retention policy"; the Headers of each webhook page in its API reference).

import type { AttemptHeaders, Source, Verdict } from '../bindings.ts';
import { parseRfc3339 } from './timing.ts';
import { formatDuration } from '../format/duration.ts';
import { LAST_RETRY_H, RETRY_DELAYS_S, scheduledOffset } from '../persona/facts.ts';

const DAY_MS = 86_400_000;
/** The last automatic attempt: about 51 h after the first. */
const SCHEDULE_END_MS = (scheduledOffset(RETRY_DELAYS_S.length + 1) ?? 0) * 1000;
/**
 * How long Persona keeps an event, after which neither it nor a person can send it again:
 * 30 days for events created after February 3, 2026, 90 before (Persona's Webhooks overview, "Retention policy").
 */
export function retentionMs(createdMs: number): number {
  return (createdMs > Date.UTC(2026, 1, 3) ? 30 : 90) * DAY_MS;
}
/** Clocks on two machines differ by this much without anything being wrong. */
const SKEW_MS = 5_000;
/** Below this a delay needs no explaining: one attempt's network and queueing time. */
const PROMPT_MS = 60_000;

/** What the timing notes read from a capture. */
export interface Timed {
  event_created_at: string | null;
  received_at_ms: number;
  attempts: AttemptHeaders;
  signature: Pick<Verdict, 'status' | 'stale' | 'timestamp'>;
  source?: Source;
}

export interface Delay {
  /** What was measured, in words. */
  text: string;
  /** The causes that fit the measurement; empty when it needs no explaining. */
  causes: string[];
  /** Something is off (clock skew, an unusable time, no cause that fits well). */
  warn: boolean;
  ms: number | null;
}

/**
 * A valid signature whose `t` is within the tolerance of the arrival was made, by someone
 * holding the secret, when this machine received it: this machine's clock agrees with the
 * signer's, and the request is not an old one sent again.
 */
function signedOnArrival(d: Timed): boolean {
  return d.signature.status === 'valid' && !d.signature.stale && d.signature.timestamp !== null;
}

/** "received 1.4 s after the event's created-at", and what fits a long or negative delay. */
export function eventDelay(d: Timed): Delay {
  const createdAt = d.event_created_at;
  if (createdAt === null || createdAt === '') {
    return { text: 'The event has no created-at, so the delay is unknown.', causes: [], warn: true, ms: null };
  }
  const created = parseRfc3339(createdAt);
  if (created === null) {
    return {
      text: `The event's created-at "${createdAt}" is not an RFC 3339 time.`,
      causes: [],
      warn: true,
      ms: null,
    };
  }
  const received = d.received_at_ms;
  if (!Number.isFinite(received) || received <= 0) {
    return { text: 'The arrival time is unknown.', causes: [], warn: true, ms: null };
  }
  const ms = received - created;
  const arrival = d.source === 'imported' ? 'the arrival time the imported file gives' : "this machine's clock at arrival";
  const measured = `${arrival} minus the event's created-at`;
  if (ms < 0) return early(d, ms, measured);
  const text = `received ${formatDuration(ms)} after the event was created (${measured})`;
  if (ms <= PROMPT_MS) return { text, causes: [], warn: false, ms };
  const causes = lateCauses(d, created, ms);
  const warn = ms > SCHEDULE_END_MS + DAY_MS || causes.length === 0;
  return { text, causes, warn, ms };
}

function lateCauses(d: Timed, created: number, ms: number): string[] {
  const causes: string[] = [];
  const first = d.attempts.first_attempted_at;
  const firstLate = first === null ? null : first * 1000 - created;
  const sinceFirst = first === null ? null : d.received_at_ms - first * 1000;
  if (firstLate !== null && firstLate > PROMPT_MS) {
    causes.push(
      `Persona's first attempt came ${formatDuration(firstLate)} after the event was created (its Persona-Webhook-First-Attempted-At)`,
    );
  }
  if (sinceFirst === null || sinceFirst > PROMPT_MS) {
    if (ms <= SCHEDULE_END_MS + DAY_MS) {
      causes.push(`Persona's automatic retries: the last comes about ${LAST_RETRY_H} h after the first attempt`);
    }
    if (ms <= retentionMs(created)) {
      causes.push(
        `a retry by hand from Persona's dashboard, possible after the last automatic attempt while Persona keeps the event (${retentionMs(created) / DAY_MS} days)`,
      );
    }
  }
  if (d.source === 'imported') {
    causes.push('an imported capture: its arrival time is what the file says, not when Persona sent it');
  } else if (!signedOnArrival(d)) {
    causes.push('an old request sent again by someone other than Persona (its signature is not valid and fresh)');
  }
  if (!signedOnArrival(d)) causes.push("a wrong clock on this machine (no valid signature's time to check it against)");
  return causes;
}

function early(d: Timed, ms: number, measured: string): Delay {
  const text = `received ${formatDuration(ms)} before the event was created (${measured})`;
  if (-ms <= SKEW_MS) {
    return { text, causes: ['two clocks that differ by a few seconds'], warn: true, ms };
  }
  const causes = signedOnArrival(d)
    ? ["the event's created-at: this machine's clock agrees with the signature's time"]
    : ["this machine's clock", "the event's created-at (an edited or made-up payload)"];
  return { text, causes: causes.map((c) => `a wrong time in ${c}`), warn: true, ms };
}

/** How far from a scheduled attempt an arrival may be and still fit it. */
function slackMs(offsetS: number, attempt: number): number {
  // "Approximately" (Persona's Webhooks overview), and each earlier attempt may have waited 5 s for an answer.
  return offsetS * 100 + (attempt - 1) * 5_000 + 10_000;
}

/**
 * The measured time since Persona's first attempt (its First-Attempted-At header) and which
 * attempt of Persona's schedule that fits; null when the header is absent.
 */
export function retryTiming(a: AttemptHeaders, receivedMs: number): string | null {
  if (a.first_attempted_at === null || !Number.isFinite(receivedMs)) return null;
  const since = receivedMs - a.first_attempted_at * 1000;
  if (since < -SKEW_MS) {
    return `Persona-Webhook-First-Attempted-At is ${formatDuration(since)} after this arrival: one of the two clocks is wrong.`;
  }
  const measured = `Arrived ${formatDuration(Math.max(since, 0))} after Persona's first attempt (its Persona-Webhook-First-Attempted-At)`;
  for (let n = 1; n <= RETRY_DELAYS_S.length + 1; n++) {
    const offset = scheduledOffset(n) ?? 0;
    if (Math.abs(since - offset * 1000) <= slackMs(offset, n)) {
      const when = n === 1 ? 'the first attempt itself' : `attempt ${n}, about ${formatDuration(offset * 1000)} after the first`;
      return `${measured}: that fits ${when} on Persona's retry schedule.`;
    }
  }
  if (since > SCHEDULE_END_MS) {
    return `${measured}: later than Persona's last automatic attempt (about ${LAST_RETRY_H} h); a retry by hand from Persona's dashboard fits.`;
  }
  return `${measured}: between the attempts of Persona's retry schedule; a retry by hand from Persona's dashboard, or a delay on the way (a proxy, a tunnel), fits.`;
}
