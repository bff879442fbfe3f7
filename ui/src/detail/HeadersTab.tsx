// Every header as received, in arrival order; values that are not UTF-8 show their exact bytes.

import type { Header } from '../bindings.ts';
import { CopyButton } from './CopyButton.tsx';
import { headerLines, isPersonaHeader } from './headerText.ts';

export function HeadersTab({ headers }: { headers: Header[] }) {
  if (headers.length === 0) return <p className="dt-empty">No headers were recorded.</p>;
  return (
    <div className="dt-headers">
      <div className="dt-toolbar">
        <span className="dt-muted">
          {headers.length} header{headers.length === 1 ? '' : 's'}, in arrival order (repeats of a
          name are listed together at its first position).
        </span>
        <CopyButton text={() => headerLines(headers)} label="Copy all" testId="headers-copy-all" />
      </div>
      <table className="dt-table" data-testid="headers-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span className="dt-visually-hidden">Copy</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {headers.map((h, i) => {
            const [name, value] = h;
            const bytes = h.length === 3 ? h[2] : null;
            return (
              <tr key={i} data-testid="header-row" data-name={name}>
                <th scope="row" className={isPersonaHeader(name) ? 'dt-hname dt-persona' : 'dt-hname'}>
                  {name}
                </th>
                <td className="dt-hvalue">
                  <code>{value}</code>
                  {bytes !== null && (
                    <div className="dt-nonutf8">
                      <span className="dt-tag dt-tag-warn">not UTF-8</span> exact bytes (base64):{' '}
                      <code>{bytes}</code>
                    </div>
                  )}
                </td>
                <td className="dt-hcopy">
                  <CopyButton text={value} title={`Copy the value of ${name}`} testId="header-copy" />
                  {bytes !== null && <CopyButton text={bytes} label="Copy base64" />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
