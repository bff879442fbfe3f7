// "Edit and re-send": the body as text (checked as JSON while typed; invalid JSON may still be
// sent, with a warning) and the headers as rows to change, add and remove. What is typed goes
// into `options.edits` only where it differs from the stored request.

import { useMemo } from 'react';
import { CopyButton } from './CopyButton.tsx';
import { addRow, removeRow, rowProblem, setName, setValue, type HeaderRow } from './headerRows.ts';
import { jsonProblem } from './jsonCheck.ts';
import { parseJson } from './jsonParse.ts';
import { caretExcerpt } from './parseError.ts';
import { useDebounced } from './useDebounced.ts';

/** How long typing pauses before the body is checked as JSON. */
const CHECK_DELAY_MS = 200;

export interface EditRequestProps {
  /** The text in the box; null when the body cannot be edited. */
  body: string | null;
  /** Why the body cannot be edited, when `body` is null. */
  bodyLocked: string | null;
  /** The stored body was not kept (too large): what is typed is what is sent. */
  bodyNotKept: boolean;
  /** The stored text holds "\r\n", which a text box turns into "\n" once edited. */
  hasCarriageReturns: boolean;
  bodyChanged: boolean;
  headersChanged: boolean;
  rows: readonly HeaderRow[];
  resigning: boolean;
  onBody: (text: string) => void;
  onRows: (rows: HeaderRow[]) => void;
  onResetBody: () => void;
  onResetHeaders: () => void;
}

export function EditRequest(props: EditRequestProps) {
  const { body, bodyLocked, bodyNotKept, hasCarriageReturns, bodyChanged, headersChanged, rows, resigning } = props;
  const { onBody, onRows, onResetBody, onResetHeaders } = props;
  const checked = useDebounced(body, CHECK_DELAY_MS);
  const problem = useMemo(() => (checked === null ? null : jsonProblem(checked)), [checked]);
  const excerpt = useMemo(
    () => (problem === null || checked === null ? null : caretExcerpt(checked, problem.line, problem.column)),
    [problem, checked],
  );
  const stale = checked !== body;

  const pretty = () => {
    if (body === null) return;
    const parsed = parseJson(body);
    if (parsed.ok) onBody(JSON.stringify(parsed.value, null, 2));
  };

  return (
    <section className="rd-edit" aria-label="Edit before sending" data-testid="redeliver-editor">
      <div className="rd-sub">
        <div className="dt-toolbar">
          <h4>Body</h4>
          {bodyChanged && <span className="dt-tag dt-tag-warn">edited</span>}
          <span className="dt-spacer" />
          {body !== null && (
            <>
              <button
                type="button"
                className="dt-btn dt-btn-small"
                data-testid="redeliver-body-pretty"
                disabled={problem !== null || stale}
                title="Re-indent the JSON (this changes the bytes sent)"
                onClick={pretty}
              >
                Pretty-print
              </button>
              <CopyButton text={body} label="Copy" />
              <button
                type="button"
                className="dt-btn dt-btn-small"
                data-testid="redeliver-body-reset"
                disabled={!bodyChanged}
                onClick={onResetBody}
              >
                Reset body
              </button>
            </>
          )}
        </div>
        {body === null ? (
          <p className="dt-note" data-testid="redeliver-body-locked">
            {bodyLocked}
          </p>
        ) : (
          <>
            {bodyNotKept && (
              <p className="dt-note">
                The stored body was not kept (it was over the listener's size limit): what you write here is sent.
              </p>
            )}
            <textarea
              className="rd-textarea"
              data-testid="redeliver-body"
              aria-label="Body to send"
              value={body}
              spellCheck={false}
              autoComplete="off"
              autoCorrect="off"
              autoCapitalize="off"
              rows={12}
              aria-invalid={problem !== null}
              onChange={(e) => onBody(e.target.value)}
            />
            {hasCarriageReturns && bodyChanged && (
              <p className="dt-note">
                The stored body has \r\n line breaks; the edited text is sent with \n (a text box keeps no \r).
              </p>
            )}
            <JsonStatus problem={problem} excerpt={excerpt} pending={stale} />
          </>
        )}
      </div>

      <div className="rd-sub">
        <div className="dt-toolbar">
          <h4>Headers</h4>
          {headersChanged && <span className="dt-tag dt-tag-warn">edited</span>}
          <span className="dt-spacer" />
          <button
            type="button"
            className="dt-btn dt-btn-small"
            data-testid="redeliver-headers-reset"
            disabled={!headersChanged}
            onClick={onResetHeaders}
          >
            Reset headers
          </button>
        </div>
        <p className="dt-muted rd-small">
          Once changed, these replace every stored header, in this order. Host and Content-Length are the new
          request's; hop-by-hop headers (Connection, Transfer-Encoding…) are dropped
          {resigning ? '; persona-signature is replaced by the fresh signature' : ''}.
        </p>
        <table className="rd-header-rows">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span className="dt-visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <HeaderRowEditor key={r.key} row={r} rows={rows} onRows={onRows} />
            ))}
          </tbody>
        </table>
        <button
          type="button"
          className="dt-btn dt-btn-small"
          data-testid="redeliver-header-add"
          onClick={() => onRows(addRow(rows))}
        >
          Add header
        </button>
      </div>
    </section>
  );
}

