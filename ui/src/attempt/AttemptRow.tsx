// One send and what came of it, as a re-delivery's history shows it and the sample dialog shows a
// sample sent to a URL: when, where, what came back (coloured by what Persona would make of it)
// or why nothing did, how long it took, how it was signed and what sent it. It expands to
// `AttemptDetails`. Everything from the target is React text.

import type { ReactNode } from 'react';
import type { Attempt } from '../bindings.ts';
import { humanDuration } from '../format/duration.ts';
import { AttemptDetails } from './AttemptDetails.tsx';
import { attemptTime, attemptView, originText, signingText } from './attemptView.ts';

export interface AttemptRowProps {
  attempt: Attempt;
  /** Unique on the page: names the expanded part for `aria-controls`. */
  domId: string;
  /** Test ids are `<prefix>-row`, `<prefix>-status`, `<prefix>-details`, … */
  prefix: string;
  /** `data-id` on the row (a recorded re-delivery's id). */
  dataId?: number;
  /** Marked as just sent. */
  fresh?: boolean;
  open: boolean;
  onToggle: () => void;
  /** How it was signed, when the history's wording ("re-signed with …") does not fit. */
  signing?: string;
  /** What "Body sent" says when the body was not edited. */
  bodyNote?: string;
  /** Lines under the headline (the forward rule's next retry). */
  children?: ReactNode;
}

export function AttemptRow({
  attempt: r,
  domId,
  prefix,
  dataId,
  fresh = false,
  open,
  onToggle,
  signing,
  bodyNote,
  children,
}: AttemptRowProps) {
  const v = attemptView(r);
  const detailsId = `${domId}-details`;
  const origin = originText(r);
  return (
    <li
      className={`rd-row rd-tone-${v.tone}${fresh ? ' is-fresh' : ''}`}
      data-testid={`${prefix}-row`}
      data-id={dataId}
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
        data-testid={`${prefix}-toggle`}
        onClick={onToggle}
      >
        <span className="rd-twisty" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="rd-time" title={r.started_at}>
          {attemptTime(r.started_at_ms)}
        </span>
        <span className={`dt-badge dt-badge-${v.tone} rd-status`} data-testid={`${prefix}-status`}>
          {v.headline}
        </span>
        <span className="rd-url" title={r.url}>
          <span className="dt-muted">{r.method}</span> {r.url}
        </span>
        <span className="rd-meta">
          {origin !== null && (
            <span className="dt-tag" data-testid={`${prefix}-origin`}>
              {origin}
            </span>
          )}
          {humanDuration(r.duration_ms)} · {signing ?? signingText(r.signing)}
          {r.edited_body_base64 !== null && <span className="dt-tag dt-tag-warn">edited body</span>}
        </span>
      </button>
      {v.note !== null && (
        <p className={v.tone === 'bad' ? 'rd-note dt-error-text' : 'rd-note dt-warn-text'} data-testid={`${prefix}-note`}>
          {v.note}
        </p>
      )}
      {r.signing_note != null && (
        <p className="rd-note dt-warn-text" data-testid={`${prefix}-signing-note`}>
          {capitalised(r.signing_note)}.
        </p>
      )}
      {children}
      {open && (
        <AttemptDetails attempt={r} id={detailsId} testIdPrefix={prefix} sentBodyLabel="Edited body sent" unchangedNote={bodyNote} />
      )}
    </li>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
