// The "imported" or "test event" badge, in the list row and the detail header. A capture, the
// usual case, shows none.

import type { Source } from '../bindings.ts';
import { sourceBadge } from './provenance.ts';

export function SourceBadge({ of, className }: { of: { source?: Source; original_received_at?: string | null }; className: string }) {
  const badge = sourceBadge(of);
  if (badge === null) return null;
  return (
    <span className={className} data-testid="source-badge" data-source={of.source} title={badge.title}>
      {badge.label}
    </span>
  );
}
