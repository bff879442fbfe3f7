// The window's only way to the Rust side. Types and command wrappers are generated from Rust
// (`generated/bindings.ts`, by tauri-specta; a Rust test fails when it is stale); this module
// re-exports them under the names the UI uses and adds what a generator cannot know.
// Every string here comes from a captured request or from the store: render it as React text.

import type { UnlistenFn } from '@tauri-apps/api/event';
import { COMMAND_ERROR_KINDS, commands, events } from './generated/bindings.ts';
import type * as generated from './generated/bindings.ts';

export type { UnlistenFn };
export type {
  Answer,
  ApiPath,
  AppSettings,
  Attempt,
  AttemptHeaders,
  BulkStarted,
  BulkStep,
  CaseVerdict,
  Casing,
  CatalogEntry as CatalogEvent,
  ChainCopy,
  CheckCase,
  CheckRun,
  CheckRunSummary,
  Edits,
  EventCount,
  Expectation,
  Failure,
  FailureKind,
  Filter,
  ForwardMark,
  ForwardResult,
  ListenerStatus,
  Matched,
  Mention,
  MentionVia,
  NgrokStatus,
  Options as RedeliveryOptions,
  Order as BulkOrder,
  Origin,
  Outline,
  Outcome,
  Pair,
  ParseError,
  Progress as BulkProgress,
  Redelivery,
  RedeliveryPreview,
  Retention,
  Relationship,

  ResourceSummary,
  Rule as ForwardRule,
  SampleRequest,
  Scope as BulkScope,
  Scope,
  SecretInfo,
  SecretsChanged,
  Sent as SampleSent,
  SettingsChange,
  Signing,
  Source,
  Status,
  Summary,
  UnverifiedCount as BulkUnverified,
  Target,
  Timeline,
  TimelineEntry,
  TimelineFlag,
  TimelineFlagNote,
  Tunnel,
  Verdict,
} from './generated/bindings.ts';

/**
 * A header as `[name, value]`, or `[name, value, base64]` when the value is not UTF-8 (the third
 * element holds its exact bytes). Rust sends them as JSON arrays, so the generator sees
 * `string[][]`; this is their documented shape (src/model/delivery.rs `headers_to_json`).
 */
export type Header = [name: string, value: string] | [name: string, value: string, base64: string];

/** Everything about one delivery but its body, which `deliveryBody` fetches as raw bytes. */
export type Detail = Omit<generated.DetailMeta, 'headers'> & { headers: Header[] };

// Persona's facts and the Rust side's limits, exported by src-tauri/src/ipc.rs: never copied here.
export {
  CHECK_CASES,
  CHECK_DEFAULT_EVENT,
  COMMAND_ERROR_KINDS,
  DEFAULT_TIMEOUT_MS,
  MAX_SPEEDUP,
  MAX_TIMEOUT_MS,
  PERSONA_RETRY_SCHEDULE_S,
  PERSONA_SUCCESS,
  PERSONA_TIMEOUT_S,
  PERSONA_WEBHOOK_IPS,
} from './generated/bindings.ts';

/** One of the kinds Rust gives a command error (src-tauri/src/commands.rs `COMMAND_ERROR_KINDS`). */
export type CommandErrorKind = (typeof COMMAND_ERROR_KINDS)[number];

/**
 * What a command rejects with: a kind to branch on and a sentence to show. `unavailable` means
 * the listener (and so the store) did not start.
 */
export interface CommandError extends generated.CommandError {
  kind: CommandErrorKind | (string & {});
}

export function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { kind?: unknown }).kind === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

export const listDeliveries = commands.listDeliveries;
/** How many deliveries match (ignores `limit`, `offset`). */
export const countDeliveries = commands.countDeliveries;
export const eventCounts = commands.eventCounts;
export const eventCatalog = commands.eventCatalog;
export const listenerStatus = commands.listenerStatus;
/**
 * Resource `resourceId`'s timeline (an inquiry, account, verification… id): its deliveries in the
 * order Persona created the events, with arrival ranks and flags, and the deliveries that only
 * mention it. An id nothing names gives an empty timeline; a blank one is refused.
 */
export const timeline = commands.timeline;
export const getSettings = commands.getSettings;
/** A settings change; absent fields stay as they are. */
export const updateSettings = commands.updateSettings;
/** `value` is the secret as copied from Persona's dashboard (`wbhsec_…`). */
export const addSecret = commands.addSecret;
export const renameSecret = commands.renameSecret;
export const removeSecret = commands.removeSecret;
/** Stops the listener and listens on `port` instead (0: any free port); saved when it works. */
export const relisten = commands.relisten;
/**
 * Makes a signed sample of a catalog event and posts it to this app's own listener (`target`
 * null: stored as a test delivery, `delivery_id` names it) or to a URL (the attempt says what came
 * back). Signed with the saved secret named, the first saved one, or an example secret when none
 * is saved (then the verdict says how to add the real one). Rejects when nothing was sent
 * (unknown event, bad URL or secret label, the listener not running) or the listener did not
 * store it.
 */
export const sendSample = commands.sendSample;

/**
 * Sends a delivery to `options.target` (keeping or re-signing the signature, optionally with the
 * original path) and records the attempt. A target that does not answer resolves with an attempt
 * whose `failure` says why in plain words; it rejects only when nothing was sent (bad URL, unknown
 * secret label, delivery gone).
 */
