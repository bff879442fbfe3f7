// What a sample came to. Sent to this inspector: the delivery it was stored as (opened in the list
// behind the dialog). Sent to a URL: the attempt, as the Re-deliver tab shows one (status coloured
// by what Persona would make of it, or why no answer came; expands to the headers and the answer).
// Both name the sample's event and resource, whose id can be kept for the next one.

import { useState } from 'react';
import type { SampleSent } from '../bindings.ts';
import { AttemptRow } from '../attempt/AttemptRow.tsx';
import { attemptView } from '../attempt/attemptView.ts';
import { shortSize } from '../format/text.ts';
import '../detail/detail.css';

export interface SampleResultProps {
  sent: SampleSent;
  /** Signed with the example secret (none is saved). */
  example: boolean;
  /** Puts the sample's resource id in the form, to send its next event. */
  onKeepResource: (id: string) => void;
}

export function SampleResult({ sent, example, onKeepResource }: SampleResultProps) {
  const [open, setOpen] = useState(false);
  const { sample, attempt } = sent;
  const signing = attempt.signing.mode === 'resign' && !example ? `signed with “${attempt.signing.secret}”` : 'signed with the example secret';
  const resource = (
    <p className="sample-resource">
      <span className="hint">Resource</span> <span className="mono">{sample.resource.type}</span>{' '}
      <span className="mono" data-testid="sample-resource">
        {sample.resource.id}
      </span>{' '}
      <button type="button" className="link" data-testid="sample-keep-resource" onClick={() => onKeepResource(sample.resource.id)}>
        Use this id for the next sample
      </button>
    </p>
  );

  if (sent.delivery_id !== null) {
    return (
      <div className="sample-result" role="status" data-testid="sample-result" data-outcome="stored" data-delivery-id={sent.delivery_id}>
        <p>
          <span className="badge badge-good">Stored</span> as delivery <strong>#{sent.delivery_id}</strong>:{' '}
          <span className="mono">{sample.event_name}</span> <span className="hint mono">{sample.event_id}</span>, {signing}. It is
          open in the list behind this dialog.
        </p>
        {resource}
      </div>
    );
  }

  const v = attemptView(attempt);
  return (
    <div
      className="sample-result"
      role="status"
      data-testid="sample-result"
      data-outcome={v.outcome}
      data-status={attempt.answer?.status ?? ''}
    >
      <p>
        Sent <span className="mono">{sample.event_name}</span> <span className="hint mono">{sample.event_id}</span>: nothing is
        stored here.
      </p>
      <div className="dt-root sample-attempt">
        <ol className="rd-list">
          <AttemptRow
            attempt={attempt}
            domId="sample-attempt"
            prefix="sample-attempt"
            open={open}
            onToggle={() => setOpen((o) => !o)}
            signing={signing}
            bodyNote={`The sample’s JSON (${shortSize(attempt.body_size)}).`}
          />
        </ol>
      </div>
      {resource}
    </div>
  );
}
