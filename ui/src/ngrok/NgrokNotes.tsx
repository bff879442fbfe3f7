// The header's ngrok parts: the tunnel's public URL with a Copy button and where to paste it, or a
// warning when ngrok forwards to another port. Nothing at all when no agent runs.

import { CopyCommand } from '../firstrun/CopyCommand.tsx';
import type { NgrokView } from './ngrokView.ts';

/** Beside the listener's URL: the public URL that leads to it. */
export function NgrokTunnel({ view }: { view: Extract<NgrokView, { kind: 'tunnel' }> }) {
  return (
    <span className="ngrok-tunnel" data-testid="ngrok-tunnel" title={view.title}>
      <span className="expose">ngrok:</span>
      <CopyCommand text={view.url} testId="ngrok-url" copyTestId="ngrok-url-copy" />
      <span className="expose" data-testid="ngrok-hint">
        {view.hint}
      </span>
    </span>
  );
}

/** Under the header's row: ngrok runs, but its tunnels lead elsewhere. */
export function NgrokElsewhere({ view }: { view: Extract<NgrokView, { kind: 'elsewhere' }> }) {
  return (
    <div className="banner banner-warn ngrok-elsewhere" role="status" data-testid="ngrok-elsewhere" title={view.title}>
      <span data-testid="ngrok-elsewhere-text">{view.text}</span>
      <CopyCommand text={view.command} />
    </div>
  );
}
