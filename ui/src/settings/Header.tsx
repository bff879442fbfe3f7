// The window's header: the listener's state (URL and the ngrok command, or the public URL a
// running ngrok agent forwards here, or why it is not listening with a port to try instead), and
// the actions always at hand.

import type { ReactNode } from 'react';
import type { ListenerStatus } from '../bindings.ts';
import { CopyCommand } from '../firstrun/CopyCommand.tsx';
import { listenerUrl } from '../format/text.ts';
import { NgrokElsewhere, NgrokTunnel } from '../ngrok/NgrokNotes.tsx';
import { ngrokView, type NgrokView } from '../ngrok/ngrokView.ts';
import { useNgrok } from '../ngrok/useNgrok.ts';
import { PortForm } from './PortForm.tsx';

export interface HeaderProps {
  listener: ListenerStatus | null;
  error: string | null;
  /** The first-run guide shows the ngrok command itself. */
  showCommand: boolean;
  /** The first-run guide offers samples itself. */
  showSample: boolean;
  /** The port form lives in Settings while it is open (one `port-input` at a time). */
  settingsOpen: boolean;
  onOpenSettings: () => void;
  /** Opens the "Import" dialog (fixtures or HAR). */
  onOpenImport: () => void;
  /** Opens the "Purge deliveries" dialog. */
  onOpenPurge: () => void;
  /** Opens "Check my endpoint". */
  onOpenCheck: () => void;
  onListener: (s: ListenerStatus) => void;
  /** Opens "Send a sample event…". */
  onOpenSample: () => void;
  /** The forwarding status, which opens its dialog. */
  forwarding: ReactNode;
}

export function Header(props: HeaderProps) {
  const { listener, error, showCommand, showSample, settingsOpen, onOpenSettings, onOpenImport, onOpenPurge, onOpenCheck, onListener, onOpenSample, forwarding } =
    props;
  const ngrok = ngrokView(useNgrok(listener?.state === 'listening' ? listener.port : null));
  return (
    <header className="header">
      <div className="header-row">
        <h1 className="title">Persona Webhook Inspector</h1>
        <ListenerLine listener={listener} error={error} showCommand={showCommand} ngrok={ngrok} />
        <div className="header-actions">
          {showSample && (
            <button
              type="button"
              className="button"
              data-testid="open-sample"
              title="Send a made-up, signed Persona event of any kind to this inspector or to your handler"
              onClick={onOpenSample}
            >
              Send a sample event…
            </button>
          )}
          {forwarding}
          <button
            type="button"
            className="button"
            data-testid="open-import"
            title="Load deliveries a teammate exported as fixtures or as a HAR file"
            onClick={onOpenImport}
          >
            Import…
          </button>
          <button
            type="button"
            className="button"
            data-testid="open-purge"
            title="Delete stored deliveries, all or those older than some days"
            onClick={onOpenPurge}
          >
            Purge…
          </button>
          <button
            type="button"
            className="button"
            data-testid="open-check"
            title="Send your handler Persona's cases (signed, forged, replayed, retried…) and see what it does with each"
            onClick={onOpenCheck}
          >
            Check my endpoint…
          </button>
          <button type="button" className="button" data-testid="open-settings" onClick={onOpenSettings}>
            Settings
          </button>
        </div>
      </div>
      {ngrok?.kind === 'elsewhere' && <NgrokElsewhere view={ngrok} />}
      {listener?.state === 'failed' && (
        <div className="banner banner-bad listener-failed" role="alert" data-testid="listener-failed">
          <p>
            <strong>Not listening on port {listener.port}.</strong> {listener.message}
          </p>
          <p className="banner-note">Nothing is captured until the listener runs. Pick another port:</p>
          {settingsOpen ? (
            <p className="banner-note">Change the port in Settings.</p>
          ) : (
            <PortForm key={listener.port} port={listener.port} onStatus={onListener} />
          )}
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

function ListenerLine({
  listener,
  error,
  showCommand,
  ngrok,
}: {
  listener: ListenerStatus | null;
  error: string | null;
  showCommand: boolean;
  ngrok: NgrokView | null;
}) {
  if (error !== null) return null;
  if (listener === null) return <span className="listener listener-pending">Starting the listener…</span>;
  if (listener.state === 'failed') return <span className="listener listener-off">Not listening</span>;
  const url = listenerUrl(listener.address, listener.port);
  return (
    <div className="listener" data-testid="listener-status" title={`Captures are stored in ${listener.data_dir}`}>
      <span className="dot" aria-hidden="true" />
      <span>
        Listening on <code className="mono">{url}</code>
      </span>
      {ngrok?.kind === 'tunnel' ? (
        <>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <NgrokTunnel view={ngrok} />
        </>
      ) : showCommand ? (
        <>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span className="expose">expose it with</span>
          <CopyCommand text={`ngrok http ${listener.port}`} testId="ngrok-command" />
        </>
      ) : null}
    </div>
  );
}
