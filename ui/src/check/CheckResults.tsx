// One endpoint check: the overall line, then a row per case (verdict, name, what was sent, what a
// correct handler does, the answer, its time against Persona's limit, the advice); a row opens to
// the requests the case sent and the answers, as recorded. While the check runs, the cases still
// to come are listed, the one being sent with a spinner.

import { useState } from 'react';
import { CHECK_CASES, type CheckCase, type CheckRun } from '../bindings.ts';
import { AttemptDetails } from '../attempt/AttemptDetails.tsx';
import { attemptTime, attemptView } from '../attempt/attemptView.ts';
import { humanDuration } from '../format/duration.ts';
import { LIMIT_S } from '../persona/facts.ts';
import { answerText, overall, pendingCases, timeView, verdictView, type CheckRequest } from './checkRun.ts';

export type CheckResultsProps =
  | { run: CheckRun; live?: undefined; stopped?: undefined }
  /** A check under way, or one that stopped (`stopped`) before it was recorded. */
  | { run?: undefined; live: { request: CheckRequest; cases: readonly CheckCase[] }; stopped?: boolean };

const COLUMNS = 7;

export function CheckResults({ run, live, stopped = false }: CheckResultsProps) {
  const [openNames, setOpenNames] = useState<ReadonlySet<string>>(new Set());
  const toggle = (name: string) =>
    setOpenNames((s) => {
      const next = new Set(s);
      if (!next.delete(name)) next.add(name);
      return next;
    });

  const cases = run?.cases ?? live?.cases ?? [];
  const about = run ?? { url: live.request.url, event: live.request.event, secret_label: live.request.secret };
  const limitMs = run?.limit_ms ?? LIMIT_S * 1000;
  const pending = run === undefined && !stopped ? pendingCases(cases) : [];
  const state = run !== undefined ? 'done' : stopped ? 'stopped' : 'running';
  const result = run === undefined ? null : overall(run.cases, run.passed);

  return (
    <section
      className="check-results"
      aria-label="Endpoint check"
      aria-busy={state === 'running'}
      data-testid="check-results"
      data-state={state}
      data-id={run?.id ?? ''}
    >
      <p className="check-about">
        {run !== undefined ? `Check #${run.id} of ` : 'Checking '}
        <code className="mono">{about.url}</code> with {about.event} deliveries signed with “{about.secret_label}”
        {run !== undefined && <span className="hint"> · {attemptTime(run.started_at_ms)}</span>}
      </p>
      {result !== null ? (
        <p
          className={`check-overall check-overall-${result.tone}`}
          role="status"
          data-testid="check-overall"
          data-passed={String(result.passed)}
        >
          <strong>{result.headline}</strong> <span className="check-counts">{result.counts}</span>
        </p>
      ) : (
        state === 'running' && (
          <p className="hint" role="status" data-testid="check-progress" data-done={cases.length}>
            {cases.length} of {CHECK_CASES.length} cases done…
          </p>
        )
      )}
      <table className="check-table" data-testid="check-cases">
        <thead>
          <tr>
            <th scope="col">Verdict</th>
            <th scope="col">Case</th>
            <th scope="col">Sent</th>
            <th scope="col">A correct handler</th>
            <th scope="col">Answer</th>
            <th scope="col" title={`Persona waits ${humanDuration(limitMs)} for an answer`}>
              Time <span className="hint">(limit {humanDuration(limitMs)})</span>
            </th>
            <th scope="col">Advice</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <CaseRow key={c.name} c={c} limitMs={limitMs} open={openNames.has(c.name)} onToggle={() => toggle(c.name)} />
          ))}
          {pending.map((name, i) => (
            <tr key={name} className="check-row check-pending" data-testid="check-pending" data-name={name}>
              <td>
                {i === 0 ? (
                  <span className="check-sending">
                    <span className="spinner" aria-hidden="true" /> sending
                  </span>
                ) : (
                  <span className="hint">waiting</span>
                )}
              </td>
              <td className="check-name">
                <code className="mono">{name}</code>
              </td>
              <td colSpan={COLUMNS - 2} className="hint">
                {i === 0 ? 'Waiting for your handler’s answer…' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface CaseRowProps {
  c: CheckCase;
  limitMs: number;
  open: boolean;
  onToggle: () => void;
}

/** A case; a click anywhere on it (or Enter on its name) opens its requests. */
function CaseRow({ c, limitMs, open, onToggle }: CaseRowProps) {
  const v = verdictView(c.verdict);
  const time = timeView(c.ms, limitMs);
  const detailsId = `check-case-${c.name}`;
  return (
    <>
      <tr
        className={open ? 'check-row check-row-open' : 'check-row'}
        data-testid="check-case"
        data-name={c.name}
        data-verdict={c.verdict}
        data-status={c.status ?? ''}
        onClick={onToggle}
      >
        <td>
          <span className={`badge badge-${v.tone} check-verdict`} data-testid="check-verdict">
            <span aria-hidden="true">{v.mark}</span> {v.label}
          </span>
        </td>
        <td className="check-name">
          {/* The row's click handles it: the button is there for the keyboard and screen readers. */}
          <button
            type="button"
            className="check-case-toggle"
            aria-expanded={open}
            aria-controls={detailsId}
            data-testid="check-case-toggle"
            title="Show the requests sent and the answers"
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span> <code className="mono">{c.name}</code>
          </button>
        </td>
        <td className="check-sent">{c.sent}</td>
        <td className="check-expected">{c.expected}</td>
        <td className={c.status === null ? 'check-answer check-answer-none' : 'check-answer mono'} data-testid="check-answer">
          {answerText(c)}
        </td>
        <td
          className={time.late ? 'check-time check-late' : 'check-time'}
          title={time.late ? `Over Persona’s ${humanDuration(limitMs)}` : undefined}
        >
          {time.text}
        </td>
        <td className="check-advice" data-testid="check-advice">
          {c.advice}
        </td>
      </tr>
      {open && (
        <tr className="check-details-row">
          <td colSpan={COLUMNS}>
            <CaseAttempts c={c} id={detailsId} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Every request the case sent, in order, with its answer. */
function CaseAttempts({ c, id }: { c: CheckCase; id: string }) {
  const n = c.attempts.length;
  return (
    <div className="dt-root check-attempts" id={id} data-testid="check-case-details">
      {n === 0 && <p className="dt-muted">Nothing was sent.</p>}
      {c.attempts.map((a, i) => (
        <div key={i} className="check-attempt" data-testid="check-attempt" data-status={a.answer?.status ?? ''}>
          <h4 className="check-attempt-head">
            {n > 1 ? `Request ${i + 1} of ${n}` : 'Request'}: <span className="dt-muted">{a.method}</span> {a.url} →{' '}
            <span className="dt-badge dt-badge-muted">{attemptView(a).headline}</span> in {humanDuration(a.duration_ms)}
          </h4>
          {a.failure !== null && <p className="dt-error-text">{a.failure.message}</p>}
          <AttemptDetails attempt={a} id={`${id}-${i}`} testIdPrefix="check-attempt" sentBodyLabel="Body sent" />
        </div>
      ))}
    </div>
  );
}
