// Every re-delivery of the delivery, newest first: when, where, what came back (coloured by what
// Persona would make of it) or why nothing did, how long it took, how it was signed and what sent
// it (the forward rule and its retries, a bulk run), with the next retry when one is waiting. A
// row expands to the headers sent, the edited body if any, and the answer's headers and body.

import type { Redelivery } from '../bindings.ts';
import { nextRetryText } from '../list/forwardMark.ts';
import { useNow } from '../useNow.ts';
import { AttemptDetails } from '../attempt/AttemptDetails.tsx';
import { attemptTime, attemptView, originText, signingText } from '../attempt/attemptView.ts';
import { humanDuration } from '../format/duration.ts';

export interface RedeliveryHistoryProps {
  list: readonly Redelivery[];
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  /** Rows expanded. */
  openIds: ReadonlySet<number>;
  /** The attempt just sent, marked until the next one. */
  fresh: number | null;
  onToggle: (id: number) => void;
}

export function RedeliveryHistory({ list, loading, error, onRetry, openIds, fresh, onToggle }: RedeliveryHistoryProps) {
  // Only the forward rule's latest attempt can have a retry still to come: an earlier one's
  // retry is the row above it.
  const latestForward = list.reduce<number | null>((m, r) => (r.origin === 'forward' && (m === null || r.id > m) ? r.id : m), null);
  return (
    <section className="rd-history" aria-labelledby="rd-history-title" data-testid="redelivery-history">
      <h3 id="rd-history-title">
        Re-deliveries{list.length > 0 && <span className="dt-tab-hint">{list.length}</span>}
      </h3>
      {error !== null && (
        <div className="dt-banner dt-banner-bad" role="alert">
          Could not read the re-deliveries: {error}{' '}
          <button type="button" className="dt-link" onClick={onRetry}>
            Retry
          </button>
        </div>
      )}
      {list.length === 0 && error === null && (
        <p className="dt-empty">{loading ? 'Loading…' : 'Not re-delivered yet. Each send is recorded here.'}</p>
      )}
      {list.length > 0 && (
        <ol className="rd-list">
          {list.map((r) => (
            <HistoryRow
              key={r.id}
              r={r}
              latestForward={r.id === latestForward}
              fresh={r.id === fresh}
              open={openIds.has(r.id)}
              onToggle={() => onToggle(r.id)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

interface HistoryRowProps {
  r: Redelivery;
  /** The newest attempt by the forward rule: the one whose next retry may still come. */
  latestForward: boolean;
  fresh: boolean;
  open: boolean;
  onToggle: () => void;
}

function HistoryRow({ r, latestForward, fresh, open, onToggle }: HistoryRowProps) {
  const v = attemptView(r);
  const detailsId = `rd-details-${r.id}`;
  const origin = originText(r);
  const waiting = latestForward && r.next_retry_at_ms !== null;
  const now = useNow(waiting);
  const next = waiting ? nextRetryText(r, now) : null;
  return (
    <li
      className={`rd-row rd-tone-${v.tone}${fresh ? ' is-fresh' : ''}`}
      data-testid="redelivery-row"
      data-id={r.id}
      data-outcome={v.outcome}
      data-status={r.answer?.status ?? ''}
      data-failure={r.failure?.kind ?? ''}
      data-origin={r.origin}
      data-retry={r.retry}
    >
      <button
        type="button"
        className="rd-row-head"
        aria-expanded={open}
        aria-controls={detailsId}
        data-testid="redelivery-toggle"
        onClick={onToggle}
      >
        <span className="rd-twisty" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="rd-time" title={r.started_at}>
          {attemptTime(r.started_at_ms)}
        </span>
        <span className={`dt-badge dt-badge-${v.tone} rd-status`} data-testid="redelivery-status">
          {v.headline}
        </span>
        <span className="rd-url" title={r.url}>
          <span className="dt-muted">{r.method}</span> {r.url}
        </span>
        <span className="rd-meta">
          {origin !== null && (
            <span className="dt-tag" data-testid="redelivery-origin">
              {origin}
            </span>
          )}
          {humanDuration(r.duration_ms)} · {signingText(r.signing)}
          {r.edited_body_base64 !== null && <span className="dt-tag dt-tag-warn">edited body</span>}
        </span>
      </button>
      {v.note !== null && (
        <p className={v.tone === 'bad' ? 'rd-note dt-error-text' : 'rd-note dt-warn-text'} data-testid="redelivery-note">
          {v.note}
        </p>
      )}
      {r.signing_note != null && (
        <p className="rd-note dt-warn-text" data-testid="redelivery-signing-note">
          {capitalised(r.signing_note)}.
        </p>
      )}
      {next !== null && (
        <p className="rd-note dt-warn-text" data-testid="redelivery-next-retry">
          The forward rule tries again: {next}.
        </p>
      )}
      {open && (
        <AttemptDetails attempt={r} id={detailsId} testIdPrefix="redelivery" sentBodyLabel="Edited body sent" />
      )}
    </li>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
