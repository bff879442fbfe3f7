// The body exactly as received: text when it is UTF-8, a hex dump otherwise (or on request),
// pretty-printed JSON on request, and for a body that is not JSON the offending line with a caret.
// Lines are virtualized, so multi-megabyte bodies cost only the rows on screen.

import { useMemo, useState } from 'react';
import type { ParseError } from '../bindings.ts';
import { shortSize } from '../format/text.ts';
import { bytesToBase64, type Body } from './body.ts';
import { CopyButton } from './CopyButton.tsx';
import { hexRow, hexRowCount } from './hexDump.ts';
import type { ParsedJson } from './jsonParse.ts';
import { caretExcerpt } from './parseError.ts';
import { layoutLines, rowOfLine } from './textLines.ts';
import { VirtualList } from './VirtualList.tsx';

const ROW_HEIGHT = 18;
/** Code units a display row holds before a long line wraps onto the next row. */
const WRAP = 200;

type Mode = 'text' | 'pretty' | 'hex';

export interface RawTabProps {
  body: Body;
  /** serde_json's verdict from the Rust side, null when the body is JSON. */
  parseError: ParseError | null;
  /** Parses on first call (only pretty-printing needs it). */
  parsed: () => ParsedJson | null;
}

export function RawTab({ body, parseError, parsed }: RawTabProps) {
  const [mode, setMode] = useState<Mode>(body.text === null ? 'hex' : 'text');
  const [reveal, setReveal] = useState<{ index: number; nonce: number } | null>(null);
  const text = body.text;
  const json = parseError === null && text !== null && text !== '' ? parsed() : null;
  const canPretty = json !== null && json.ok;

  const pretty = useMemo(
    () => (mode === 'pretty' && json !== null && json.ok ? JSON.stringify(json.value, null, 2) : null),
    [mode, json],
  );
  const shownText = mode === 'pretty' ? pretty : mode === 'text' ? text : null;
  const layout = useMemo(() => (shownText === null ? null : layoutLines(shownText, WRAP)), [shownText]);
  const excerpt = useMemo(
    () =>
      parseError === null || text === null ? null : caretExcerpt(text, parseError.line, parseError.column),
    [parseError, text],
  );

  const goToError = () => {
    if (parseError === null) return;
    setMode('text');
    if (text === null) return;
    const index = rowOfLine(layoutLines(text, WRAP), parseError.line);
    if (index >= 0) setReveal((r) => ({ index, nonce: (r?.nonce ?? 0) + 1 }));
  };

  if (body.bytes.length === 0) {
    return (
      <p className="dt-empty" data-testid="raw-body">
        The body is empty (0 bytes).
      </p>
    );
  }

  return (
    <div className="dt-raw">
      <div className="dt-toolbar" role="group" aria-label="Body view">
        <ModeButton mode="text" current={mode} set={setMode} disabled={text === null}>
          Text
        </ModeButton>
        <ModeButton mode="pretty" current={mode} set={setMode} disabled={!canPretty}>
          Pretty JSON
        </ModeButton>
        <ModeButton mode="hex" current={mode} set={setMode} disabled={false}>
          Hex
        </ModeButton>
        <span className="dt-muted">
          {shortSize(body.bytes.length)} ({body.bytes.length} bytes)
          {text === null && ' · not UTF-8'}
          {body.bom && ' · starts with a UTF-8 byte order mark'}
        </span>
        <span className="dt-spacer" />
        {text !== null ? (
          <CopyButton text={text} label="Copy body" testId="raw-copy" />
        ) : (
          <CopyButton text={() => bytesToBase64(body.bytes)} label="Copy as base64" testId="raw-copy" />
        )}
      </div>

      {text === null && (
        <p className="dt-note">
          The body is not valid UTF-8, so it is shown as bytes. Persona sends UTF-8 JSON: something
          else sent this, or a proxy changed it.
        </p>
      )}
      {parseError !== null && (
        <div className="dt-parse-error" data-testid="raw-parse-error" role="status">
          <p>
            <strong>Not JSON:</strong> {parseError.message} — line {parseError.line}, column{' '}
            {parseError.column}.{' '}
            {text !== null && (
              <button type="button" className="dt-link" onClick={goToError}>
                go to line {parseError.line}
              </button>
            )}
          </p>
          {excerpt !== null && (
            <pre className="dt-caret" data-testid="raw-parse-caret">
              <span className="dt-caret-line">
                <span className="dt-lineno">{excerpt.lineNumber}</span>
                {excerpt.clippedStart && <span className="dt-muted">…</span>}
                {excerpt.text}
                {excerpt.clippedEnd && <span className="dt-muted">…</span>}
              </span>
              {'\n'}
              <span className="dt-caret-mark">
                <span className="dt-lineno" aria-hidden="true" />
                {excerpt.clippedStart && <span aria-hidden="true"> </span>}
                {excerpt.caret}
              </span>
            </pre>
          )}
        </div>
      )}
      {json !== null && !json.ok && (
        <p className="dt-note">This webview's JSON parser refuses the body: {json.message}</p>
      )}

      {mode === 'hex' ? (
        <VirtualList
          key="hex"
          count={hexRowCount(body.bytes.length)}
          rowHeight={ROW_HEIGHT}
          className="dt-code dt-hex"
          testId="raw-body"
          label="Body bytes"
          renderAllBelow={300}
          renderRow={(i) => {
            const r = hexRow(body.bytes, i);
            return (
              <div key={i} className="dt-vrow dt-hexrow">
                <span className="dt-hex-off">{r.offset}</span>
                <span className="dt-hex-bytes">{r.hex}</span>
                <span className="dt-hex-ascii">{r.ascii}</span>
              </div>
            );
          }}
        />
      ) : layout !== null && shownText !== null ? (
        <VirtualList
          key={mode}
          count={layout.starts.length}
          rowHeight={ROW_HEIGHT}
          className="dt-code dt-text"
          testId="raw-body"
          label={mode === 'pretty' ? 'Body, pretty-printed' : 'Body'}
          reveal={reveal}
          renderAllBelow={300}
          renderRow={(i) => {
            const line = layout.lines[i] ?? 0;
            const isErrorLine =
              mode === 'text' && parseError !== null && line !== 0 && line === parseError.line;
            return (
              <div
                key={i}
                className={isErrorLine ? 'dt-vrow dt-line is-error' : 'dt-vrow dt-line'}
                data-line={line === 0 ? '' : line}
              >
                {shownText.slice(layout.starts[i], layout.ends[i])}
              </div>
            );
          }}
        />
      ) : null}
    </div>
  );
}

function ModeButton({
  mode,
  current,
  set,
  disabled,
  children,
}: {
  mode: Mode;
  current: Mode;
  set: (m: Mode) => void;
  disabled: boolean;
  children: string;
}) {
  return (
    <button
      type="button"
      className={mode === current ? 'dt-btn dt-btn-small is-on' : 'dt-btn dt-btn-small'}
      aria-pressed={mode === current}
      disabled={disabled}
      onClick={() => set(mode)}
      data-testid={`raw-mode-${mode}`}
    >
      {children}
    </button>
  );
}
