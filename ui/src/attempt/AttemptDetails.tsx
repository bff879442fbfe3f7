// One recorded attempt opened up: the headers sent, the body sent (when it was not the stored
// delivery's own), and the answer's status, headers and body, or why no answer came. The
// Re-deliver tab's history and the endpoint check's cases show their attempts with it.

import type { Attempt } from '../bindings.ts';
import { BytesView } from '../detail/BytesView.tsx';
import { humanDuration } from '../format/duration.ts';
import { shortSize } from '../format/text.ts';

export interface AttemptDetailsProps {
  attempt: Attempt;
  /** The element's id (a toggle's `aria-controls`). */
  id: string;
  /** Test ids are `<prefix>-details`, `<prefix>-sent-body`, `<prefix>-response-body`. */
  testIdPrefix: string;
  /** The accessible name of the body sent ("Edited body sent"). */
  sentBodyLabel: string;
  /** What "Body sent" says when the stored body went unchanged. */
  unchangedNote?: string | undefined;
}

export function AttemptDetails({ attempt: a, id, testIdPrefix, sentBodyLabel, unchangedNote }: AttemptDetailsProps) {
  return (
    <div className="rd-details" id={id} data-testid={`${testIdPrefix}-details`}>
      <HeaderTable title="Headers sent" headers={a.headers} note="The client adds Host and Content-Length." />
      <div className="rd-sub">
        <h4>Body sent</h4>
        {a.edited_body_base64 !== null ? (
          <BytesView base64={a.edited_body_base64} testId={`${testIdPrefix}-sent-body`} label={sentBodyLabel} />
        ) : (
          <p className="dt-muted">{unchangedNote ?? `The stored body, unchanged (${shortSize(a.body_size)}).`}</p>
        )}
      </div>
      {a.answer !== null ? (
        <>
          <HeaderTable title={`Response headers (${a.answer.status})`} headers={a.answer.headers} note={null} />
          <div className="rd-sub">
            <h4>Response body</h4>
            {a.answer.truncated && <p className="dt-note">The answer was over 1 MiB: only its first 1 MiB was kept.</p>}
            <BytesView base64={a.answer.body_base64} testId={`${testIdPrefix}-response-body`} label="Response body" />
          </div>
        </>
      ) : (
        <p className="dt-muted">No answer, so no response headers or body. It waited up to {humanDuration(a.timeout_ms)}.</p>
      )}
    </div>
  );
}

function HeaderTable({
  title,
  headers,
  note,
}: {
  title: string;
  headers: readonly (readonly string[])[];
  note: string | null;
}) {
  return (
    <div className="rd-sub">
      <h4>{title}</h4>
      {headers.length === 0 ? (
        <p className="dt-muted">none</p>
      ) : (
        <table className="dt-table rd-headers">
          <tbody>
            {headers.map((h, i) => (
              <tr key={i}>
                <th scope="row" className="dt-hname">
                  {h[0]}
                </th>
                <td className="dt-hvalue">
                  <code>{h[1]}</code>
                  {h[2] !== undefined && <span className="dt-tag dt-tag-warn">not UTF-8</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {note !== null && <p className="dt-muted rd-small">{note}</p>}
    </div>
  );
}
