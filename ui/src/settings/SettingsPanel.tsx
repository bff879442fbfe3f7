// Settings, as a drawer over the window: secrets, verification and replies, notifications, how
// long deliveries are kept, Persona's webhook addresses, the listener's port.

import { useEffect, useRef } from 'react';
import type { AppSettings, ListenerStatus, SecretsChanged } from '../bindings.ts';
import { listenerUrl } from '../format/text.ts';
import { PersonaAddressesSection } from './PersonaAddressesSection.tsx';
import { PortForm } from './PortForm.tsx';
import { ReplySection } from './ReplySection.tsx';
import { RetentionSection } from './RetentionSection.tsx';
import { SecretsSection } from './SecretsSection.tsx';

export interface SettingsPanelProps {
  settings: AppSettings | null;
  /** Why the settings could not be read. */
  error: string | null;
  onRetry: () => void;
  onSettings: (next: AppSettings) => void;
  onSecretsChanged: (result: SecretsChanged) => void;
  listener: ListenerStatus | null;
  onListener: (status: ListenerStatus) => void;
  onClose: () => void;
}

export function SettingsPanel(props: SettingsPanelProps) {
  const { settings, error, onRetry, onSettings, onSecretsChanged, listener, onListener, onClose } = props;
  const panel = useRef<HTMLElement>(null);

  // Focus moves into the drawer and back to where it was on close.
  useEffect(() => {
    const before = document.activeElement;
    panel.current?.focus();
    return () => {
      if (before instanceof HTMLElement) before.focus({ preventScroll: true });
    };
  }, []);

  return (
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <aside
        ref={panel}
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        data-testid="settings"
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="drawer-head">
          <h2 id="settings-title">Settings</h2>
          <button type="button" className="button button-quiet" data-testid="close-settings" onClick={onClose}>
            Close
          </button>
        </header>
        {error !== null && (
          <div className="banner banner-bad" role="alert">
            Could not read the settings: {error}{' '}
            <button type="button" className="button" onClick={onRetry}>
              Retry
            </button>
          </div>
        )}
        {settings === null && error === null && <p className="empty-note">Loading…</p>}
        {settings !== null && (
          <>
            <SecretsSection secrets={settings.secrets} onChanged={onSecretsChanged} />
            <ReplySection settings={settings} onSettings={onSettings} />
            <RetentionSection settings={settings} onSettings={onSettings} />
            <PersonaAddressesSection settings={settings} onSettings={onSettings} />
          </>
        )}
        <section className="settings-section" aria-labelledby="listener-title">
          <h3 id="listener-title">Listener</h3>
          {listener?.state === 'listening' && (
            <p className="section-note">
              Listening on <code className="mono">{listenerUrl(listener.address, listener.port)}</code>; captures are
              stored in <code className="mono">{listener.data_dir}</code>.
            </p>
          )}
          {listener?.state === 'failed' && (
            <p className="field-error">
              Not listening on port {listener.port}: {listener.message}
            </p>
          )}
          <PortForm key={listener?.port ?? settings?.port ?? 0} port={listener?.port ?? settings?.port ?? 4747} onStatus={onListener} />
          <p className="section-note">The port is saved when listening on it works, and used at the next launch.</p>
        </section>
      </aside>
    </div>
  );
}
