// The first screen: the listener's state, and the deliveries newest first, updated live.
// Every string that comes from a capture is rendered as React text (escaped), never as HTML.

import { useCallback, useEffect, useRef, useState } from 'react';
import {
  isCommandError,
  listDeliveries,
  listenerStatus,
  onDeliveries,
  type ListenerStatus,
  type Summary,
  type UnlistenFn,
  type Verdict,
} from './bindings.ts';
import { attemptText, badge, listenerUrl, requestTarget, shortSize, timeOfDay } from './format.ts';

/** What the first page asks for, and how many rows the live list keeps. */
const PAGE = 200;
const KEEP = 2000;

function errorText(e: unknown): string {
  if (isCommandError(e) || e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** Newest first, one row per id: later copies of a row replace earlier ones. */
function merge(current: Summary[], incoming: Summary[]): Summary[] {
  const byId = new Map<number, Summary>();
  for (const row of current) byId.set(row.id, row);
  for (const row of incoming) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, KEEP);
}

export function App() {
  const [listener, setListener] = useState<ListenerStatus | null>(null);
  const [listenerError, setListenerError] = useState<string | null>(null);
  const [rows, setRows] = useState<Summary[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<{ kind: string; message: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    listenerStatus().then(
      (s) => {
        if (!cancelled) setListener(s);
      },
      (e: unknown) => {
        if (!cancelled) setListenerError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    let unlisten: UnlistenFn | undefined;
    // Subscribe before the first page is read, so nothing committed in between is missed;
    // merging by id absorbs the overlap.
    onDeliveries((incoming) => {
      if (!cancelled) setRows((current) => merge(current, incoming));
    })
      .then((u) => {
        if (cancelled) u();
        else unlisten = u;
      })
      .catch((e: unknown) => {
        if (!cancelled) setLoadError({ kind: 'live', message: `live updates: ${errorText(e)}` });
      })
      .then(() => listDeliveries({ limit: PAGE }))
      .then(
        (page) => {
          if (cancelled) return;
          setRows((current) => merge(current, page));
          setLoaded(true);
        },
        (e: unknown) => {
          if (cancelled) return;
          setLoadError({ kind: isCommandError(e) ? e.kind : 'unknown', message: errorText(e) });
          setLoaded(true);
        },
      );
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }, []);

  return (
    <div className="app">
      <Header listener={listener} error={listenerError} />
      {/* When the listener failed, the header already says why the store is unavailable. */}
      {loadError !== null && !(listener?.state === 'failed' && loadError.kind === 'unavailable') && (
        <div className="banner banner-bad" role="alert" data-testid="load-error">
          Could not read the deliveries: {loadError.message}
        </div>
      )}
      <main className="content">
        <Deliveries rows={rows} loaded={loaded} listener={listener} />
      </main>
    </div>
  );
}

function Header({ listener, error }: { listener: ListenerStatus | null; error: string | null }) {
  return (
    <header className="header">
      <div className="header-row">
        <h1 className="title">Persona Webhook Inspector</h1>
        <ListenerLine listener={listener} error={error} />
      </div>
      {listener?.state === 'failed' && (
        <div className="banner banner-bad" role="alert" data-testid="listener-failed">
          <strong>Not listening on port {listener.port}.</strong> {listener.message}
        </div>
      )}
      {error !== null && (
        <div className="banner banner-bad" role="alert" data-testid="listener-failed">
          <strong>Listener state unknown.</strong> {error}
        </div>
      )}
    </header>
  );
}

function ListenerLine({ listener, error }: { listener: ListenerStatus | null; error: string | null }) {
  if (error !== null) return null;
  if (listener === null) {
    return <span className="listener listener-pending">Starting the listener…</span>;
  }
  if (listener.state === 'failed') {
    return <span className="listener listener-off">Not listening</span>;
  }
  const url = listenerUrl(listener.address, listener.port);
  return (
    <div className="listener" data-testid="listener-status">
      <span className="dot" aria-hidden="true" />
      <span>
        Listening on <code className="mono">{url}</code>
      </span>
      <span className="sep" aria-hidden="true">
        ·
      </span>
      <span className="expose">expose it with</span>
      <CopyCommand text={`ngrok http ${listener.port}`} />
      <span className="data-dir" title="Where the captures are stored">
        {listener.data_dir}
      </span>
    </div>
  );
}

function CopyCommand({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  const codeRef = useRef<HTMLElement>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const copy = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard access: select the text so Ctrl/Cmd+C does it.
      const node = codeRef.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
    }
  }, [text]);

  return (
    <span className="copy">
      <code ref={codeRef} className="mono command" data-testid="ngrok-command">
        {text}
      </code>
      <button type="button" className="copy-button" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

function Deliveries({
  rows,
  loaded,
  listener,
}: {
  rows: Summary[];
  loaded: boolean;
  listener: ListenerStatus | null;
}) {
  if (rows.length === 0) {
    if (!loaded) return <p className="empty">Loading…</p>;
    if (listener?.state === 'failed') {
      return <p className="empty">Nothing is captured while the listener is not running.</p>;
    }
    const port = listener?.port ?? 4747;
    return (
      <div className="empty" data-testid="empty">
        <p>No deliveries yet.</p>
        <p>
          Run <code className="mono">ngrok http {port}</code> and paste the forwarding URL into
          Persona’s dashboard (Integration → Webhooks). Deliveries appear here as they arrive.
        </p>
      </div>
    );
  }
  return (
    <table className="deliveries">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Request</th>
          <th scope="col">Event</th>
          <th scope="col">Resource</th>
          <th scope="col">Signature</th>
          <th scope="col">Attempt</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <DeliveryRow key={row.id} row={row} />
        ))}
      </tbody>
    </table>
  );
}

function DeliveryRow({ row }: { row: Summary }) {
  const attempt = attemptText(row.attempts);
  const target = requestTarget(row.path, row.query);
  return (
    <tr data-testid="delivery-row" data-id={row.id}>
      <td className="mono time" title={row.received_at}>
        {timeOfDay(row.received_at_ms)}
      </td>
      <td className="request" title={target}>
        <span className="mono method">{row.method}</span> <span className="mono">{target}</span>
        {row.outcome === 'too_large' && (
          <span className="tag tag-bad" title={`body not kept (${shortSize(row.body_size)})`}>
            413 too large
          </span>
        )}
        {row.parse_error !== null && (
          <span
            className="tag tag-warn"
            title={`${row.parse_error.message} at line ${row.parse_error.line} column ${row.parse_error.column}`}
          >
            not JSON
          </span>
        )}
      </td>
      <td className="event">
        {row.event_name === null ? (
          <span className="none">—</span>
        ) : (
          <>
            <span className="mono">{row.event_name}</span>
            {!row.known_event && (
              <span className="tag tag-muted" title="Not in Persona’s event catalog">
                unknown
              </span>
            )}
          </>
        )}
        {row.event_deliveries > 1 && (
          <span
            className="tag tag-muted"
            title={`${row.event_deliveries} stored deliveries carry this event id`}
          >
            ×{row.event_deliveries}
          </span>
        )}
      </td>
      <td className="mono resource" title={row.resource?.status ?? undefined}>
        {row.resource?.id ?? <span className="none">—</span>}
      </td>
      <td>
        <SignatureBadge verdict={row.signature} />
      </td>
      <td className="attempt">{attempt ?? <span className="none">—</span>}</td>
    </tr>
  );
}

function SignatureBadge({ verdict }: { verdict: Verdict }) {
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
