// "Import": a teammate's exported deliveries (one fixture, a JSON array of them, or a HAR file —
// the command tells them apart by their content), pasted or read from a .json or .har file on
// this machine (FileReader; nothing goes over the network), stored as if they had just arrived at
// their original time. Everything is checked first and all are stored together, so a bad entry
// (the error names it) leaves the store as it was.

import { useEffect, useRef, useState } from 'react';
import { importFixtures } from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { errorText } from '../format/error.ts';
import { fileProblem, importedText } from './imported.ts';

export interface ImportDialogProps {
  onClose: () => void;
  /** Deliveries were stored: reload what is shown. */
  onImported: (ids: number[]) => void;
  /** Opens one of the imported deliveries (and closes the dialog). */
  onOpen: (id: number) => void;
}

type Result = { state: 'idle' | 'busy' } | { state: 'done'; ids: number[] } | { state: 'failed'; message: string };

export function ImportDialog({ onClose, onImported, onOpen }: ImportDialogProps) {
  const [text, setText] = useState('');
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [result, setResult] = useState<Result>({ state: 'idle' });
  const area = useRef<HTMLTextAreaElement>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const readFile = (file: File | undefined) => {
    setFileError(null);
    setFileNote(null);
    if (file === undefined) return;
    const problem = fileProblem(file);
    if (problem !== null) {
      setFileError(problem);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      if (!alive.current) return;
      setText(typeof reader.result === 'string' ? reader.result : '');
      setFileNote(`${file.name} (${file.size.toLocaleString('en-US')} bytes) loaded`);
      setResult({ state: 'idle' });
    };
    reader.onerror = () => {
      if (alive.current) setFileError(`Could not read ${file.name}: ${reader.error?.message ?? 'unknown error'}`);
    };
    reader.readAsText(file);
  };

  const submit = () => {
    if (text.trim() === '' || result.state === 'busy') return;
    setResult({ state: 'busy' });
    importFixtures(text).then(
      (ids) => {
        if (!alive.current) return;
        setResult({ state: 'done', ids });
        onImported(ids);
      },
      (e: unknown) => {
        if (alive.current) setResult({ state: 'failed', message: errorText(e) });
      },
    );
  };

  return (
    <Dialog title="Import fixtures or HAR" testId="import-dialog" onClose={onClose} initialFocus={area}>
        <p className="section-note">
          Paste a fixture exported with “Copy fixture JSON” (or <code className="mono">persona-inspector export ID --fixture</code>),
          one or a JSON array of them, or a HAR file (“Export as HAR…”, or one saved by browser developer tools), or pick a{' '}
          <code className="mono">.json</code> or <code className="mono">.har</code> file. Imported deliveries are verified
          with your secrets and listed at their original time.
        </p>
        <form
          className="import-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <textarea
            ref={area}
            className="import-text mono"
            data-testid="import-text"
            aria-label="Fixture JSON or HAR"
            placeholder={'{"format": "persona-inspector-fixture", "version": 1, "delivery": {…}}'}
            value={text}
            spellCheck={false}
            rows={10}
            onChange={(e) => {
              setText(e.target.value);
              setFileNote(null);
              if (result.state !== 'busy') setResult({ state: 'idle' });
            }}
          />
          <div className="import-actions">
            <label className="button import-file">
              Choose a .json or .har file…
              <input
                type="file"
                accept=".json,.har,application/json"
                data-testid="import-file"
                onChange={(e) => {
                  readFile(e.target.files?.[0]);
                  e.target.value = '';
                }}
              />
            </label>
            {fileNote !== null && <span className="hint">{fileNote}</span>}
            <span className="spacer" />
            <button
              type="submit"
              className="button button-primary"
              data-testid="import-submit"
              disabled={text.trim() === '' || result.state === 'busy'}
            >
              {result.state === 'busy' ? 'Importing…' : 'Import'}
            </button>
          </div>
          {fileError !== null && (
            <p className="field-error" role="alert">
              {fileError}
            </p>
          )}
          {result.state === 'failed' && (
            <p className="field-error" role="alert" data-testid="import-error">
              Nothing was imported: {result.message}
            </p>
          )}
          {result.state === 'done' && (
            <p className="ok-note" role="status" data-testid="import-result">
              {importedText(result.ids)}
              {result.ids.length > 0 && (
                <>
                  {' — '}
                  <button
                    type="button"
                    className="link"
                    data-testid="import-open"
                    onClick={() => onOpen(result.ids[0]!)}
                  >
                    open #{result.ids[0]}
                  </button>
                </>
              )}
            </p>
          )}
        </form>
    </Dialog>
  );
}
