// The Overview's "Source" and "Reply" rows: the apparent source address, whether Persona's list
// has it and how the address was worked out; the status the listener answered with.

import type { Detail } from '../bindings.ts';
import { listedText, replyText, sourceMark } from './sourceAddress.ts';

export function SourceRows({ d }: { d: Detail }) {
  const mark = sourceMark(d);
  return (
    <>
      <dt>Source</dt>
      <dd data-testid="overview-source" data-listed={mark?.listed ?? 'unknown'}>
        {d.source_ip == null ? <span className="dt-none">unknown</span> : <code>{d.source_ip}</code>}
        {d.source_ip != null && (
          <span className={`dt-tag${mark?.listed === 'no' ? ' dt-tag-warn' : ''}`} title={mark?.title} data-testid="overview-source-listed">
            {listedText(d.source_ip, d.source_ip_listed)}
          </span>
        )}
        <div className="dt-muted" data-testid="overview-source-note">
          {d.source_ip_note}
        </div>
      </dd>
      <dt>Reply</dt>
      <dd data-testid="overview-reply" data-status={d.reply_status ?? ''}>
        {replyText(d.reply_status, d.source)}
      </dd>
    </>
  );
}
