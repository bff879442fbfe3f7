// A list row's source: the apparent address, with "Persona’s" when Persona's list has it and
// "not listed" when it does not; the tooltip says it is information, not a verdict. Nothing
// when the address is unknown.

import type { Summary } from '../bindings.ts';
import { sourceMark } from './sourceAddress.ts';

export function SourceCell({ row }: { row: Summary }) {
  const m = sourceMark(row);
  if (m === null) return null;
  return (
    <span className="src" data-testid="source-ip" data-listed={m.listed} title={m.title}>
      <span className="mono src-ip">{m.ip}</span>
      {m.marker !== null && <span className={`src-mark src-mark-${m.listed}`}>{m.marker}</span>}
    </span>
  );
}
