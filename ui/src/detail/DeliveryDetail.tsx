// One delivery in full: fetched by id, shown in tabs (Overview, Timeline, Headers, Signature,
// Payload, Included, Raw, Re-deliver). The Timeline tab shows the delivery's resource, or any
// resource id clicked in the other tabs; opening a delivery from it keeps that resource shown.
// The metadata comes as JSON and the body as raw bytes (two commands, in parallel); the body is
// decoded once per delivery and parsed once, when a tab needs the tree or the included resources'
// attributes. Every string from the capture is rendered as React text, never as HTML.

import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { deliveryBody, getDelivery, hasErrorKind, onRechecked, type Detail, type UnlistenFn } from '../bindings.ts';
import { badge } from '../format/text.ts';
import { bodyOf, type Body, type DecodedBody } from './body.ts';
import { errorText } from '../format/error.ts';
import { HeadersTab } from './HeadersTab.tsx';
import { IncludedTab } from './IncludedTab.tsx';
import { parseJson, type ParsedJson } from './jsonParse.ts';
import { OverviewTab } from './OverviewTab.tsx';
import { PayloadTab } from './PayloadTab.tsx';
import { RawTab } from './RawTab.tsx';
import { RedeliverTab } from './RedeliverTab.tsx';
import { SourceBadge } from '../provenance/SourceBadge.tsx';
import { ShareButtons } from './ShareButtons.tsx';
import { SignatureTab } from './SignatureTab.tsx';
import { StoryLinksProvider, type StoryLinks } from '../story/StoryLinks.tsx';
import { TimelineTab } from '../story/TimelineTab.tsx';
import './detail.css';

export interface DeliveryDetailProps {
  id: number;
  onClose: () => void;
  /** Opens another delivery in the list and here (from the timeline or the retry chain). */
  onOpenDelivery: (id: number) => void;
  /** Secrets were added from the Signature tab: the list's verdicts changed. */
  onSecretsChanged: () => void;
}

const TABS = ['overview', 'timeline', 'headers', 'signature', 'payload', 'included', 'raw', 'redeliver'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = {
  overview: 'Overview',
  timeline: 'Timeline',
  headers: 'Headers',
  signature: 'Signature',
  payload: 'Payload',
  included: 'Included',
  raw: 'Raw',
  redeliver: 'Re-deliver',
};

type Load =
  | { state: 'loading'; id: number }
  | { state: 'failed'; id: number; message: string; notFound: boolean }
  | { state: 'loaded'; id: number; detail: Detail; body: Uint8Array };

/** After a delivery shows, this long before its body is decoded (and then parsed) ahead of use. */
const PREWARM_DELAY_MS = 150;

type Decoded = DecodedBody;

/** `f`'s result, computed on the first call. */
function once<T>(f: () => T): () => T {
  let done = false;
  let value: T | undefined;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value as T;
  };
}

