// Where a delivery came from, and whether re-signing it needs the user's say-so. The core
// enforces the rule where the outgoing request is prepared (src/redeliver/prepare.rs `unverified`); the
// window only asks first and says why, so the two must agree: what Persona signed (a captured
// delivery whose verdict is valid) and the app's own test events need no opt-in.

import type { Source, Status } from '../bindings.ts';

/** Why re-signing this delivery needs an opt-in: its verdict, or "imported"; null when none. */
export type UnverifiedKind = Exclude<Status, 'valid'> | 'imported';

export function unverifiedKind(d: { source?: Source; signature: { status: Status } }): UnverifiedKind | null {
  const source = d.source ?? 'captured';
  if (source === 'test') return null;
  if (source === 'imported') return 'imported';
  return d.signature.status === 'valid' ? null : d.signature.status;
}

/** "its signature is invalid": the reason, for "Persona did not sign it: …". */
export function unverifiedReason(kind: UnverifiedKind): string {
  switch (kind) {
    case 'invalid':
      return 'its signature is invalid';
    case 'missing':
      return 'it arrived without a signature';
    case 'malformed':
      return 'its signature is malformed';
    case 'unchecked':
      return 'its signature was never checked';
    case 'imported':
      return 'it was imported from a fixture, not received from Persona';
  }
}

/** The badge a delivery that did not come from the listener carries; null for a capture. */
export function sourceBadge(d: { source?: Source; original_received_at?: string | null }): { label: string; title: string } | null {
  switch (d.source ?? 'captured') {
    case 'captured':
      return null;
    case 'imported':
      return {
        label: 'imported',
        title:
          'Loaded from a fixture: its time, address and headers are what the fixture claims' +
          (d.original_received_at != null ? ` (it claims to have arrived at ${d.original_received_at})` : '') +
          '. It is not re-signed without asking.',
      };
    case 'test':
      return { label: 'test event', title: "This app's own test event, sent to its listener." };
  }
}
