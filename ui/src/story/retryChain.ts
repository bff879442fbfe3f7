// What the Overview's retry chain draws from `Detail.retry_chain` (src/story/retry_chain.rs): each
// stored copy of the event id in arrival order, its attempt headers, the time since the copy
// before against what Persona's schedule puts there, whether its body is the first copy's, and
// the attempts no copy carries, in their place. Pure, so Vitest runs it in Node.

import type { ChainCopy } from '../bindings.ts';
import { formatDuration } from '../format/duration.ts';
import { attemptText } from '../format/text.ts';
import { formatUtc } from '../detail/timing.ts';
import { LIMIT_S } from '../persona/facts.ts';

/** How a measured gap compares with Persona's wait. */
export type GapFit = 'fits' | 'sooner' | 'later';

export interface CopyRow {
  kind: 'copy';
  deliveryId: number;
  attempt: number | null;
  /** "2 made, 6 left", or null without the headers. */
  attempts: string | null;
  received: string;
  /** "3.2 s", or null for the first copy. */
  since: string | null;
  expectedSeconds: number | null;
  /** "about 3 s", or why there is no expectation. */
  expected: string;
  fit: GapFit | null;
  fitText: string | null;
  sameBody: boolean;
  current: boolean;
}

export interface MissingRow {
  kind: 'missing';
  attempts: number[];
  text: string;
}

export type ChainRow = CopyRow | MissingRow;

/**
 * The gap between two arrivals is Persona's wait, "approximately" (its Webhooks overview, "Retry
 * logic"), plus however long the earlier attempt waited for its answer (at most Persona's limit),
 * give or take a second on the way.
 */
export function gapFit(sinceS: number, expectedS: number): GapFit {
  const slack = expectedS * 0.1 + 1;
  if (sinceS < expectedS - slack) return 'sooner';
  if (sinceS > expectedS + slack + LIMIT_S) return 'later';
  return 'fits';
}

const FIT_TEXT: Record<GapFit, string> = {
  fits: "fits Persona's schedule",
  sooner: "sooner than Persona's schedule waits: not a retry Persona timed",
  later: "later than Persona's schedule: a retry by hand, or a delay on the way",
};

/** "attempt 3", "attempts 3 and 4", "attempts 3, 4 and 5". */
export function attemptsText(ns: readonly number[]): string {
  if (ns.length === 1) return `attempt ${ns[0]}`;
  return `attempts ${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;
}

/** Persona's waits as its schedule gives them: "3 s", "64 s"; longer ones as "12 min 9 s". */
function waitText(s: number): string {
  return Number.isInteger(s) && s < 100 ? `${s} s` : formatDuration(s * 1000);
}

function expectedText(copy: ChainCopy, previous: ChainCopy | undefined): string {
  if (copy.expected_seconds !== null) return `about ${waitText(copy.expected_seconds)}`;
  if (previous === undefined) return '—';
  if (copy.attempt === null || previous.attempt === null) return 'unknown: no attempt number';
  if (copy.attempt <= previous.attempt) return 'none: the attempt number does not go up';
  return "unknown: past Persona's schedule";
}

/** The copies in arrival order, with a row for the missing attempts between two that skip them. */
export function chainRows(copies: readonly ChainCopy[], missing: readonly number[], currentId: number): ChainRow[] {
  const rows: ChainRow[] = [];
  copies.forEach((c, i) => {
    const previous = copies[i - 1];
    if (previous?.attempt != null && c.attempt !== null) {
      const low = previous.attempt;
      const high = c.attempt;
      const skipped = missing.filter((n) => n > low && n < high);
      if (skipped.length > 0) {
        rows.push({ kind: 'missing', attempts: skipped, text: `${attemptsText(skipped)}: no copy stored` });
      }
    }
    const fit =
      c.seconds_since_previous === null || c.expected_seconds === null
        ? null
        : gapFit(c.seconds_since_previous, c.expected_seconds);
    rows.push({
      kind: 'copy',
      deliveryId: c.delivery_id,
      attempt: c.attempt,
      attempts: attemptText({ made: c.attempt, left: c.attempts_left, first_attempted_at: c.first_attempted_at }),
      received: formatUtc(c.received_at_ms) ?? c.received_at,
      since: c.seconds_since_previous === null ? null : formatDuration(c.seconds_since_previous * 1000),
      expectedSeconds: c.expected_seconds,
      expected: expectedText(c, previous),
      fit,
      fitText: fit === null ? null : FIT_TEXT[fit],
      sameBody: c.same_body,
      current: c.delivery_id === currentId,
    });
  });
  return rows;
}
