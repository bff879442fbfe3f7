// The Overview's retry chain: every stored copy of this delivery's event id, in the order they
// arrived, each with Persona's attempt headers, the time since the copy before against Persona's
// schedule, and whether its body is the first copy's (a changed body stands out: Persona's copies
// are identical). The attempts no copy carries sit where they belong. A copy opens on a click.

import type { Detail } from '../bindings.ts';
import { RETRY_DELAYS_S } from '../persona/facts.ts';
import { attemptsText, chainRows, type CopyRow } from './retryChain.ts';
import { useStoryLinks } from './StoryLinks.tsx';
import './story.css';

const SCHEDULE = `Persona waits about ${RETRY_DELAYS_S.slice(0, 3)
  .map((s) => `${s} s`)
  .join(', ')}, … before each retry (its Webhooks overview, “Retry logic”)`;

export function RetryChain({ detail: d }: { detail: Detail }) {
  const links = useStoryLinks();
  if (d.retry_chain.length < 2) return null;
  const rows = chainRows(d.retry_chain, d.retry_chain_missing_attempts, d.id);
  const changed = d.retry_chain.filter((c) => !c.same_body).length;
  return (
    <section className="dt-section" data-testid="retry-chain">
      <h3>Retry chain ({d.retry_chain.length} copies of this event id)</h3>
      {changed > 0 && (
        <div className="dt-banner dt-banner-bad" role="status" data-testid="chain-body-differs">
          <strong>{`${changed === 1 ? '1 copy has' : `${changed} copies have`} a different body from the first copy.`}</strong>{' '}
          Persona's copies of one event are identical (the notes below say which).
        </div>
      )}
      <table className="dt-table st-chain">
        <thead>
          <tr>
            <th>Copy</th>
            <th>Attempts</th>
            <th>Received</th>
            <th>Since the copy before</th>
            <th title={SCHEDULE}>Persona's schedule</th>
            <th>Body</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) =>
            row.kind === 'missing' ? (
              <tr key={`missing-${i}`} className="st-chain-missing" data-testid="chain-missing" data-attempts={row.attempts.join(' ')}>
                <td colSpan={6}>
                  <span className="dt-warn-text">⋯ {row.text}</span>
                </td>
              </tr>
            ) : (
              <CopyLine key={row.deliveryId} row={row} open={links?.openDelivery ?? null} />
            ),
          )}
        </tbody>
      </table>
      {d.retry_chain_missing_attempts.length > 0 && (
        <p className="dt-warn-text" data-testid="chain-missing-attempts">
          Missing: {attemptsText(d.retry_chain_missing_attempts)}.
        </p>
      )}
      {d.retry_chain_notes.length > 0 && (
        <ul className="dt-notes" data-testid="chain-notes">
          {d.retry_chain_notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CopyLine({ row, open }: { row: CopyRow; open: ((id: number) => void) | null }) {
  return (
    <tr
      className={row.current ? 'st-chain-copy is-current' : 'st-chain-copy'}
      data-testid="chain-row"
      data-delivery-id={row.deliveryId}
      data-attempt={row.attempt ?? ''}
      data-expected={row.expectedSeconds ?? ''}
      data-fit={row.fit ?? ''}
      data-same-body={row.sameBody}
      data-current={row.current}
      aria-current={row.current ? 'true' : undefined}
    >
      <td>
        {row.current || open === null ? (
          <span>#{row.deliveryId}</span>
        ) : (
          <button type="button" className="dt-link" data-testid="chain-open" onClick={() => open(row.deliveryId)} title={`Open delivery ${row.deliveryId}`}>
            #{row.deliveryId}
          </button>
        )}
        {row.current && <div className="st-this">this delivery</div>}
      </td>
      <td data-testid="chain-attempts">{row.attempts ?? <span className="dt-none">no attempt headers</span>}</td>
      <td>{row.received}</td>
      <td data-testid="chain-since">
        {row.since ?? <span className="dt-none">first copy</span>}
        {row.fitText !== null && (
          <div className={row.fit === 'fits' ? 'dt-muted' : 'dt-warn-text'} data-testid="chain-fit">
            {row.fitText}
          </div>
        )}
      </td>
      <td data-testid="chain-expected">{row.expected}</td>
      <td data-testid="chain-body">
        {row.sameBody ? (
          <span className="dt-ok-text" title="Byte for byte the first copy's body">
            ✓ same
          </span>
        ) : (
          <span className="dt-badge dt-badge-bad" title="Not byte for byte the first copy's body: Persona's copies of one event are identical">
            ✗ body differs
          </span>
        )}
      </td>
    </tr>
  );
}
