// One row of the delivery list, and the placeholder shown while its page is read. Every string
// from the capture is React text.

import { memo, type CSSProperties } from 'react';
import type { ForwardMark, Summary, Verdict } from '../bindings.ts';
import { attemptText, badge, localDateTime, repeatTitle, requestTarget, shortSize, timeOfDay } from '../format/text.ts';
import { SourceCell } from '../address/SourceCell.tsx';
import { SourceBadge } from '../provenance/SourceBadge.tsx';
import { ForwardMarkCell } from './ForwardMarkCell.tsx';
import { groupHue } from './groupColor.ts';
import { pickIntent, type PickIntent } from './selection.ts';

export interface RowProps {
  row: Summary;
  index: number;
  top: number;
  /** The focused row: the one Enter opens. */
  selected: boolean;
  /** Picked for a bulk re-delivery. */
  checked: boolean;
  /** The latest forward attempt, stored or live; null when never forwarded (or not sent). */
  forwardMark: ForwardMark | null;
  /** Why the latest forward could not be sent at all. */
  forwardError: string | null;
  onPick: (row: Summary, intent: PickIntent) => void;
  onRepeat: (eventId: string) => void;
}

export const DeliveryRow = memo(function DeliveryRow(props: RowProps) {
  const { row, index, top, selected, checked, forwardMark, forwardError, onPick, onRepeat } = props;
  const attempt = attemptText(row.attempts);
  const classes = ['row', selected ? 'row-selected' : '', checked ? 'row-checked' : ''].filter((c) => c !== '').join(' ');
  return (
    <div
      id={`delivery-${row.id}`}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      data-testid="delivery-row"
      data-id={row.id}
      data-checked={checked}
      className={classes}
      style={{ top }}
      // A Shift-click selects a range of rows, not the text between two clicks.
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault();
      }}
      onClick={(e) => onPick(row, pickIntent(e))}
    >
      <span className="cell check">
        <input
          type="checkbox"
          className="row-check"
          data-testid="row-check"
          tabIndex={-1}
          checked={checked}
          aria-label={`Select delivery ${row.id} for a bulk re-delivery`}
          title="Select for a bulk re-delivery (Shift-click: a range; key x)"
          // Toggled through the row's pick, which also sees Shift for a range.
          onChange={() => undefined}
          onClick={(e) => {
            e.stopPropagation();
            onPick(row, e.shiftKey ? 'extend' : 'toggle');
          }}
        />
      </span>
      <span className="cell time mono" title={`${localDateTime(row.received_at_ms)} (${row.received_at})`}>
        {timeOfDay(row.received_at_ms)}
      </span>
      <span className="cell event">
        <EventCell row={row} onRepeat={onRepeat} />
      </span>
      <span className="cell resource" title={resourceTitle(row)}>
        {row.resource?.id == null ? (
          <span className="none">—</span>
        ) : (
          <>
            <span className="mono">{row.resource.id}</span>
            {row.resource.status !== null && <span className="status">{row.resource.status}</span>}
          </>
        )}
      </span>
      <span className="cell sig">
        <SignatureBadge verdict={row.signature} />
      </span>
      <span className="cell attempt" title={firstAttemptTitle(row)}>
        {attempt ?? <span className="none">—</span>}
      </span>
      <span className="cell source">
        <SourceCell row={row} />
      </span>
      <span className="cell forward">
        <ForwardMarkCell mark={forwardMark} error={forwardError} />
      </span>
    </div>
  );
});

function EventCell({ row, onRepeat }: { row: Summary; onRepeat: (eventId: string) => void }) {
  const repeat =
    row.event_id !== null && row.event_deliveries > 1 ? (
      <button
        type="button"
        className="repeat"
        data-testid="repeat-mark"
        tabIndex={-1}
        title={repeatTitle(row.event_deliveries, row.event_id)}
        aria-label={`${row.event_deliveries} deliveries of this event: show them`}
        onClick={(e) => {
          // The row's own click would open the delivery; this one filters instead.
          e.stopPropagation();
          if (row.event_id !== null) onRepeat(row.event_id);
        }}
      >
        ×{row.event_deliveries}
      </button>
    ) : null;

  if (row.event_name !== null) {
    const hue = groupHue(row.event_group);
    const style = hue === null ? undefined : ({ '--hue': hue } as CSSProperties);
    const title = [row.event_group, row.event_id, row.known_event ? null : 'not in Persona’s event catalog']
      .filter((s): s is string => s !== null)
      .join(' · ');
    return (
      <>
        <span className={hue === null ? 'event-name mono' : 'event-name mono grouped'} style={style} title={title}>
          {row.event_name}
        </span>
        {!row.known_event && <span className="tag tag-muted">unknown</span>}
        <SourceBadge of={row} className="tag tag-warn" />
        {repeat}
      </>
    );
  }

  // Not a Persona event: the request line says what it was.
  const target = requestTarget(row.path, row.query);
  return (
    <>
      <span className="request mono" title={`${row.method} ${target}`}>
        <span className="method">{row.method}</span> {target}
      </span>
      {row.outcome === 'too_large' ? (
        <span className="tag tag-bad" title={`Answered 413; headers kept, body (${shortSize(row.body_size)}) not`}>
          413 too large
        </span>
      ) : row.parse_error !== null ? (
        <span
          className="tag tag-warn"
          title={`${row.parse_error.message} (line ${row.parse_error.line}, column ${row.parse_error.column})`}
        >
          {row.body_size === 0 ? 'empty body' : 'not JSON'}
        </span>
      ) : (
        <span className="tag tag-muted" title="Valid JSON, but not a Persona event envelope">
          not an event
        </span>
      )}
      <SourceBadge of={row} className="tag tag-warn" />
      {repeat}
    </>
  );
}

export function SignatureBadge({ verdict }: { verdict: Verdict }) {
  const { label, tone } = badge(verdict);
  const details = [verdict.explanation, verdict.diagnosis, verdict.stale_note].filter(
    (s): s is string => s !== null && s !== '',
  );
  return (
    <span className="signature" title={details.join('\n')}>
      <span
        className={`badge badge-${tone}`}
        data-testid="signature-badge"
        data-status={verdict.status}
        data-stale={verdict.stale}
      >
        {label}
      </span>
      {verdict.matched !== null && <span className="secret">{verdict.matched.secret}</span>}
    </span>
  );
}

function resourceTitle(row: Summary): string | undefined {
  const r = row.resource;
  if (r === null) return undefined;
  return [r.type, r.id, r.status === null ? null : `status ${r.status}`]
    .filter((s): s is string => s !== null)
    .join(' · ');
}

function firstAttemptTitle(row: Summary): string | undefined {
  const first = row.attempts.first_attempted_at;
  if (first === null) return undefined;
  return `First attempted ${localDateTime(first * 1000)}`;
}

export function PlaceholderRow({ top }: { top: number }) {
  return (
    <div className="row row-placeholder" aria-hidden="true" style={{ top }}>
      <span className="cell check" />
      <span className="cell">
        <span className="bar bar-short" />
      </span>
      <span className="cell">
        <span className="bar" />
      </span>
      <span className="cell resource">
        <span className="bar" />
      </span>
      <span className="cell">
        <span className="bar bar-short" />
      </span>
      <span className="cell attempt">
        <span className="bar bar-short" />
      </span>
      <span className="cell source" />
      <span className="cell forward" />
    </div>
  );
}
