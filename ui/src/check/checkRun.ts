// The endpoint check as the window follows it: the run under way (its cases merged in as they end,
// those still to come), how a verdict reads, the overall line, and the form's checks. Pure: the
// store (checkStore.ts) and the dialog use it, Vitest runs it in Node.

import {
  CHECK_CASES,
  type CaseVerdict,
  type CheckCase,
  type CheckRun,
  type SecretInfo,
} from '../bindings.ts';
import { humanDuration } from '../format/duration.ts';
import { plural, type Tone } from '../format/text.ts';
import { checkTarget } from '../send/targetUrl.ts';

/** What the user asked for. */
export interface CheckRequest {
  url: string;
  /** A saved secret's label. */
  secret: string;
  event: string;
}

/** The window's check: none yet, one under way, its result, or why it was refused. */
export type CheckState =
  | { phase: 'idle' }
  | { phase: 'running'; token: number; request: CheckRequest; cases: CheckCase[] }
  | { phase: 'done'; token: number; run: CheckRun }
  | { phase: 'failed'; token: number; request: CheckRequest; cases: CheckCase[]; message: string };

export const IDLE: CheckState = { phase: 'idle' };

/** `token` names one start: whatever another start's promise or listener reports is ignored. */
export type CheckAction =
  | { type: 'start'; token: number; request: CheckRequest }
  | { type: 'case'; token: number; case: CheckCase }
  | { type: 'finished'; token: number; run: CheckRun }
  | { type: 'failed'; token: number; message: string };

export function reduceCheck(state: CheckState, action: CheckAction): CheckState {
  if (action.type === 'start') {
    // One check at a time: the form offers Run only when none is under way.
    if (state.phase === 'running') return state;
    return { phase: 'running', token: action.token, request: action.request, cases: [] };
  }
  if (state.phase !== 'running' || state.token !== action.token) return state;
  switch (action.type) {
    case 'case':
      return { ...state, cases: mergeCase(state.cases, action.case) };
    case 'finished':
      // The recorded run is the whole truth: any progress event that was missed is in it.
      return { phase: 'done', token: state.token, run: action.run };
    case 'failed':
      return { phase: 'failed', token: state.token, request: state.request, cases: state.cases, message: action.message };
  }
}

function caseOrder(name: string): number {
  const i = (CHECK_CASES as readonly string[]).indexOf(name);
  return i === -1 ? CHECK_CASES.length : i;
}

/**
 * The cases so far with `c` in its place (the order they run); a second report of a case
 * replaces the first.
 */
export function mergeCase(cases: readonly CheckCase[], c: CheckCase): CheckCase[] {
  return [...cases.filter((k) => k.name !== c.name), c].sort((a, b) => caseOrder(a.name) - caseOrder(b.name));
}

/** The cases still to come, in the order they run: the first is being sent now. */
export function pendingCases(done: readonly CheckCase[]): string[] {
  const names = new Set(done.map((c) => c.name));
  return CHECK_CASES.filter((n) => !names.has(n));
}

export interface VerdictView {
  /** ✓, ! or ✗, as the CLI prints them. */
  mark: string;
  /** "pass", "warn", "fail": said as well as coloured. */
  label: string;
  tone: Tone;
}

const VERDICTS: Record<CaseVerdict, VerdictView> = {
  pass: { mark: '✓', label: 'pass', tone: 'good' },
  warn: { mark: '!', label: 'warn', tone: 'warn' },
  fail: { mark: '✗', label: 'fail', tone: 'bad' },
};

export function verdictView(v: CaseVerdict): VerdictView {
  return VERDICTS[v];
}

/** What came back: the status, or why nothing did. */
export function answerText(c: Pick<CheckCase, 'status' | 'error'>): string {
  if (c.status !== null) return String(c.status);
  return c.error ?? 'no answer';
}

/** The answer time, and whether it is past Persona's limit (which fails a case that must accept). */
export function timeView(ms: number | null, limitMs: number): { text: string; late: boolean } {
  return { text: humanDuration(ms), late: ms !== null && ms > limitMs };
}

export interface Overall {
  passed: boolean;
  tone: Tone;
  /** "Passed: every must-case passed." / "Failed: 4 must-cases failed — …" */
  headline: string;
  /** "4 passed, 1 warned, 5 failed", as the CLI counts them. */
  counts: string;
}

/** The run's overall line, in the CLI's words (`check-endpoint`'s summary). */
export function overall(cases: readonly CheckCase[], passed: boolean): Overall {
  const n = (v: CaseVerdict) => cases.filter((c) => c.verdict === v).length;
  const counts = `${n('pass')} passed, ${n('warn')} warned, ${n('fail')} failed`;
  if (passed) {
    const warned = n('warn');
    return {
      passed,
      tone: warned > 0 ? 'warn' : 'good',
      headline:
        warned > 0
          ? `Passed: every must-case passed; read the ${warned === 1 ? 'warning' : `${warned} warnings`}.`
          : 'Passed: every must-case passed.',
      counts,
    };
  }
  // Only a must-case can fail (an old timestamp accepted is a warning), but count by the rule.
  const mustFailed = cases.filter((c) => c.verdict === 'fail' && c.expectation !== 'should_reject').length;
  return {
    passed,
    tone: 'bad',
    headline: `Failed: ${plural(mustFailed, 'must-case', 'must-cases')} failed — your handler is not ready for Persona’s deliveries.`,
    counts,
  };
}

/** URLs to offer: those checked before first, then the re-delivery targets, each once. */
export function targetSuggestions(checked: readonly string[], redelivered: readonly string[], max = 10): string[] {
  return [...new Set([...checked, ...redelivered])].slice(0, max);
}

export type FormCheck =
  | { ok: true; request: CheckRequest }
  | { ok: false; problems: { url: string | null; secret: string | null } };

/**
 * The form as typed, checked before anything is sent: a URL the Rust side will take, and a saved
 * secret (`secrets` null: not read yet).
 */
export function checkForm(
  form: { url: string; secret: string; event: string },
  secrets: readonly SecretInfo[] | null,
): FormCheck {
  const target = checkTarget(form.url);
  const url = target.ok ? null : target.message;
  let secret: string | null = null;
  if (secrets !== null && secrets.length === 0) {
    secret = 'Save the secret your handler verifies with in Settings first: the deliveries are signed with it.';
  } else if (form.secret === '' || (secrets !== null && !secrets.some((s) => s.label === form.secret))) {
    secret = 'Pick the secret your handler verifies with.';
  }
  if (url !== null || secret !== null) return { ok: false, problems: { url, secret } };
  return { ok: true, request: { url: form.url.trim(), secret: form.secret, event: form.event } };
}
