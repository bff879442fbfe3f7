// What an empty inspector shows: how to get Persona's webhooks to this laptop, step by step.

import type { ListenerStatus } from '../bindings.ts';
import { listenerUrl } from '../format/text.ts';
import { CopyCommand } from './CopyCommand.tsx';
import { QuickSampleButton } from '../sample/QuickSampleButton.tsx';

export interface FirstRunProps {
  listener: ListenerStatus & { state: 'listening' };
  secretCount: number | null;
  onOpenSettings: () => void;
  /** Opens "Send a sample event…". */
  onOpenSample: () => void;
  /** A sample was stored: select and open it. */
  onSent: (id: number) => void;
}

export function FirstRun({ listener, secretCount, onOpenSettings, onOpenSample, onSent }: FirstRunProps) {
  const url = listenerUrl(listener.address, listener.port);
  return (
    <div className="first-run" data-testid="first-run">
      <h2>Waiting for the first webhook</h2>
      <p className="lead">
        The listener is running at <code className="mono">{url}</code>. Persona can’t reach your
        laptop directly, so give it a public address with ngrok:
      </p>
      <ol className="steps">
        <li>
          <span className="step-title">Run ngrok in a terminal</span>
          <CopyCommand text={`ngrok http ${listener.port}`} testId="ngrok-command" />
        </li>
        <li>
          <span className="step-title">Copy the https Forwarding URL</span>
          <span className="step-text">
            ngrok prints a line like <code className="mono">Forwarding https://a1b2-203-0-113-7.ngrok-free.app → {url}</code>
            . Copy the <code className="mono">https://…</code> part. (On ngrok’s free plan it changes every time ngrok
            restarts: update the webhook when it does.)
          </span>
        </li>
        <li>
          <span className="step-title">Create the webhook in Persona</span>
          <span className="step-text">
            In the Persona Dashboard open <strong>Webhooks</strong> (under Integration) → <strong>Create webhook</strong>,
            paste the URL
            and choose the events to send (e.g. <code className="mono">inquiry.completed</code>,{' '}
            <code className="mono">inquiry.approved</code>). Any path works: every request to the listener is
            captured.
          </span>
        </li>
        <li>
          <span className="step-title">Add the webhook’s secret here</span>
          <span className="step-text">
            Copy the webhook’s secret (<code className="mono">wbhsec_…</code>) and add it in{' '}
            <button type="button" className="link" onClick={onOpenSettings}>
              Settings
            </button>{' '}
            so every signature is verified.{' '}
            {secretCount !== null && secretCount > 0 && (
              <span className="done">
                ✓ {secretCount === 1 ? '1 secret' : `${secretCount} secrets`} configured
              </span>
            )}
          </span>
        </li>
        <li>
          <span className="step-title">Trigger an event</span>
          <span className="step-text">
            Complete an inquiry in Persona’s sandbox: deliveries show up here as they arrive.
          </span>
        </li>
      </ol>
      <div className="first-run-try">
        <QuickSampleButton onStored={onSent} />
        <span className="step-text">
          to see how a delivery looks right now (signed with your first secret, or an example one), or{' '}
          <button type="button" className="link" data-testid="first-run-open-sample" onClick={onOpenSample}>
            send a sample of any event…
          </button>
        </span>
      </div>
    </div>
  );
}
