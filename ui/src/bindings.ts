// The JSON the Rust side sends, and thin typed wrappers over its commands and events.
//
// Hand-written for now from README.md ("list --json", "show ID --json") and the serde types in
// src/ (store/query.rs, signature.rs, delivery.rs, jsonapi.rs); to be generated from Rust next.
// Every string here comes from a captured request or from the store: render it as React text.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type { UnlistenFn };

/** The signature verdict's outcome. */
export type Status = 'valid' | 'invalid' | 'missing' | 'malformed' | 'unchecked';

/** What the listener did with a request: `too_large` was answered 413, headers kept, body not. */
export type Outcome = 'captured' | 'too_large';

/** One `t=…,v1=…` pair of the `Persona-Signature` header. */
export interface Pair {
  t: number;
  v1: string;
}

export interface Matched {
  /** The label of the secret that matched. */
  secret: string;
  /** 0-based index into `Verdict.pairs`. */
  pair: number;
  timestamp: number;
}

export interface Verdict {
  status: Status;
  /** A sentence. */
  explanation: string;
  /** A sentence naming the likely mistake when the signature is invalid, or null. */
  diagnosis: string | null;
  matched: Matched | null;
  pairs: Pair[];
  /** Unix seconds. */
  timestamp: number | null;
  age_seconds: number | null;
  stale: boolean;
  stale_note: string | null;
  tolerance_seconds: number;
}

/** Persona's `Persona-Webhook-Attempts-Made`, `-Left`, `-First-Attempted-At` (null when absent). */
export interface Attempts {
  made: number | null;
  left: number | null;
  /** Unix seconds of Persona's first attempt. */
  first_attempted_at: number | null;
}

/** `payload.data` of the event. */
export interface ResourceSummary {
  type: string | null;
  id: string | null;
  status: string | null;
}

/** Why the body is not a JSON document. */
export interface ParseError {
  message: string;
  line: number;
  column: number;
}

/** A list element (`list --json`), also what `deliveries-arrived` carries. */
export interface Summary {
  id: number;
  /** RFC 3339, UTC, milliseconds. */
  received_at: string;
  received_at_ms: number;
  method: string;
  path: string;
  /** The raw query string. */
  query: string | null;
  remote_addr: string | null;
  outcome: Outcome;
  event_id: string | null;
  event_name: string | null;
  event_created_at: string | null;
  /** The catalog's resource group ("Inquiry", "Report", …). */
  event_group: string | null;
  /** The name is in Persona's catalog. */
  known_event: boolean;
  resource: ResourceSummary | null;
  signature: Verdict;
  attempts: Attempts;
  /** Bytes received (for `too_large`, the size announced or read). */
  body_size: number;
  parse_error: ParseError | null;
  /** How many stored deliveries carry this event id: above 1 means retries or duplicates. */
  event_deliveries: number;
}

/**
 * A header as `[name, value]`, or `[name, value, base64]` when the value is not UTF-8 (the third
 * element holds its exact bytes).
 */
export type Header = [name: string, value: string] | [name: string, value: string, base64: string];

export interface Target {
  type: string;
  id: string;
  /** Found in `payload.included`; false means Persona did not send that resource. */
  included: boolean;
  /** Index into `Detail.included`. */
  included_index: number | null;
}

export interface Relationship {
  /** As sent (kebab-case, camelCase or snake_case). */
  name: string;
  to_many: boolean;
  targets: Target[];
}

export interface Resource {
  type: string;
  id: string;
  status: string | null;
  /** As sent; null if absent. */
  attributes: unknown;
  relationships: Relationship[];
}

/** Everything about one delivery (`show ID --json`). */
export interface Detail extends Summary {
  headers: Header[];
  /** The body exactly as received. */
  body_base64: string;
  event_description: string | null;
  relationships: Relationship[];
  included: Resource[];
  /** Where the envelope departs from what Persona sends. */
  event_notes: string[];
}

/** Which deliveries to list. Every field narrows; none set lists the newest. */
export interface Filter {
  /** At most this many (default 200, at most 10 000). */
  limit?: number;
  /** Only ids below this one: the next page. */
  before_id?: number;
  event_name?: string;
  event_id?: string;
  resource_id?: string;
  signature?: Status;
  /** Words that must all appear (prefixes count) in the event name, ids or body. */
  search?: string;
}

export type ListenerStatus =
  /** `address` is the listener's URL, e.g. "http://127.0.0.1:4747". */
  | { state: 'listening'; address: string; port: number; data_dir: string }
  | { state: 'failed'; port: number; message: string };

/**
 * What a command rejects with: a kind to branch on and a sentence to show. `unavailable` means
 * the listener (and so the store) did not start.
 */
export interface CommandError {
  kind: 'not_found' | 'invalid' | 'store' | 'unavailable' | 'internal' | (string & {});
  message: string;
}

export function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { kind?: unknown }).kind === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

export function listDeliveries(filter: Filter): Promise<Summary[]> {
  return invoke<Summary[]>('list_deliveries', { filter });
}

export function getDelivery(id: number): Promise<Detail> {
  return invoke<Detail>('get_delivery', { id });
}

export function listenerStatus(): Promise<ListenerStatus> {
  return invoke<ListenerStatus>('listener_status');
}

/** Deliveries as the listener commits them, in batches. */
export function onDeliveries(cb: (rows: Summary[]) => void): Promise<UnlistenFn> {
  return listen<Summary[]>('deliveries-arrived', (e) => cb(e.payload));
}
