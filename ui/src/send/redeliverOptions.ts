// The Re-deliver form's state turned into `redeliver`'s options: target, path, signing, timeout
// and, when editing, the body and header changes (src/redeliver/options.rs `Options`, `Edits`). Pure.

import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, type Edits, type RedeliveryOptions, type Signing } from '../bindings.ts';
import { bytesToBase64 } from '../detail/body.ts';
import { rowProblem, rowsToHeaders, sameAsStored, type HeaderRow } from '../detail/headerRows.ts';
import { checkTarget } from './targetUrl.ts';


/** The signing select's value for keeping the signature; re-signing is `resign:<label>`. */
export const KEEP = 'keep';
const RESIGN = 'resign:';

export function resignChoice(label: string): string {
  return `${RESIGN}${label}`;
}

export function signingFromChoice(choice: string): Signing {
  return choice.startsWith(RESIGN) ? { mode: 'resign', secret: choice.slice(RESIGN.length) } : { mode: 'keep' };
}

export type CheckedTimeout = { ok: true; value: number; warning: string | null } | { ok: false; message: string };

export function checkTimeout(text: string): CheckedTimeout {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, message: 'The timeout is a whole number of milliseconds.' };
  const n = Number(t);
  if (n < 1 || n > MAX_TIMEOUT_MS) {
    return { ok: false, message: `The timeout must be between 1 and ${MAX_TIMEOUT_MS} ms.` };
  }
  const warning =
    n > DEFAULT_TIMEOUT_MS ? `Persona gives up after ${DEFAULT_TIMEOUT_MS} ms: an answer later than that counts as a failure.` : null;
  return { ok: true, value: n, warning };
}

/** UTF-8 bytes of `text`, as base64 (what `edits.body_base64` takes). */
export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export interface EditState {
  /** The edited body text; null when the body cannot be edited (it is not UTF-8). */
  body: string | null;
  /** The stored body's text (null when not UTF-8; "" when it was not kept). */
  storedBody: string | null;
  /** The stored body was not kept (too large): whatever is in the box is sent. */
  bodyNotKept: boolean;
  rows: readonly HeaderRow[];
  storedHeaders: readonly (readonly string[])[];
}

/**
 * What differs from the stored request: the body only when its text changed (or there is no
 * stored body to fall back on), the headers only when a row changed, was added or removed
 * (they then replace every stored header).
 */
export function buildEdits(edit: EditState): Edits {
  const edits: Edits = {};
  if (edit.body !== null && (edit.bodyNotKept || edit.body !== edit.storedBody)) {
    edits.body_base64 = textToBase64(edit.body);
  }
  if (!sameAsStored(edit.rows, edit.storedHeaders)) edits.headers = rowsToHeaders(edit.rows);
  return edits;
}

export interface FormState {
  target: string;
  keepPath: boolean;
  /** `KEEP` or `resignChoice(label)`. */
  signing: string;
  timeout: string;
  /** Null when not editing. */
  edit: EditState | null;
}

export type BuiltOptions = { ok: true; options: RedeliveryOptions } | { ok: false; problems: string[] };

export interface FormProblems {
  target: string | null;
  timeout: string | null;
  /** One sentence per header row that HTTP would refuse, named by the header. */
  rows: string[];
}

/** What is wrong with the form as typed (cheap: the body is not encoded). */
export function formProblems(form: Pick<FormState, 'target' | 'timeout'> & { rows: readonly HeaderRow[] | null }): FormProblems {
  const target = checkTarget(form.target);
  const timeout = checkTimeout(form.timeout);
  const rows: string[] = [];
  for (const r of form.rows ?? []) {
    const p = rowProblem(r);
    if (p !== null) rows.push(r.name.trim() === '' ? p : `${r.name.trim()}: ${p}`);
  }
  return { target: target.ok ? null : target.message, timeout: timeout.ok ? null : timeout.message, rows };
}

/** The options to send with, or every reason they cannot be built yet. */
export function buildOptions(form: FormState): BuiltOptions {
  const p = formProblems({ target: form.target, timeout: form.timeout, rows: form.edit?.rows ?? null });
  const problems = [p.target, p.timeout, ...p.rows].filter((x): x is string => x !== null);
  const timeout = checkTimeout(form.timeout);
  if (problems.length > 0 || !timeout.ok) return { ok: false, problems };
  const options: RedeliveryOptions = {
    target: form.target.trim(),
    keep_path: form.keepPath,
    signing: signingFromChoice(form.signing),
    timeout_ms: timeout.value,
  };
  if (form.edit !== null) {
    const edits = buildEdits(form.edit);
    if (edits.body_base64 !== undefined || edits.headers !== undefined) options.edits = edits;
  }
  return { ok: true, options };
}
