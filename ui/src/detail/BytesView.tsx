// A body of a re-delivery (the edited body sent, or the target's answer): text when it is UTF-8,
// a hex dump otherwise, virtualized so a 1 MiB answer costs only the rows on screen.

import { useMemo } from 'react';
import { shortSize } from '../format/text.ts';
import { decodeBody } from './body.ts';
import { CopyButton } from './CopyButton.tsx';
import { hexRow, hexRowCount } from './hexDump.ts';
import { layoutLines } from './textLines.ts';
import { VirtualList } from './VirtualList.tsx';

const ROW_HEIGHT = 18;
const WRAP = 160;
const MAX_HEIGHT = 260;

export function BytesView({ base64, testId, label }: { base64: string; testId: string; label: string }) {
  const decoded = useMemo(() => {
    try {
      return { ok: true as const, body: decodeBody(base64) };
    } catch (e) {
      return { ok: false as const, message: e instanceof Error ? e.message : String(e) };
    }
  }, [base64]);
  const text = decoded.ok ? decoded.body.text : null;
  const layout = useMemo(() => (text === null ? null : layoutLines(text, WRAP)), [text]);

  if (!decoded.ok) return <p className="dt-note">{decoded.message}</p>;
  const { bytes } = decoded.body;
  if (bytes.length === 0) {
    return (
      <p className="dt-muted rd-bytes-empty" data-testid={testId}>
        empty (0 bytes)
      </p>
    );
  }
  const rows = layout !== null ? layout.starts.length : hexRowCount(bytes.length);
  const height = Math.min(MAX_HEIGHT, rows * ROW_HEIGHT + 4);
  return (
    <div className="rd-bytes">
      <div className="rd-bytes-bar">
        <span className="dt-muted">
          {shortSize(bytes.length)}
          {text === null && ' · not UTF-8, shown as bytes'}
        </span>
        {text !== null && <CopyButton text={text} label="Copy" />}
      </div>
      <div className="rd-bytes-box" style={{ height }}>
        {layout !== null && text !== null ? (
          <VirtualList
            count={rows}
            rowHeight={ROW_HEIGHT}
            className="dt-code dt-text"
            testId={testId}
            label={label}
            renderAllBelow={200}
            renderRow={(i) => (
              <div key={i} className="dt-vrow rd-line">
                {text.slice(layout.starts[i], layout.ends[i])}
              </div>
            )}
          />
        ) : (
          <VirtualList
            count={rows}
            rowHeight={ROW_HEIGHT}
            className="dt-code dt-hex"
            testId={testId}
            label={label}
            renderAllBelow={200}
            renderRow={(i) => {
              const r = hexRow(bytes, i);
              return (
                <div key={i} className="dt-vrow dt-hexrow">
                  <span className="dt-hex-off">{r.offset}</span>
                  <span className="dt-hex-bytes">{r.hex}</span>
                  <span className="dt-hex-ascii">{r.ascii}</span>
                </div>
              );
            }}
          />
        )}
      </div>
    </div>
  );
}
