// A row's forward result: "→ 200", "→ 500 · retry 2/7 in 4 s", "✗ not listening", with the full
// sentence as its tooltip. A pending retry counts down once a second while the row is on screen.

import type { ForwardMark } from '../bindings.ts';
import { useNow } from '../useNow.ts';
import { forwardMarkView, notSentView } from './forwardMark.ts';

export function ForwardMarkCell({ mark, error }: { mark: ForwardMark | null; error: string | null }) {
  const now = useNow(mark?.next_retry_at_ms != null);
  const v = mark !== null ? forwardMarkView(mark, now) : error !== null ? notSentView(error) : null;
  if (v === null) return null;
  return (
    <span
      className={`fwd fwd-${v.tone}`}
      data-testid="forward-mark"
      data-outcome={v.outcome}
      data-status={mark?.status ?? ''}
      data-retry={mark?.retry ?? ''}
      data-pending={v.pending}
      title={v.title}
    >
      {v.text}
    </span>
  );
}
