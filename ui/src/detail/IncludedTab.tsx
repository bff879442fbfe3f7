// The JSON:API side of the payload: the resource's relationships, each target either a link to its
// `included` card, the primary resource itself, or an explanation of why Persona left it out and
// where its API reference documents fetching it (src/catalog/api_paths.tsv; no path otherwise).
// Every resource id opens that resource's timeline.

import { useEffect, useRef, useState } from 'react';
import type { ApiPath, Detail, Outline, Relationship, Target } from '../bindings.ts';
import { ResourceLink } from '../story/StoryLinks.tsx';
import { CopyButton } from './CopyButton.tsx';
import { attributeEntries, compactJson, includedAttributes } from './attributes.ts';
import { RawNumber, type ParsedJson } from './jsonParse.ts';
import { notIncluded, type MissingResource } from './related.ts';

/** Cards rendered at first; payloads can include thousands of resources. */
const PAGE = 50;
/** Attributes listed per card before "show all". */
const ATTRIBUTES_SHOWN = 30;
const HIGHLIGHT_MS = 2000;

/**
 * `parsed` is the window's one parse of the body: the cards' attributes come from it (the Rust
 * side sends each resource's type, id, status and resolved relationships, not its attributes).
 */
export function IncludedTab({ detail, parsed }: { detail: Detail; parsed: () => ParsedJson | null }) {
  const [shown, setShown] = useState(PAGE);
  const [highlight, setHighlight] = useState<{ index: number; nonce: number } | null>(null);
  const cards = useRef(new Map<number, HTMLElement>());

  const jump = (index: number) => {
    setShown((s) => Math.max(s, index + 1));
    setHighlight((h) => ({ index, nonce: (h?.nonce ?? 0) + 1 }));
  };

  useEffect(() => {
    if (highlight === null) return;
    const el = cards.current.get(highlight.index);
    el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el?.focus({ preventScroll: true });
    const timer = window.setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => window.clearTimeout(timer);
  }, [highlight]);

  const included = detail.included;
  const result = included.length > 0 ? parsed() : null;
  const attributes = result !== null && result.ok ? includedAttributes(result.value) : null;
  const resource = detail.resource;
  const missing = notIncluded(detail.relationships);
  return (
    <div className="dt-included">
      <section className="dt-section">
        <h3>
          Relationships of{' '}
          {resource?.type != null ? <code>{resource.type}</code> : 'the resource'}
          {resource?.id != null && (
            <>
              {' '}
              <ResourceLink id={resource.id} />
            </>
          )}
        </h3>
        {detail.relationships.length === 0 ? (
          <p className="dt-empty" data-testid="relationships-empty">
            The resource lists no relationships.
          </p>
        ) : (
          <Relationships rels={detail.relationships} onJump={jump} testId="relationships" />
        )}
        {missing.length > 0 && (
          <p className="dt-note" data-testid="not-included-why">
            {/* Persona's docs, "Webhook Allowlists" and the changelog of January 28, 2026. */}
            Persona puts in <code>included</code> only the related resources named by the webhook's
            Included Allowlist (its Payload Configuration tab in Persona's dashboard); webhooks
            created since January 28, 2026 include none until it is set. A handler that needs a
            resource marked “not included” fetches it from Persona's API.
          </p>
        )}
      </section>

      <section className="dt-section">
        <h3>Included ({included.length})</h3>
        {included.length === 0 ? (
          <p className="dt-empty" data-testid="included-empty">
            <code>payload.included</code> is empty: Persona sent no related resources with this
            event (the webhook's Included Allowlist names none for it). Fetch what the handler needs
            from Persona's API.
          </p>
        ) : (
          <>
            {attributes === null && (
              <p className="dt-note" data-testid="included-no-attributes">
                This webview could not parse the body
                {result !== null && !result.ok ? ` (${result.message})` : ''}, so the cards show no
                attributes: the Raw tab has them.
              </p>
            )}
            <div className="dt-cards">
              {included.slice(0, shown).map((res, i) => (
                <Card
                  key={i}
                  res={res}
                  attributes={attributes?.[i]}
                  index={i}
                  highlighted={highlight?.index === i}
                  onJump={jump}
                  refCallback={(el) => {
                    if (el === null) cards.current.delete(i);
                    else cards.current.set(i, el);
                  }}
                />
              ))}
            </div>
            {shown < included.length && (
              <p>
                <button type="button" className="dt-btn" onClick={() => setShown((s) => s + PAGE * 4)}>
                  Show {Math.min(PAGE * 4, included.length - shown)} more
                </button>{' '}
                <span className="dt-muted">
                  {included.length - shown} of {included.length} not shown yet
                </span>
              </p>
            )}
          </>
        )}
      </section>

      {missing.length > 0 && (
        <section className="dt-section">
          <h3>Related, not included ({missing.length})</h3>
          <div className="dt-cards">
            {missing.slice(0, shown).map((m) => (
              <MissingCard key={JSON.stringify([m.type, m.id])} missing={m} />
            ))}
          </div>
          {missing.length > shown && (
            <p className="dt-muted">{missing.length - shown} more are listed under Relationships.</p>
          )}
        </section>
      )}
    </div>
  );
}

/** Where Persona's API reference documents fetching it, or that it does not (no path is made up). */
function ApiFetch({ api, short }: { api: ApiPath | null; short?: boolean }) {
  if (api === null) {
    return (
      <span className="dt-muted" data-testid="api-path-none">
        {short ? 'fetch it through Persona’s API' : 'Fetch it through Persona’s API; the inspector has no documented path for its type.'}
      </span>
    );
  }
  return (
    <>
      {short && <span className="dt-muted">fetch it with</span>}{' '}
      <code data-testid="api-path" title={`Documented at ${api.source}`}>
        GET {api.path}
      </code>{' '}
      <CopyButton text={`GET ${api.path}`} />
    </>
  );
}

/** A card for a resource the payload points at but does not carry: where to get it instead. */
function MissingCard({ missing: m }: { missing: MissingResource }) {
  return (
    <article
      className="dt-card dt-card-missing"
      data-testid="included-card"
      data-type={m.type}
      data-id={m.id}
      data-included="false"
    >
      <header className="dt-card-head">
        <code className="dt-card-type">{m.type}</code>
        <ResourceLink id={m.id} />
        <span className="dt-tag dt-tag-warn">not included</span>
      </header>
      <p className="dt-muted">
        Named by {m.via.length === 1 ? 'the relationship' : 'the relationships'}{' '}
        {m.via.map((v, i) => (
          <span key={v}>
            {i > 0 && ', '}
            <code>{v}</code>
          </span>
        ))}
        , but not in <code>payload.included</code>.
      </p>
      <p>
        <ApiFetch api={m.api} />
      </p>
    </article>
  );
}

function Relationships({
  rels,
  onJump,
  testId,
}: {
  rels: Relationship[];
  onJump: (index: number) => void;
  testId?: string;
}) {
  return (
    <ul className="dt-rels" data-testid={testId}>
      {rels.map((rel, i) => (
        <li key={i} data-testid="relationship" data-name={rel.name}>
          <span className="dt-rel-name">{rel.name}</span>{' '}
          <span className="dt-muted">{rel.to_many ? 'to-many' : 'to-one'}</span>
          {rel.targets.length === 0 ? (
            <span className="dt-muted"> — {rel.to_many ? 'empty list' : 'no data (null)'}</span>
          ) : (
            <Targets targets={rel.targets} onJump={onJump} />
          )}
        </li>
      ))}
    </ul>
  );
}

/** Targets listed before "show all": a to-many can point at thousands of resources. */
const TARGETS_SHOWN = 50;

function Targets({ targets, onJump }: { targets: Target[]; onJump: (index: number) => void }) {
  const [all, setAll] = useState(false);
  const shown = all ? targets : targets.slice(0, TARGETS_SHOWN);
  return (
    <ul>
      {shown.map((t, j) => (
        <TargetItem key={j} target={t} onJump={onJump} />
      ))}
      {targets.length > TARGETS_SHOWN && (
        <li>
          <button type="button" className="dt-link" onClick={() => setAll((a) => !a)}>
            {all ? 'show fewer' : `show all ${targets.length}`}
          </button>
        </li>
      )}
    </ul>
  );
}

function TargetItem({ target: t, onJump }: { target: Target; onJump: (index: number) => void }) {
  if (t.included && t.included_index !== null) {
    const index = t.included_index;
    return (
      <li data-testid="relationship-target" data-included="true">
        <code>{t.type}</code> <ResourceLink id={t.id} />{' '}
        <button
          type="button"
          className="dt-link"
          onClick={() => onJump(index)}
          data-testid="relationship-jump"
          title="Show its included card"
        >
          its card ↓
        </button>
      </li>
    );
  }
  if (t.primary) {
    return (
      <li data-testid="relationship-target" data-included="primary">
        <code>{t.type}</code> <ResourceLink id={t.id} />{' '}
        <span className="dt-tag" title="The resource this event is about: payload.data, at the top of this tab">
          the primary resource (payload.data)
        </span>
      </li>
    );
  }
  return (
    <li data-testid="relationship-target" data-included="false">
      <code>{t.type}</code> <ResourceLink id={t.id} />{' '}
      <span className="dt-tag dt-tag-warn">not included</span> <ApiFetch api={t.api} short />
    </li>
  );
}

function Card({
  res,
  attributes,
  index,
  highlighted,
  onJump,
  refCallback,
}: {
  res: Outline;
  /** `payload.included[index].attributes` as parsed here; undefined when absent. */
  attributes: unknown;
  index: number;
  highlighted: boolean;
  onJump: (index: number) => void;
  refCallback: (el: HTMLElement | null) => void;
}) {
  const [allAttributes, setAllAttributes] = useState(false);
  const entries = attributeEntries(attributes);
  const visible = allAttributes ? entries : entries.slice(0, ATTRIBUTES_SHOWN);
  return (
    <article
      ref={refCallback}
      className={highlighted ? 'dt-card is-highlighted' : 'dt-card'}
      data-testid="included-card"
      data-type={res.type}
      data-id={res.id}
      data-index={index}
      tabIndex={-1}
    >
      <header className="dt-card-head">
        {res.type === '' ? <span className="dt-none">no type</span> : <code className="dt-card-type">{res.type}</code>}
        {res.id === '' ? <span className="dt-none">no id</span> : <ResourceLink id={res.id} />}
        {res.status !== null && <span className="dt-tag">{res.status}</span>}
      </header>
      {attributes === null || attributes === undefined ? (
        <p className="dt-muted">No attributes.</p>
      ) : entries.length === 0 ? (
        <p className="dt-muted">
          {typeof attributes === 'object' ? 'Attributes are empty.' : `Attributes: ${compactJson(attributes, 200)}`}
        </p>
      ) : (
        <dl className="dt-attrs">
          {visible.map(([k, v]) => (
            <AttributeRow key={k} name={k} value={v} />
          ))}
        </dl>
      )}
      {entries.length > ATTRIBUTES_SHOWN && (
        <button type="button" className="dt-link" onClick={() => setAllAttributes((a) => !a)}>
          {allAttributes ? 'show fewer' : `show all ${entries.length} attributes`}
        </button>
      )}
      {res.relationships.length > 0 && (
        <details className="dt-card-rels">
          <summary>Relationships ({res.relationships.length})</summary>
          <Relationships rels={res.relationships} onJump={onJump} />
        </details>
      )}
    </article>
  );
}

function AttributeRow({ name, value }: { name: string; value: unknown }) {
  if (value instanceof RawNumber) {
    // A number a double would round, kept as written by the parse.
    return (
      <>
        <dt>{name}</dt>
        <dd>
          <code className="dt-v dt-v-number">{value.raw}</code>
        </dd>
      </>
    );
  }
  const nested = value !== null && typeof value === 'object';
  return (
    <>
      <dt>{name}</dt>
      <dd>
        {nested ? (
          <details>
            <summary>
              <code className="dt-v">{compactJson(value, 120)}</code>
            </summary>
            <pre className="dt-pre">{JSON.stringify(value, null, 2)}</pre>
          </details>
        ) : (
          <code className={`dt-v dt-v-${value === null ? 'null' : typeof value}`}>
            {compactJson(value, 300)}
          </code>
        )}
      </dd>
    </>
  );
}
