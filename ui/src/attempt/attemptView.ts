// How one recorded re-delivery reads in the history: a headline (status and reason, or why no
// answer came), its tone, what Persona would make of it, and the history's order. Pure.

import type { Attempt, FailureKind, Redelivery, Signing } from '../bindings.ts';
import type { Tone } from '../format/text.ts';
import { isPersonaSuccess, LIMIT_S, successCodes } from '../persona/facts.ts';

export interface AttemptView {
  tone: Tone;
  /** "200 OK", "500 Internal Server Error", "not listening". */
  headline: string;
  /** A sentence: the plain-language failure, or what Persona would do; null when all is well. */
  note: string | null;
  /** For tests and styling: "success", "http-failure", "slow", "no-answer". */
  outcome: 'success' | 'http-failure' | 'slow' | 'no-answer';
}

const FAILURE_HEADLINES: Record<FailureKind, string> = {
  not_listening: 'not listening',
  timeout: 'timed out',
  tls: 'TLS failed',
  dns: 'host not found',
  connection: 'connection failed',
};

/** A few words for why no answer came ("not listening"), as the history and the list show it. */
export function failureHeadline(kind: FailureKind): string {
  return FAILURE_HEADLINES[kind] ?? 'no answer';
}

export function attemptView(a: Attempt): AttemptView {
  const answer = a.answer;
  if (answer !== null) {
    const headline = answer.reason === null ? String(answer.status) : `${answer.status} ${answer.reason}`;
    if (answer.persona_success) return { tone: 'good', headline, note: null, outcome: 'success' };
    if (isPersonaSuccess(answer.status)) {
      return {
        tone: 'warn',
        headline,
        note: `Too slow: Persona gives up after ${LIMIT_S} s, so it would count this as a failure and retry.`,
        outcome: 'slow',
      };
    }
    return {
      tone: 'bad',
      headline,
      note: `Persona accepts only ${successCodes()}: it would count this as a failure and retry.`,
      outcome: 'http-failure',
    };
  }
  if (a.failure !== null) {
    return {
      tone: 'bad',
      headline: failureHeadline(a.failure.kind),
      note: sentence(a.failure.message),
      outcome: 'no-answer',
    };
  }
  return { tone: 'muted', headline: 'no answer', note: 'No answer was recorded.', outcome: 'no-answer' };
}

/** Capitalized first letter: the Rust side words failures to follow "error: ". */
function sentence(s: string): string {
  return s === '' ? s : s[0]!.toUpperCase() + s.slice(1);
}

/**
 * What sent it, when not a send from this tab: "bulk", "forward" (the forward rule's first
 * send), "retry 2" (its second retry); null for a manual send.
 */
export function originText(a: Pick<Attempt, 'origin' | 'retry'>): string | null {
  switch (a.origin) {
    case 'manual':
      return null;
    case 'bulk':
      return 'bulk';
    case 'forward':
      return a.retry > 0 ? `retry ${a.retry}` : 'forward';
  }
}

export function signingText(s: Signing): string {
  return s.mode === 'keep' ? 'signature kept' : `re-signed with “${s.secret}”`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Local "10:04:05" today, "2026-11-22 10:04:05" on another day. */
export function attemptTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const sameDay =
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Newest first: by start time, then by id (two sends in one millisecond). */
export function newestFirst(list: readonly Redelivery[]): Redelivery[] {
  return [...list].sort((a, b) => b.started_at_ms - a.started_at_ms || b.id - a.id);
}

/** The history with `added` in it (replacing a record with the same id), newest first. */
export function withAttempt(list: readonly Redelivery[], added: Redelivery): Redelivery[] {
  return newestFirst([added, ...list.filter((r) => r.id !== added.id)]);
}

/** The history as read from the store, with any sends it did not hold yet kept. */
export function mergeHistory(stored: readonly Redelivery[], local: readonly Redelivery[]): Redelivery[] {
  const ids = new Set(stored.map((r) => r.id));
  return newestFirst([...stored, ...local.filter((r) => !ids.has(r.id))]);
}