export function DeliveryDetail({ id, onClose, onOpenDelivery, onSecretsChanged }: DeliveryDetailProps) {
  const [load, setLoad] = useState<Load>({ state: 'loading', id });
  const [tab, setTab] = useState<Tab>('overview');
  /**
   * The resource the Timeline tab shows for delivery `forId`, when it is not that delivery's own
   * (a resource id clicked, or a delivery opened from a timeline). Another delivery opened from
   * the list shows its own resource again.
   */
  const [pinned, setPinned] = useState<{ forId: number; resource: string } | null>(null);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  /**
   * The delivery whose Re-deliver tab has been shown: it stays mounted (hidden) while other tabs
   * are read, so a half-edited request or a send in progress survives a look at the Raw tab.
   */
  const [redeliverFor, setRedeliverFor] = useState<number | null>(null);
  const idRef = useRef(id);
  const domId = useId();
  const tabId = (t: Tab) => `${domId}-tab-${t}`;
  const panelId = `${domId}-panel`;

  useEffect(() => {
    idRef.current = id;
    let cancelled = false;
    setLoad({ state: 'loading', id });
    setRefreshError(null);
    Promise.all([getDelivery(id), deliveryBody(id)]).then(
      ([detail, body]) => {
        if (!cancelled) setLoad({ state: 'loaded', id, detail, body });
      },
      (e: unknown) => {
        if (cancelled) return;
        const notFound = hasErrorKind(e, 'not_found');
        setLoad({ state: 'failed', id, message: errorText(e), notFound });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [id]);

  /**
   * Re-fetches in place (the verdict changed): what is shown stays until the new copy arrives. A
   * delivery's body never changes, so only the metadata is read again.
   */
  const reload = useCallback(async () => {
    const requested = idRef.current;
    try {
      const detail = await getDelivery(requested);
      if (idRef.current === requested) {
        setLoad((l) =>
          l.state === 'loaded' && l.id === requested ? { ...l, detail } : l,
        );
        setRefreshError(null);
      }
    } catch (e) {
      if (idRef.current === requested) setRefreshError(errorText(e));
      throw e;
    }
  }, []);

  // Verdicts are recomputed when secrets or the tolerance change anywhere in the app.
  useEffect(() => {
    let unlisten: UnlistenFn | undefined;
    let cancelled = false;
    onRechecked(() => {
      reload().catch(() => undefined);
    }).then(
      (u) => {
        if (cancelled) u();
        else unlisten = u;
      },
      () => undefined, // No event bridge (a plain browser): nothing to follow.
    );
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, [reload]);

  const detail = load.state === 'loaded' && load.id === id ? load.detail : null;
  useEffect(() => {
    if (tab === 'redeliver' && detail !== null) setRedeliverFor(detail.id);
  }, [tab, detail]);
  const bodyBytes =
    detail !== null && load.state === 'loaded' && detail.outcome === 'captured' ? load.body : null;

  // Decoded and parsed at most once per body, and only when a tab asks (Overview and Headers
  // never do). A reload (after a re-check) keeps the same bytes, so it decodes nothing again.
  const decoded = useMemo(
    () =>
      once((): Decoded => {
        if (bodyBytes === null) return null;
        try {
          return { ok: true, body: bodyOf(bodyBytes) };
        } catch (e) {
          return { ok: false, message: errorText(e) };
        }
      }),
    [bodyBytes],
  );
  const rustParseError = detail?.parse_error ?? null;
  const parsed = useMemo(
    () =>
      once((): ParsedJson | null => {
        const d = decoded();
        if (d === null || !d.ok || rustParseError !== null) return null;
        const text = d.body.text;
        return text === null || text === '' ? null : parseJson(text);
      }),
    [decoded, rustParseError],
  );

  // Decode and parse in idle time while the Overview is read, so opening Payload or Raw on a
  // multi-megabyte body costs only the rows on screen. One step per idle slot.
  useEffect(() => {
    if (bodyBytes === null) return;
    const steps = [() => void decoded(), () => void parsed()];
    let handle: number | undefined;
    const schedule = () => {
      const step = steps.shift();
      if (step === undefined) return;
      handle = window.setTimeout(() => {
        step();
        schedule();
      }, PREWARM_DELAY_MS);
    };
    schedule();
    return () => window.clearTimeout(handle);
  }, [bodyBytes, decoded, parsed]);

  const ownResource = detail?.resource?.id ?? null;
  const pinnedResource = pinned !== null && pinned.forId === id ? pinned.resource : null;
  const timelineResource = pinnedResource ?? ownResource;
  // While a delivery opened from the timeline loads, the timeline stays: its resource is known.
  const showTimeline = tab === 'timeline' && (detail !== null || pinnedResource !== null);

  const openTimeline = useCallback(
    (resource: string) => {
      setPinned({ forId: id, resource });
      setTab('timeline');
      // The link clicked goes with the tab it was in: keep the keyboard on the Timeline tab.
      document.getElementById(`${domId}-tab-timeline`)?.focus();
    },
    [id, domId],
  );
  const openFromTimeline = useCallback(
    (deliveryId: number) => {
      if (timelineResource !== null) setPinned({ forId: deliveryId, resource: timelineResource });
      onOpenDelivery(deliveryId);
    },
    [timelineResource, onOpenDelivery],
  );
  const links = useMemo<StoryLinks>(
    () => ({ openTimeline, openDelivery: onOpenDelivery }),
    [openTimeline, onOpenDelivery],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    const t = e.target as HTMLElement;
    if (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA') return;
    // Handled: the window-level shortcut that also closes the detail skips prevented events.
    e.preventDefault();
    onClose();
  };

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = TABS.indexOf(tab);
    let next: Tab | undefined;
    if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
    else if (e.key === 'ArrowLeft') next = TABS[(i - 1 + TABS.length) % TABS.length];
    else if (e.key === 'Home') next = TABS[0];
    else if (e.key === 'End') next = TABS[TABS.length - 1];
    if (next === undefined) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(tabId(next))?.focus();
  };

  return (
    <section
      className="dt-root"
      data-testid="detail"
      data-id={id}
      data-state={detail !== null ? 'loaded' : load.state}
      aria-label={`Delivery ${id}`}
      onKeyDown={onKeyDown}
    >
      <header className="dt-head">
        <div className="dt-title">
          <span className="dt-muted">#{id}</span>{' '}
          {detail === null ? (
            <span className="dt-muted">{load.state === 'failed' ? 'not loaded' : 'loading…'}</span>
          ) : (
            <>
              <strong className="dt-event-name">{detail.event_name ?? `${detail.method} ${detail.path}`}</strong>
              <SignatureBadge detail={detail} />
              <SourceBadge of={detail} className="dt-badge dt-badge-warn" />
            </>
          )}
        </div>
        {detail !== null && <ShareButtons id={detail.id} />}
        <button
          type="button"
          className="dt-btn dt-btn-small"
          onClick={onClose}
          data-testid="detail-close"
          title="Close (Esc)"
        >
          Close
        </button>
      </header>

      <div className="dt-tabs" role="tablist" aria-label="Delivery details">
        {TABS.map((t) => (
          <button
            key={t}
            id={tabId(t)}
            type="button"
            role="tab"
            className="dt-tab"
            aria-selected={tab === t}
            aria-controls={panelId}
            tabIndex={tab === t ? 0 : -1}
            data-testid={`tab-${t}`}
            onClick={() => setTab(t)}
            onKeyDown={onTabKey}
          >
            {TAB_NAMES[t]}
            {detail !== null && <TabHint tab={t} detail={detail} />}
          </button>
        ))}
      </div>

      {refreshError !== null && (
        <div className="dt-banner dt-banner-bad" role="alert">
          Could not refresh this delivery: {refreshError}
        </div>
      )}

      <div
        className="dt-panel"
        id={panelId}
        role="tabpanel"
        aria-labelledby={tabId(tab)}
        data-testid={`panel-${tab}`}
      >
        {load.state === 'failed' && load.id === id ? (
          <div className="dt-banner dt-banner-bad" role="alert" data-testid="detail-error">
            {load.notFound
              ? `Delivery ${id} is not in the store any more (purged?).`
              : `Could not load delivery ${id}: ${load.message}`}
          </div>
        ) : detail === null && !showTimeline ? (
          <p className="dt-empty" data-testid="detail-loading">
            Loading delivery {id}…
          </p>
        ) : (
          <StoryLinksProvider links={links}>
            {showTimeline ? (
              <TimelineTab
                resourceId={timelineResource}
                currentId={id}
                ownResourceId={ownResource}
                onShow={openTimeline}
                onOpen={openFromTimeline}
              />
            ) : (
              detail !== null &&
              tab !== 'redeliver' &&
              tab !== 'timeline' && (
                <TabPanel
                  tab={tab}
                  detail={detail}
                  decoded={decoded}
                  parsed={parsed}
                  reload={reload}
                  onSecretsChanged={onSecretsChanged}
                  showRaw={() => setTab('raw')}
                />
              )
            )}
            {detail !== null && (redeliverFor === detail.id || tab === 'redeliver') && (
              <div className="rd-keep" hidden={tab !== 'redeliver'}>
                <RedeliverTab key={detail.id} detail={detail} storedBody={decoded} />
              </div>
            )}
          </StoryLinksProvider>
        )}
      </div>
    </section>
  );
}

function SignatureBadge({ detail }: { detail: Detail }) {
  const { label, tone } = badge(detail.signature);
  return <span className={`dt-badge dt-badge-${tone}`}>{label}</span>;
}

function TabHint({ tab, detail }: { tab: Tab; detail: Detail }) {
  let hint: string | null = null;
  if (tab === 'headers') hint = String(detail.headers.length);
  else if (tab === 'included') hint = String(detail.included.length);
  else if (tab === 'signature') hint = badge(detail.signature).label;
  else if (tab === 'payload' && detail.parse_error !== null) hint = 'not JSON';
  if (hint === null) return null;
  return <span className="dt-tab-hint">{hint}</span>;
}

interface TabPanelProps {
  tab: Exclude<Tab, 'redeliver' | 'timeline'>;
  detail: Detail;
  decoded: () => Decoded;
  parsed: () => ParsedJson | null;
  reload: () => Promise<void>;
  onSecretsChanged: () => void;
  showRaw: () => void;
}

function TabPanel({ tab, detail, decoded: decode, parsed, reload, onSecretsChanged, showRaw }: TabPanelProps) {
  const needsBody = tab === 'signature' || tab === 'payload' || tab === 'raw';
  const decoded = needsBody ? decode() : null;
  const body = decoded !== null && decoded.ok ? decoded.body : null;
  switch (tab) {
    case 'overview':
      return <OverviewTab detail={detail} />;
    case 'headers':
      return <HeadersTab headers={detail.headers} />;
    case 'signature':
      return (
        <SignatureTab detail={detail} body={body} reload={reload} onSecretsChanged={onSecretsChanged} />
      );
    case 'included':
      return <IncludedTab detail={detail} parsed={parsed} />;
    case 'payload':
    case 'raw': {
      const missing = bodyMissing(detail, decoded);
      if (missing !== null) return missing;
      if (body === null) return null;
      if (tab === 'raw') {
        return <RawTab body={body} parseError={detail.parse_error} parsed={parsed} />;
      }
      return <PayloadPanel detail={detail} body={body} parsed={parsed} showRaw={showRaw} />;
    }
  }
}

/** Why there is no body to show, or null when there is one. */
function bodyMissing(detail: Detail, decoded: Decoded) {
  if (detail.outcome === 'too_large') {
    return (
      <p className="dt-empty" data-testid="body-not-kept">
        The body was not kept: it was over the listener's size limit and answered 413.
      </p>
    );
  }
  if (decoded !== null && !decoded.ok) {
    return (
      <div className="dt-banner dt-banner-bad" role="alert">
        Could not decode the stored body: {decoded.message}
      </div>
    );
  }
  return null;
}

function PayloadPanel({
  detail,
  body,
  parsed,
  showRaw,
}: {
  detail: Detail;
  body: Body;
  parsed: () => ParsedJson | null;
  showRaw: () => void;
}) {
  const rawLink = (
    <button type="button" className="dt-link" onClick={showRaw}>
      see the Raw tab
    </button>
  );
  if (body.bytes.length === 0) {
    return <p className="dt-empty" data-testid="payload-tree">The body is empty.</p>;
  }
  if (detail.parse_error !== null) {
    const e = detail.parse_error;
    return (
      <p className="dt-empty" data-testid="payload-tree">
        The body is not JSON: {e.message} at line {e.line}, column {e.column} — {rawLink}.
      </p>
    );
  }
  if (body.text === null) {
    return (
      <p className="dt-empty" data-testid="payload-tree">
        The body is not UTF-8 text, so it has no tree — {rawLink}.
      </p>
    );
  }
  const result = parsed();
  if (result === null || !result.ok) {
    return (
      <p className="dt-empty" data-testid="payload-tree">
        This webview could not parse the body{result !== null && !result.ok ? `: ${result.message}` : ''} —{' '}
        {rawLink}.
      </p>
    );
  }
  return <PayloadTab key={detail.id} root={result.value} imprecise={result.imprecise} />;
}
