// Persona's facts the window reasons with: what counts as delivered and when a failed delivery is
// tried again (Persona's Webhooks overview, "Retry logic"). The numbers come from Rust
// (src/model/persona.rs, through the generated bindings), never copied here.

import { PERSONA_RETRY_SCHEDULE_S, PERSONA_SUCCESS, PERSONA_TIMEOUT_S } from '../bindings.ts';

/** Persona's delays in seconds before each retry, "approximately". */
export const RETRY_DELAYS_S: readonly number[] = PERSONA_RETRY_SCHEDULE_S;

/** Whether Persona counts this status as delivered (when it comes in time). */
export function isPersonaSuccess(status: number): boolean {
  return (PERSONA_SUCCESS as readonly number[]).includes(status);
}

/** Seconds from the first attempt to attempt `n` (1-based) on Persona's schedule, or null. */
export function scheduledOffset(n: number): number | null {
  if (!Number.isInteger(n) || n < 1 || n > RETRY_DELAYS_S.length + 1) return null;
  return RETRY_DELAYS_S.slice(0, n - 1).reduce((a, b) => a + b, 0);
}

/** How many times Persona retries a failed delivery (7). */
export const RETRIES = RETRY_DELAYS_S.length;

/** How long Persona waits for an answer, in seconds (5). */
export const LIMIT_S = PERSONA_TIMEOUT_S;

/** "200, 201, 202 or 204" (`joiner` "and" for a list of what counts). */
export function successCodes(joiner: 'or' | 'and' = 'or'): string {
  const codes = PERSONA_SUCCESS.map(String);
  return `${codes.slice(0, -1).join(', ')} ${joiner} ${codes[codes.length - 1]}`;
}

/** Hours from the first attempt to the last automatic one, rounded (51). */
export const LAST_RETRY_H = Math.round((scheduledOffset(RETRIES + 1) ?? 0) / 3600);
