// Where a delivery came from, and whether re-signing it needs the user's say-so. The core
// enforces the rule where the outgoing request is prepared (src/redeliver/prepare.rs `unverified`); the
// window only asks first and says why, so the two must agree: what Persona signed (a captured
// delivery whose verdict is valid and was not stale when it arrived) and the app's own test events
// need no opt-in.

import type { BulkUnverified, Source, Status } from '../bindings.ts';
import { formatDuration } from '../format/duration.ts';

/** Why re-signing this delivery needs an opt-in: its verdict, "stale" or "imported"; null when none. */
export type UnverifiedKind = Exclude<Status, 'valid'> | 'stale' | 'imported';

/** What the rule reads: where it came from, and the verdict (staleness is flagged at arrival). */
type Provenance = { source?: Source; signature: { status: Status; stale?: boolean; age_seconds?: number | null } };

export function unverifiedKind(d: Provenance): UnverifiedKind | null {
  const source = d.source ?? 'captured';
  if (source === 'test') return null;
  if (source === 'imported') return 'imported';
  if (d.signature.status !== 'valid') return d.signature.status;
  // Valid but stale: most likely an old Persona request sent again by whoever kept it.
  return d.signature.stale === true ? 'stale' : null;
}

/** "its signature is invalid": why re-signing `d` needs an opt-in, as the core words it; null when it needs none. */
export function unverifiedReason(d: Provenance): string | null {
  const kind = unverifiedKind(d);
  switch (kind) {
    case null:
      return null;
    case 'invalid':
      return 'its signature is invalid';
    case 'missing':
      return 'it arrived without a signature';
    case 'malformed':
      return 'its signature is malformed';
    case 'unchecked':
      return 'its signature was never checked';
    case 'stale': {
      const age = d.signature.age_seconds ?? 0;
      const span = formatDuration(age * 1000);
      return age < 0
        ? `its signature is valid but dated ${span} after it arrived`
        : `its signature is valid but was made ${span} before it arrived: an old request sent again?`;
    }
    case 'imported':
      return 'it was imported from a fixture, not received from Persona';
  }
}

/** What the reason follows: "Persona did not sign this delivery", or for a stale one, that it may be a replay. */
export function unverifiedLead(kind: UnverifiedKind): string {
  return kind === 'stale' ? 'This delivery may be a replay' : 'Persona did not sign this delivery';
}

/** "2 of 5 are not signed by Persona (1 invalid, 1 imported)", for the bulk dialog. */
export function unverifiedCountText(c: BulkUnverified): string {
  const stale = c.kinds.some((k) => k.kind === 'stale');
  return (
    `${c.unverified} of ${c.total} ${c.total === 1 ? 'is' : 'are'} not signed by Persona${stale ? ' or arrived stale' : ''} (` +
    c.kinds.map((k) => `${k.count} ${k.kind}`).join(', ') +
    ')'
  );
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