function JsonStatus({
  problem,
  excerpt,
  pending,
}: {
  problem: ReturnType<typeof jsonProblem>;
  excerpt: ReturnType<typeof caretExcerpt>;
  pending: boolean;
}) {
  if (problem === null) {
    return (
      <p className="rd-json rd-json-ok" data-testid="redeliver-json" data-valid="true" aria-live="polite">
        {pending ? 'Checking…' : 'Valid JSON.'}
      </p>
    );
  }
  return (
    <div className="rd-json rd-json-bad" data-testid="redeliver-json" data-valid="false" aria-live="polite">
      <p>
        <strong>Not JSON:</strong> {problem.message} — line {problem.line}, column {problem.column}. It can still be
        sent, as typed (Persona always sends JSON).
      </p>
      {excerpt !== null && (
        <pre className="dt-caret">
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
  );
}

function HeaderRowEditor({
  row,
  rows,
  onRows,
}: {
  row: HeaderRow;
  rows: readonly HeaderRow[];
  onRows: (rows: HeaderRow[]) => void;
}) {
  const problem = rowProblem(row);
  return (
    <>
      <tr data-testid="redeliver-header-row" data-name={row.name}>
        <td className="rd-hn">
          <input
            className="rd-input"
            data-testid="redeliver-header-name"
            aria-label="Header name"
            value={row.name}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem !== null}
            onChange={(e) => onRows(setName(rows, row.key, e.target.value))}
          />
        </td>
        <td className="rd-hv">
          <input
            className="rd-input"
            data-testid="redeliver-header-value"
            aria-label={`Value of ${row.name || 'the new header'}`}
            value={row.value}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onRows(setValue(rows, row.key, e.target.value))}
          />
          {row.bytes !== null && (
            <span className="dt-tag dt-tag-warn" title="Sent with its exact bytes until you edit it">
              not UTF-8: exact bytes kept
            </span>
          )}
        </td>
        <td className="rd-hx">
          <button
            type="button"
            className="dt-btn dt-btn-small"
            data-testid="redeliver-header-remove"
            aria-label={`Remove ${row.name || 'this header'}`}
            title="Remove"
            onClick={() => onRows(removeRow(rows, row.key))}
          >
            ✕
          </button>
        </td>
      </tr>
      {problem !== null && (
        <tr>
          <td colSpan={3} className="dt-error-text rd-small" role="alert">
            {problem}
          </td>
        </tr>
      )}
    </>
  );
}
