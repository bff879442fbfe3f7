// The recorded endpoint checks, most recent first: when, passed or failed, the counts, the event
// and the URL; one opens with every request it sent and the answers.

import type { CheckRunSummary } from '../bindings.ts';
import { attemptTime } from '../attempt/attemptView.ts';

export interface PastChecksProps {
  list: readonly CheckRunSummary[];
  error: string | null;
  /** The check shown above the list. */
  openId: number | null;
  disabled: boolean;
  onOpen: (id: number) => void;
  onRetry: () => void;
}

export function PastChecks({ list, error, openId, disabled, onOpen, onRetry }: PastChecksProps) {
  return (
    <section className="check-past" aria-labelledby="check-past-title" data-testid="check-past">
      <h3 id="check-past-title">Recorded checks</h3>
      {error !== null && (
        <p className="field-warning" role="alert">
          Could not read the recorded checks: {error}{' '}
          <button type="button" className="link" onClick={onRetry}>
            Retry
          </button>
        </p>
      )}
      {list.length === 0 && error === null && <p className="hint">None yet: each check is recorded with its requests.</p>}
      {list.length > 0 && (
        <ol className="check-past-list">
          {list.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className={r.id === openId ? 'check-past-run is-open' : 'check-past-run'}
                data-testid="check-past-run"
                data-id={r.id}
                data-passed={String(r.passed)}
                aria-current={r.id === openId ? 'true' : undefined}
                disabled={disabled}
                onClick={() => onOpen(r.id)}
              >
                <span className="hint">#{r.id}</span>
                <span className="hint" title={r.started_at}>
                  {attemptTime(r.started_at_ms)}
                </span>
                <span className={r.passed ? 'badge badge-good' : 'badge badge-bad'}>
                  <span aria-hidden="true">{r.passed ? '✓' : '✗'}</span> {r.passed ? 'passed' : 'failed'}
                </span>
                <span className="check-past-counts">
                  {r.passes} pass, {r.warnings} warn, {r.failures} fail
                </span>
                <span className="mono">{r.event}</span>
                <span className="mono check-past-url">{r.url}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