export const redeliver = commands.redeliver;
/** What `redeliver` would send with these options (signature recomputed), without sending. */
export const previewRedelivery = commands.previewRedelivery;
/** Every re-delivery of a delivery, newest first. */
export const redeliveries = commands.redeliveries;
/** Targets re-delivered to before, most recent first (at most 10). */
export const recentTargets = commands.recentTargets;
/** A curl command reproducing the delivery exactly; `to` null = this app's listener. */
export const exportCurl = commands.exportCurl;
/** The delivery as a JSON fixture (metadata, headers, base64 body) a teammate can import. */
export const exportFixture = commands.exportFixture;
/**
 * The deliveries of a scope (a selection or everything a filter matches) as a HAR 1.2 file,
 * oldest first, for the window to save; rejects when none is stored or it would be over 64 MiB.
 */
export const exportHar = commands.exportHar;
/** Imports pasted fixture JSON (one or an array) or a HAR file; resolves with the new ids. */
export const importFixtures = commands.importFixtures;
/**
 * What a local ngrok agent says of the listener's port: a tunnel's public URL, tunnels that
 * lead elsewhere, or no agent. Answers within half a second; never rejects for a missing agent.
 */
export const ngrokStatus = commands.ngrokStatus;
export const countPurgeable = commands.countPurgeable;
export const purge = commands.purge;

/** The forward rule in use (off, with no target, until one is saved). */
export const forwardRule = commands.forwardRule;
/**
 * Checks, saves and applies the forward rule; resolves with it as saved. Retries waiting under
 * the old rule stop. Rejects with a sentence to show (bad URL, unknown secret label, the target
 * is this inspector's own listener, a speed-up outside 1..1 000 000).
 */
export const setForwardRule = commands.setForwardRule;
/**
 * Starts re-delivering a selection (`{kind: "ids"}`) or everything a filter matches, one at a time
 * in `order`; progress arrives through `onBulkProgress`, possibly before this resolves. Rejects
 * when nothing matches, the options are unusable, or edits are given.
 */
export const startBulk = commands.startBulk;
/** How many of a bulk scope Persona did not sign (or were imported, or arrived stale): they keep
 * their own signature unless the run opts in to re-signing them. */
export const countUnverified = commands.countUnverified;
/** Stops bulk run `job` after the request in flight; false when it had already ended. */
export const cancelBulk = commands.cancelBulk;

/**
 * Sends the endpoint check's cases to the user's handler at `url`, signed with the saved secret
 * labelled `secret`, carrying `event` (null: `CHECK_DEFAULT_EVENT`); resolves with the recorded
 * run. Each case arrives through `onCheckProgress` as it ends (a slow handler takes up to 10 s a
 * request). Rejects, with nothing recorded, when the URL gives no HTTP answer at all (kind `send`:
 * "could not reach … — is your app running?"), the label is not saved or the event is unknown.
 */
export const checkEndpoint = commands.checkEndpoint;
/** The recorded endpoint checks, newest first, at most `limit`. */
export const endpointChecks = commands.endpointChecks;
/** One recorded endpoint check, with every request it sent and the answers. */
export const endpointCheck = commands.endpointCheck;

/** Call once the first list is on screen: logs launch-to-interactive time. */
export const windowReady = commands.windowReady;

/** Delivery `id` without its body (`deliveryBody` has it) and without its included resources'
 * attributes (the window reads them from its own parse of the body). */
export function getDelivery(id: number): Promise<Detail> {
  return commands.getDelivery(id) as Promise<Detail>;
}

/** The body of delivery `id`, exactly as it arrived (empty when not kept): raw bytes over IPC. */
export async function deliveryBody(id: number): Promise<Uint8Array> {
  return new Uint8Array(await commands.deliveryBody(id));
}

/** Deliveries as the listener commits them, in batches. */
export function onDeliveries(cb: (rows: generated.Summary[]) => void): Promise<UnlistenFn> {
  return events.deliveriesArrived.listen((e) => cb(e.payload));
}

/** The listener changed (re-listen on another port). */
export function onListener(cb: (status: generated.ListenerStatus) => void): Promise<UnlistenFn> {
  return events.listenerChanged.listen((e) => cb(e.payload));
}

/** Stored verdicts were recomputed (secrets or tolerance changed): reload what is shown. */
export function onRechecked(cb: () => void): Promise<UnlistenFn> {
  return events.deliveriesRechecked.listen(() => cb());
}

/** The forward rule's results, a burst at a time: each names a delivery and its latest mark. */
export function onForwards(cb: (results: generated.ForwardResult[]) => void): Promise<UnlistenFn> {
  return events.forwardsDone.listen((e) => cb(e.payload));
}

/** A bulk run's progress (at most ten a second); its last step has `progress.finished` set. */
export function onBulkProgress(cb: (step: generated.BulkStep) => void): Promise<UnlistenFn> {
  return events.bulkProgressed.listen((e) => cb(e.payload));
}

/** A case of the endpoint check under way, as it ends (the event does not say which run). */
export function onCheckProgress(cb: (c: generated.CheckCase) => void): Promise<UnlistenFn> {
  return events.checkProgressed.listen((e) => cb(e.payload));
}

/** Whether `e` is a command error of this kind (a kind Rust names, so a typo does not compile). */
export function hasErrorKind(e: unknown, kind: CommandErrorKind): boolean {
  return isCommandError(e) && e.kind === kind;
}
