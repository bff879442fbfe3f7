// A resource's timeline in the detail pane: every stored delivery about it, in the order Persona
// created the events, each with where it came in the order of arrival (a rank and a lane whose
// dots run straight down when the order held), its status and flags, the flags explained, the
// deliveries that only mention it, and what was left out. A row opens its delivery; ↑/↓, Home and
// End move between rows. New deliveries about the resource reload it.

import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { onDeliveries, timeline as readTimeline, type Summary, type Timeline } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { plural } from '../format/text.ts';
import { ignoreError, useSubscription } from '../useSubscription.ts';
import { ResourceLink } from './StoryLinks.tsx';
import { emptyText, overtakenText, timelineView, type FlagView, type TimelineRow } from './timelineView.ts';
import './story.css';

export interface TimelineTabProps {
  /** The resource shown; null when the delivery names none and none was asked for. */
  resourceId: string | null;
  /** The delivery open in the detail: marked among the rows. */
  currentId: number;
  /** The open delivery's own resource, offered when another one is shown. */
  ownResourceId: string | null;
  /** Shows another resource's timeline. */
  onShow: (resourceId: string) => void;
  /** Opens a delivery of this timeline, which stays shown. */
  onOpen: (deliveryId: number) => void;
}

interface Load {
  id: string | null;
  timeline: Timeline | null;
  error: string | null;
  loading: boolean;
}

