// What the Re-deliver tab says about signing: the note under the signature choice, and the
// confirmation asked before re-signing a delivery Persona did not sign, or a stale one.

import { useRef } from 'react';
import type { Detail } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { formatDuration } from '../format/duration.ts';
import { unverifiedKind, unverifiedLead, unverifiedReason, type UnverifiedKind } from '../provenance/provenance.ts';

/** Asked before re-signing a delivery Persona did not sign, or a stale one: it says why. */
export function ConfirmResign(props: {
  kind: UnverifiedKind;
  reason: string;
  secret: string;
  onResign: () => void;
  onKeep: () => void;
  onCancel: () => void;
}) {
  const { kind, reason, secret, onResign, onKeep, onCancel } = props;
  const keep = useRef<HTMLButtonElement>(null);
  const title = kind === 'stale' ? 'Re-sign a delivery that may be a replay?' : 'Re-sign a delivery Persona did not sign?';
  return (
    <Dialog title={title} testId="redeliver-confirm" onClose={onCancel} initialFocus={keep}>
      <div className="forward-form" data-kind={kind}>
        <p data-testid="redeliver-confirm-reason">
          {unverifiedLead(kind)}: <strong>{reason}</strong>
          {reason.endsWith('?') ? '' : '.'}
        </p>
        <p>
          Re-signing it with “{secret}” makes your app accept these bytes as Persona's. Anyone who knows the
          listener's URL can send a request like it, so re-sign only if you trust where it came from.
        </p>
        <div className="form-actions dialog-actions">
          <button type="button" className="button" ref={keep} data-testid="redeliver-confirm-keep" onClick={onKeep}>
            Send with its original signature
          </button>
          <button type="button" className="button button-danger" data-testid="redeliver-confirm-resign" onClick={onResign}>
            Re-sign anyway
          </button>
          <button type="button" className="button button-quiet" data-testid="redeliver-confirm-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

export function SigningNote({ detail, resign, edited }: { detail: Detail; resign: string | null; edited: boolean }) {
  const unverified = unverifiedKind(detail);
  if (resign !== null && unverified !== null) {
    return (
      <p className="dt-warn-text rd-small" data-testid="redeliver-signing-note">
        {unverifiedLead(unverified)} ({unverifiedReason(detail)}): you will be asked before it is
        re-signed with “{resign}”; otherwise it goes with its original signature.
      </p>
    );
  }
  if (resign !== null) {
    return (
      <p className="dt-muted rd-small" data-testid="redeliver-signing-note">
        A fresh <code>t=&lt;now&gt;,v1=…</code> made with “{resign}” over the body actually sent replaces
        Persona's signature, so a handler with a timestamp tolerance accepts it.
      </p>
    );
  }
  const t = detail.signature.timestamp;
  const age = t === null ? null : formatDuration(Date.now() - t * 1000);
  return (
    <p className="dt-muted rd-small" data-testid="redeliver-signing-note">
      {detail.signature.status === 'missing'
        ? 'The delivery carried no signature: none is sent.'
        : `Persona's signature is sent as it arrived${age === null ? '' : ` (signed ${age} ago)`}: a handler that checks the timestamp should refuse it as a replay once it is old.`}
      {edited && (
        <strong className="dt-warn-text">
          {' '}
          The body is edited, so the kept signature no longer matches it: a handler that verifies will refuse it.
        </strong>
      )}
    </p>
  );
}
