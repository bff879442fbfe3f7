// The sample dialog's choices turned into `send_sample`'s request (src/session/sample.rs
// `SampleRequest`), with what is wrong said before anything is sent. Pure.

import { DEFAULT_TIMEOUT_MS, type Casing, type SampleRequest } from '../bindings.ts';
import { checkTimeout } from '../send/redeliverOptions.ts';
import { checkTarget } from '../send/targetUrl.ts';
import { MAX_DELAY_MS } from '../settings/validate.ts';

/** This inspector's own listener, or a URL such as the handler being written. */
export type Destination = 'here' | 'url';

export interface SampleForm {
  event: string | null;
  to: Destination;
  /** The URL and timeout as typed (used only for a URL). */
  url: string;
  timeout: string;
  /** The saved secret's label; null: none is saved, the example secret signs it. */
  secret: string | null;
  casing: Casing;
  emptyIncluded: boolean;
  /** As typed; blank: a made-up id. */
  resourceId: string;
}

export interface SampleProblems {
  event: string | null;
  target: string | null;
  timeout: string | null;
}

export type BuiltRequest = { ok: true; request: SampleRequest } | { ok: false; problems: SampleProblems };

/** The casings Persona's webhooks offer for their keys (kebab-case unless the webhook says otherwise). */
export const CASINGS: readonly { value: Casing; label: string }[] = [
  { value: 'kebab', label: 'kebab-case (Persona’s default)' },
  { value: 'camel', label: 'camelCase' },
  { value: 'snake', label: 'snake_case' },
];

/**
 * How long a send to this inspector waits: the listener holds its answer for the reply delay
 * set in Settings (unknown: the longest it can be), and Persona's own limit on top.
 */
export function listenerTimeout(replyDelayMs: number | null): number {
  return (replyDelayMs ?? MAX_DELAY_MS) + DEFAULT_TIMEOUT_MS;
}

export function sampleProblems(form: SampleForm): SampleProblems {
  const url = form.to === 'url' ? checkTarget(form.url) : null;
  const timeout = form.to === 'url' ? checkTimeout(form.timeout) : null;
  return {
    event: form.event === null ? 'Pick an event: type part of its name, then choose it in the list.' : null,
    target: url !== null && !url.ok ? url.message : null,
    timeout: timeout !== null && !timeout.ok ? timeout.message : null,
  };
}

export function buildRequest(form: SampleForm, replyDelayMs: number | null): BuiltRequest {
  const problems = sampleProblems(form);
  if (form.event === null || problems.target !== null || problems.timeout !== null) return { ok: false, problems };
  const resourceId = form.resourceId.trim();
  return {
    ok: true,
    request: {
      event: form.event,
      target: form.to === 'url' ? form.url.trim() : null,
      secret: form.secret,
      casing: form.casing,
      empty_included: form.emptyIncluded,
      resource_id: resourceId === '' ? null : resourceId,
      timeout_ms: form.to === 'url' ? Number(form.timeout.trim()) : listenerTimeout(replyDelayMs),
    },
  };
}

/**
 * The secret to offer: the one chosen before if it is still saved, else the first saved one;
 * null while none is saved (the example secret signs it).
 */
export function secretChoice(labels: readonly string[], previous: string | null): string | null {
  if (previous !== null && labels.includes(previous)) return previous;
  return labels[0] ?? null;
}
