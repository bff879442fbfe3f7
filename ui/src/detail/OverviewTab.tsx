// The delivery at a glance: the event, its resource (its id opens the resource's timeline), the
// event's retry chain, timing, Persona's attempt headers, the request line, the body, and where
// the envelope departs from what Persona sends.

import type { ReactNode } from 'react';
import { SourceRows } from '../address/SourceRows.tsx';
import type { Detail } from '../bindings.ts';
import { attemptText, requestTarget, shortSize } from '../format/text.ts';
import { RETRIES } from '../persona/facts.ts';
import { RetryChain } from '../story/RetryChain.tsx';
import { ResourceLink } from '../story/StoryLinks.tsx';
import { eventDelay, retryTiming } from './delay.ts';
import { formatUnixSeconds, formatUtc, parseRfc3339 } from './timing.ts';

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function None({ children = '—' }: { children?: string }) {
  return <span className="dt-none">{children}</span>;
}

function headerValue(d: Detail, name: string): string | null {
  const h = d.headers.find(([n]) => n.toLowerCase() === name);
  return h === undefined ? null : h[1];
}

export function OverviewTab({ detail: d }: { detail: Detail }) {
  // A 413 kept no body, so nothing from the envelope is known: say that rather than "absent".
  const unknown = d.outcome === 'too_large' ? 'unknown: the body was not kept' : null;
  const delay = eventDelay(d);
  const createdMs = d.event_created_at === null ? null : parseRfc3339(d.event_created_at);
  const attempt = attemptText(d.attempts);
  const retry = retryTiming(d.attempts, d.received_at_ms);
  const forwardedFor = headerValue(d, 'x-forwarded-for');
  const contentType = headerValue(d, 'content-type');

  return (
    <div className="dt-overview" data-testid="overview">
      {d.outcome === 'too_large' && (
        <div className="dt-banner dt-banner-bad" role="status" data-testid="too-large">
          <strong>Answered 413 Payload Too Large.</strong> The body ({shortSize(d.body_size)}) was over
          the listener's size limit, so it was not kept; the headers were. Persona counts a 413 as a
          failed attempt and retries; raise the limit (<code>--max-body</code> on the CLI) to keep bodies that size.
        </div>
      )}

      <section className="dt-section">
        <h3>Event</h3>
        <dl className="dt-dl">
          <Row label="Name" testId="overview-event-name">
            {d.event_name === null ? (
              <None>{unknown ?? 'no event name (not a Persona event envelope)'}</None>
            ) : (
              <>
                <code>{d.event_name}</code>
                {d.event_group !== null && <span className="dt-tag">{d.event_group}</span>}
                {!d.known_event && (
                  <span
                    className="dt-tag"
                    title="Not in the inspector's catalog of Persona's events, taken from Persona's Events page. Persona keeps adding events, so this one may be newer than the catalog; it is kept and shown as it arrived."
                  >
                    not in the catalog (maybe newer)
                  </span>
                )}
              </>
            )}
          </Row>
          {d.event_description !== null && (
            <Row label="Means" testId="overview-event-description">
              {d.event_description}
            </Row>
          )}
          <Row label="Event id">
            {d.event_id === null ? <None>{unknown ?? '—'}</None> : <code>{d.event_id}</code>}
            {d.event_id !== null && d.event_deliveries > 1 && (
              <span className="dt-tag dt-tag-warn">
                {d.event_deliveries} stored deliveries carry this id: retries or duplicates; dedupe
                on it
              </span>
            )}
          </Row>
          <Row label="Resource">
            {d.resource === null ? (
              <None>{unknown ?? 'no payload.data'}</None>
            ) : (
              <>
                {d.resource.type === null ? <None>no type</None> : <code>{d.resource.type}</code>}{' '}
                {d.resource.id === null ? <None>no id</None> : <ResourceLink id={d.resource.id} />}
                {d.resource.status !== null && (
                  <span className="dt-tag" data-testid="overview-resource-status">
                    {d.resource.status}
                  </span>
                )}
              </>
            )}
          </Row>
        </dl>
      </section>

      <RetryChain detail={d} />

      <section className="dt-section">
        <h3>Timing</h3>
        <dl className="dt-dl">
          <Row label="Created">
            {d.event_created_at === null ? (
              <None>{unknown ?? 'no created-at'}</None>
            ) : (
              <span title={d.event_created_at}>
                {formatUtc(createdMs) ?? <code>{d.event_created_at}</code>}
              </span>
            )}
          </Row>
          <Row label="Received">
            <span title={d.received_at}>{formatUtc(d.received_at_ms) ?? d.received_at}</span>
          </Row>
          {unknown === null && (
            <Row label="Delay" testId="overview-delay">
              <span className={delay.warn ? 'dt-warn-text' : undefined}>{delay.text}</span>
              {delay.causes.length > 0 && (
                <div className="dt-muted" data-testid="overview-delay-causes">
                  {delay.causes.length === 1 ? 'What fits: ' : 'What fits, any of: '}
                  {delay.causes.join('; ')}.
                </div>
              )}
            </Row>
          )}
          <Row label="Attempts" testId="overview-attempt">
            {attempt === null ? (
              <None>no Persona-Webhook-Attempts-Made or -Left header</None>
            ) : (
              <>
                <span
                  title={`Persona-Webhook-Attempts-Made and -Left as sent: Persona increments Made and decrements Left at each attempt, up to ${RETRIES + 1} attempts in all (the first and ${RETRIES} retries)`}
                >
                  {attempt}
                </span>
                {d.attempts.left === 0 && (
                  <span className="dt-tag dt-tag-warn" title="Persona documents Attempts-Left as the number of times it will still attempt this delivery; its dashboard can still retry it by hand">
                    0 left: Persona makes no more automatic attempts
                  </span>
                )}
              </>
            )}
          </Row>
          {d.attempts.first_attempted_at !== null && (
            <Row label="First attempted">
              {formatUnixSeconds(d.attempts.first_attempted_at) ??
                String(d.attempts.first_attempted_at)}
            </Row>
          )}
          {retry !== null && <Row label="Schedule">{retry}</Row>}
        </dl>
      </section>

      <section className="dt-section">
        <h3>Request</h3>
        <dl className="dt-dl">
          <Row label="Line" testId="overview-request">
            <code>
              {d.method} {requestTarget(d.path, d.query)}
            </code>
          </Row>
          <Row label="From">
            {d.remote_addr === null ? <None /> : <code>{d.remote_addr}</code>}
            {forwardedFor !== null && (
              <>
                {' '}
                <span className="dt-muted">forwarded for</span> <code>{forwardedFor}</code>
              </>
            )}
          </Row>
          <SourceRows d={d} />
          <Row label="Body" testId="overview-body">
            <BodySummary d={d} contentType={contentType} />
          </Row>
        </dl>
      </section>

      {d.event_notes.length > 0 && (
        <section className="dt-section">
          <h3>Envelope notes</h3>
          <p className="dt-muted">Where this body departs from the envelope Persona sends:</p>
          <ul className="dt-notes" data-testid="event-notes">
            {d.event_notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function BodySummary({ d, contentType }: { d: Detail; contentType: string | null }) {
  const size = `${shortSize(d.body_size)}${d.body_size >= 1024 ? ` (${d.body_size} bytes)` : ''}`;
  if (d.outcome === 'too_large') return <>{size} announced or read — not kept</>;
  if (d.body_size === 0) return <>empty (0 bytes)</>;
  return (
    <>
      {size}
      {contentType !== null && <span className="dt-muted"> · {contentType}</span>}
      {d.parse_error === null ? (
        <span className="dt-muted"> · JSON</span>
      ) : (
        <div className="dt-warn-text" data-testid="overview-parse-error">
          Not JSON: {d.parse_error.message} at line {d.parse_error.line}, column{' '}
          {d.parse_error.column} (the Raw tab points at it).
        </div>
      )}
    </>
  );
}
