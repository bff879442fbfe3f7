// The Re-deliver tab's preview: where the request will go and the headers it will carry, the
// recomputed signature first, as the Rust side prepared them (`preview_redelivery`).

import type { RedeliveryPreview } from '../bindings.ts';
import { shortSize } from '../format/text.ts';

export type Preview =
  | { state: 'idle' }
  | { state: 'loading'; last: RedeliveryPreview | null }
  | { state: 'ok'; preview: RedeliveryPreview }
  | { state: 'error'; message: string };

/** Under the URL: where it will go, once the preview says. */
export function PreviewLine({ preview, ready }: { preview: Preview; ready: boolean }) {
  if (!ready) return <span className="dt-muted">An http:// or https:// URL: your handler, usually on this machine.</span>;
  if (preview.state === 'error') {
    return (
      <span className="dt-error-text" data-testid="redeliver-preview-error" role="alert">
        {preview.message}
      </span>
    );
  }
  const p = preview.state === 'ok' ? preview.preview : preview.state === 'loading' ? preview.last : null;
  if (p === null) return <span className="dt-muted">Preparing the preview…</span>;
  return (
    <span className="rd-final" data-testid="redeliver-preview-url" data-url={p.url}>
      → <span className="dt-muted">{p.method}</span> <code>{p.url}</code>{' '}
      <span className="dt-muted">· {shortSize(p.body_size)} body</span>
    </span>
  );
}

/** The headers that would be sent, the recomputed signature first. */
export function PreviewDetails({ preview }: { preview: Preview }) {
  const p = preview.state === 'ok' ? preview.preview : preview.state === 'loading' ? preview.last : null;
  if (p === null) return null;
  const signature = p.headers.find((h) => h[0]?.toLowerCase() === 'persona-signature');
  return (
    <section
      className="rd-preview"
      data-testid="redeliver-preview"
      data-state={preview.state}
      aria-label="What will be sent"
      aria-busy={preview.state === 'loading'}
    >
      <p className="rd-sig">
        <span className="dt-persona">persona-signature</span>{' '}
        {signature === undefined ? (
          <span className="dt-muted">none (the delivery carried none)</span>
        ) : (
          <code data-testid="redeliver-preview-signature">{signature[1]}</code>
        )}
      </p>
      <details>
        <summary>All {p.headers.length} headers that will be sent</summary>
        <table className="dt-table rd-headers" data-testid="redeliver-preview-headers">
          <tbody>
            {p.headers.map((h, i) => (
              <tr key={i}>
                <th scope="row" className={h[0]?.toLowerCase() === 'persona-signature' ? 'dt-hname dt-persona' : 'dt-hname'}>
                  {h[0]}
                </th>
                <td className="dt-hvalue">
                  <code>{h[1]}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="dt-muted rd-small">The client adds Host and Content-Length ({p.body_size} bytes).</p>
      </details>
    </section>
  );
}