export function TimelineTab({ resourceId, currentId, ownResourceId, onShow, onOpen }: TimelineTabProps) {
  const [load, setLoad] = useState<Load>({ id: null, timeline: null, error: null, loading: false });
  /** Bumped to read the timeline again (Refresh, Retry, a new delivery about the resource). */
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (resourceId === null) return;
    let cancelled = false;
    // The same resource read again keeps what is shown until the new copy arrives.
    const keep = (l: Load) => (l.id === resourceId ? l.timeline : null);
    setLoad((l) => ({ id: resourceId, timeline: keep(l), error: null, loading: true }));
    readTimeline(resourceId).then(
      (timeline) => {
        if (!cancelled) setLoad({ id: resourceId, timeline, error: null, loading: false });
      },
      (e: unknown) => {
        if (!cancelled) setLoad((l) => ({ id: resourceId, timeline: keep(l), error: errorText(e), loading: false }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [resourceId, version]);

  const shownId = useRef(resourceId);
  useEffect(() => {
    shownId.current = resourceId;
  }, [resourceId]);
  const subscribe = useCallback(
    () =>
      onDeliveries((rows: Summary[]) => {
        if (rows.some((r) => r.resource?.id != null && r.resource.id === shownId.current)) refresh();
      }),
    [refresh],
  );
  useSubscription(subscribe, ignoreError);

  const current = load.id === resourceId ? load : null;
  return (
    <div className="st-timeline" data-testid="timeline" data-resource-id={resourceId ?? ''} data-state={stateOf(resourceId, current)}>
      <Lookup resourceId={resourceId} ownResourceId={ownResourceId} onShow={onShow} onRefresh={refresh} busy={current?.loading ?? false} />
      {resourceId === null ? (
        <p className="dt-empty" data-testid="timeline-empty">
          This delivery names no resource (its payload has no <code>data.id</code>), so it has no timeline. Type a
          resource id above to see one.
        </p>
      ) : (
        <>
          {current?.error != null && (
            <div className="dt-banner dt-banner-bad" role="alert" data-testid="timeline-error">
              Could not read the timeline of <code>{resourceId}</code>: {current.error}{' '}
              <button type="button" className="dt-btn dt-btn-small" onClick={refresh}>
                Retry
              </button>
            </div>
          )}
          {current?.timeline != null ? (
            <TimelineBody timeline={current.timeline} currentId={currentId} onOpen={onOpen} />
          ) : (
            current?.error == null && (
              <p className="dt-empty" data-testid="timeline-loading">
                Reading the timeline of <code>{resourceId}</code>…
              </p>
            )
          )}
        </>
      )}
    </div>
  );
}

function stateOf(resourceId: string | null, load: Load | null): string {
  if (resourceId === null) return 'none';
  if (load === null || load.loading) return 'loading';
  return load.error !== null ? 'failed' : 'loaded';
}

/** The resource shown, another to show instead, and a refresh. */
function Lookup({
  resourceId,
  ownResourceId,
  onShow,
  onRefresh,
  busy,
}: {
  resourceId: string | null;
  ownResourceId: string | null;
  onShow: (resourceId: string) => void;
  onRefresh: () => void;
  busy: boolean;
}) {
  // The field follows the resource shown until the user types another.
  const [draft, setDraft] = useState({ for: resourceId, text: resourceId ?? '' });
  const text = draft.for === resourceId ? draft.text : (resourceId ?? '');
  const wanted = text.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (wanted === '') return;
    if (wanted === resourceId) onRefresh();
    else onShow(wanted);
  };
  return (
    <form className="dt-toolbar" onSubmit={submit} data-testid="timeline-lookup">
      <label className="st-lookup">
        <span className="dt-muted">Resource id</span>
        <input
          type="text"
          className="st-lookup-input"
          value={text}
          spellCheck={false}
          autoComplete="off"
          placeholder="inq_…, act_…, ver_…"
          data-testid="timeline-lookup-input"
          onChange={(e) => setDraft({ for: resourceId, text: e.target.value })}
        />
      </label>
      <button type="submit" className="dt-btn" disabled={wanted === ''} data-testid="timeline-lookup-show">
        Show
      </button>
      {ownResourceId !== null && ownResourceId !== resourceId && (
        <button type="button" className="dt-link" data-testid="timeline-own" onClick={() => onShow(ownResourceId)}>
          back to this delivery's resource
        </button>
      )}
      <span className="dt-spacer" />
      {resourceId !== null && (
        <button type="button" className="dt-btn dt-btn-small" onClick={onRefresh} disabled={busy} data-testid="timeline-refresh">
          {busy ? 'Reading…' : 'Refresh'}
        </button>
      )}
    </form>
  );
}

export function TimelineBody({ timeline: t, currentId, onOpen }: { timeline: Timeline; currentId: number; onOpen: (id: number) => void }) {
  const view = timelineView(t, currentId);
  const list = useRef<HTMLOListElement>(null);

  // ↑/↓, Home and End move between the rows (each a button: Enter or Space opens it).
  const onKeyDown = (e: KeyboardEvent<HTMLOListElement>) => {
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.st-row') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = Math.min(at + 1, buttons.length - 1);
    else if (e.key === 'ArrowUp') next = Math.max(at - 1, 0);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = buttons.length - 1;
    if (next === null || buttons.length === 0) return;
    e.preventDefault();
    buttons[next]?.focus();
  };

  const kind = t.resource.type;
  return (
    <>
      <section className="dt-section">
        <h3>
          Timeline of {kind !== null && <code>{kind}</code>} <code>{t.resource.id}</code>
        </h3>
        {t.entries.length === 0 ? (
          <p className="dt-empty" data-testid="timeline-empty">
            {emptyText(t.resource.id, t.mentions.length)}
          </p>
        ) : (
          <>
            <p className="dt-muted" data-testid="timeline-summary">
              {plural(t.total_entries, 'delivery', 'deliveries')} about it, in the order Persona created the events;
              “Arrived” is the order they came in.{' '}
              {view.inOrder ? (
                <span className="dt-ok-text">They arrived in that order.</span>
              ) : (
                <strong className="dt-warn-text" data-testid="timeline-out-of-order">
                  They did not arrive in that order.
                </strong>
              )}
            </p>
            <div className="st-grid st-head" aria-hidden="true">
              <span>Created (UTC)</span>
              <span>Arrived</span>
              <span>Event</span>
              <span>Status</span>
              <span>Flags</span>
              <span />
            </div>
            <ol className="st-rows" ref={list} onKeyDown={onKeyDown} aria-label={`Deliveries about ${t.resource.id}, by created-at`}>
              {view.rows.map((row) => (
                <Row key={row.deliveryId} row={row} total={view.rows.length} onOpen={onOpen} />
              ))}
            </ol>
          </>
        )}
      </section>

      {view.legend.length > 0 && (
        <section className="dt-section">
          <h3>What the flags mean</h3>
          <dl className="st-legend" data-testid="timeline-legend">
            {view.legend.map((f) => (
              <div key={f.flag} className="st-legend-item" data-testid="timeline-legend-item" data-flag={f.flag}>
                <dt>
                  <FlagBadge flag={f} />
                </dt>
                <dd>
                  {f.why}{' '}
                  <span className="dt-muted">
                    ({f.deliveryIds.map((id) => `#${id}`).join(', ')})
                  </span>
                </dd>
              </div>
            ))}
          </dl>
        </section>
      )}

      {t.mentions.length > 0 && (
        <section className="dt-section">
          <h3>Mentioned in ({t.mentions.length})</h3>
          <p className="dt-muted">Deliveries about other resources that name this one:</p>
          <ul className="st-mentions" data-testid="timeline-mentions">
            {view.mentions.map((m) => (
              <li
                key={m.deliveryId}
                data-testid="timeline-mention"
                data-delivery-id={m.deliveryId}
                data-current={m.current}
                className={m.current ? 'is-current' : undefined}
              >
                <button type="button" className="dt-link" onClick={() => onOpen(m.deliveryId)} title={`Open delivery ${m.deliveryId}`}>
                  #{m.deliveryId} {m.eventName ?? 'no event name'}
                </button>{' '}
                {m.about !== null && (
                  <>
                    about <code>{m.about.type}</code> <ResourceLink id={m.about.id} />{' '}
                  </>
                )}
                <span className="dt-muted">
                  names it in {m.via}
                  {m.created !== null && ` · created ${m.created}`}
                </span>
                {m.current && <span className="dt-tag">this delivery</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      {t.notes.length > 0 && (
        <section className="dt-section">
          <h3>Left out</h3>
          <ul className="dt-notes" data-testid="timeline-notes">
            {t.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function FlagBadge({ flag }: { flag: FlagView }) {
  return (
    <span className={`dt-badge dt-badge-${flag.tone} st-flag`} data-testid="timeline-flag" data-flag={flag.flag} title={flag.why}>
      {flag.label}
    </span>
  );
}

function Row({ row, total, onOpen }: { row: TimelineRow; total: number; onOpen: (id: number) => void }) {
  const overtook = overtakenText(row.overtakenBy);
  const outOfOrder = row.flags.some((f) => f.flag === 'out_of_order');
  return (
    <li
      data-testid="timeline-row"
      data-delivery-id={row.deliveryId}
      data-rank={row.rank}
      data-flags={row.flags.map((f) => f.flag).join(' ')}
      data-current={row.current}
    >
      <button
        type="button"
        className={`st-grid st-row${row.current ? ' is-current' : ''}`}
        aria-current={row.current ? 'true' : undefined}
        onClick={() => onOpen(row.deliveryId)}
        title={`Open delivery ${row.deliveryId}`}
      >
        <span className="st-created" title={row.createdRaw ?? undefined}>
          {row.created ?? <span className="dt-none">no created-at</span>}
        </span>
        <span className="st-arrival" title={`Arrived ${row.rankText} of ${total}, at ${row.received}`}>
          <span className="st-lane" aria-hidden="true">
            <span className={outOfOrder ? 'st-dot st-dot-late' : 'st-dot'} style={{ left: `${row.lane * 100}%` }} />
          </span>
          <span className={`dt-badge ${outOfOrder ? 'dt-badge-warn' : 'dt-badge-muted'} st-rank`} data-testid="timeline-rank">
            {row.rankText}
          </span>
        </span>
        <span className="st-event">
          {row.eventName === null ? <span className="dt-none">no event name</span> : <code>{row.eventName}</code>}
          {row.current && <span className="st-this">this delivery</span>}
          {overtook !== null && (
            <span className="st-overtaken dt-warn-text" data-testid="timeline-overtaken">
              ↑ {overtook}
            </span>
          )}
        </span>
        <span className="st-status">{row.status === null ? <span className="dt-none">—</span> : <code>{row.status}</code>}</span>
        <span className="st-flags">
          {row.flags.map((f) => (
            <FlagBadge key={f.flag} flag={f} />
          ))}
        </span>
        <span className="st-id dt-muted">#{row.deliveryId}</span>
      </button>
    </li>
  );
}
