import { describe, expect, it } from 'vitest';
import { CHECK_CASES, type CaseVerdict, type CheckCase, type CheckRun, type Expectation } from '../bindings.ts';
import {
  answerText,
  checkForm,
  IDLE,
  mergeCase,
  overall,
  pendingCases,
  reduceCheck,
  targetSuggestions,
  timeView,
  verdictView,
  type CheckAction,
  type CheckRequest,
  type CheckState,
} from './checkRun.ts';

const REQUEST: CheckRequest = { url: 'http://127.0.0.1:3000/hooks', secret: 'current', event: 'inquiry.completed' };

const EXPECTATIONS: Record<string, Expectation> = { 'old-timestamp': 'should_reject', 'bare-hmac': 'reject' };

function kase(name: string, verdict: CaseVerdict = 'pass', over: Partial<CheckCase> = {}): CheckCase {
  return {
    name,
    sent: `${name} sent`,
    expectation: EXPECTATIONS[name] ?? 'accept',
    expected: 'must answer 200, 201, 202 or 204 within 5 s',
    status: 200,
    error: null,
    ms: 3.2,
    verdict,
    advice: 'Nothing to do.',
    attempts: [],
    ...over,
  };
}

function run(cases: CheckCase[], passed: boolean, id = 7): CheckRun {
  return {
    id,
    url: REQUEST.url,
    event: REQUEST.event,
    secret_label: REQUEST.secret,
    started_at: '2026-01-02T03:04:05.000Z',
    started_at_ms: 1_767_323_045_000,
    limit_ms: 5000,
    passed,
    cases,
  };
}

const apply = (...actions: CheckAction[]): CheckState => actions.reduce(reduceCheck, IDLE);

describe('reduceCheck', () => {
  it('merges the cases of the check it started as they end, then takes the recorded run', () => {
    const running = apply(
      { type: 'start', token: 1, request: REQUEST },
      { type: 'case', token: 1, case: kase('signed', 'fail') },
      { type: 'case', token: 1, case: kase('rotation', 'fail') },
    );
    expect(running.phase).toBe('running');
    if (running.phase !== 'running') return;
    expect(running.cases.map((c) => c.name)).toEqual(['signed', 'rotation']);
    expect(running.request).toEqual(REQUEST);

    const recorded = run([kase('signed', 'fail'), kase('rotation', 'fail'), kase('bare-hmac', 'fail')], false);
    const done = reduceCheck(running, { type: 'finished', token: 1, run: recorded });
    expect(done).toEqual({ phase: 'done', token: 1, run: recorded });
  });

  it('ignores cases and results of another start, and cases when no check runs', () => {
    const idle = apply({ type: 'case', token: 1, case: kase('signed') });
    expect(idle).toBe(IDLE);

    const second = apply(
      { type: 'start', token: 1, request: REQUEST },
      { type: 'failed', token: 1, message: 'could not reach it' },
      { type: 'start', token: 2, request: REQUEST },
      { type: 'case', token: 1, case: kase('signed', 'fail') },
      { type: 'finished', token: 1, run: run([], true) },
      { type: 'case', token: 2, case: kase('signed') },
    );
    expect(second.phase).toBe('running');
    if (second.phase === 'running') expect(second.cases.map((c) => [c.name, c.verdict])).toEqual([['signed', 'pass']]);

    const finished = reduceCheck(second, { type: 'finished', token: 2, run: run([kase('signed')], true) });
    expect(reduceCheck(finished, { type: 'case', token: 2, case: kase('rotation', 'fail') })).toBe(finished);
  });

  it('refuses a second start while one runs', () => {
    const first = apply({ type: 'start', token: 1, request: REQUEST });
    expect(reduceCheck(first, { type: 'start', token: 2, request: { ...REQUEST, url: 'http://other' } })).toBe(first);
  });

  it('keeps the cases heard when the check is refused or stops', () => {
    const failed = apply(
      { type: 'start', token: 3, request: REQUEST },
      { type: 'case', token: 3, case: kase('signed') },
      { type: 'failed', token: 3, message: 'the store is full' },
    );
    expect(failed).toMatchObject({ phase: 'failed', message: 'the store is full', request: REQUEST });
    if (failed.phase === 'failed') expect(failed.cases.map((c) => c.name)).toEqual(['signed']);
  });
});

describe('mergeCase and pendingCases', () => {
  it('keeps the order the cases run in, whatever order they are heard in, and one report per case', () => {
    let cases = mergeCase([], kase('duplicate'));
    cases = mergeCase(cases, kase('signed', 'fail'));
    cases = mergeCase(cases, kase('bare-hmac'));
    cases = mergeCase(cases, kase('signed', 'pass'));
    expect(cases.map((c) => [c.name, c.verdict])).toEqual([
      ['signed', 'pass'],
      ['bare-hmac', 'pass'],
      ['duplicate', 'pass'],
    ]);
  });

  it('lists the cases still to come in the order they run', () => {
    expect(pendingCases([])).toEqual([...CHECK_CASES]);
    const done = CHECK_CASES.slice(0, 3).map((n) => kase(n));
    expect(pendingCases(done)).toEqual(CHECK_CASES.slice(3));
    expect(pendingCases(CHECK_CASES.map((n) => kase(n)))).toEqual([]);
  });
});

describe('how a case reads', () => {
  it('says each verdict with a mark, a word and a tone', () => {
    expect(verdictView('pass')).toEqual({ mark: '✓', label: 'pass', tone: 'good' });
    expect(verdictView('warn')).toEqual({ mark: '!', label: 'warn', tone: 'warn' });
    expect(verdictView('fail')).toEqual({ mark: '✗', label: 'fail', tone: 'bad' });
  });

  it('shows the status, or why no answer came', () => {
    expect(answerText({ status: 401, error: null })).toBe('401');
    expect(answerText({ status: null, error: 'no answer within 10 s' })).toBe('no answer within 10 s');
    expect(answerText({ status: null, error: null })).toBe('no answer');
  });

  it('marks an answer time past the limit', () => {
    expect(timeView(4999, 5000)).toEqual({ text: '5 s', late: false });
    expect(timeView(5001, 5000)).toEqual({ text: '5 s', late: true });
    expect(timeView(3.24, 5000)).toEqual({ text: '3.2 ms', late: false });
    expect(timeView(null, 5000)).toEqual({ text: '—', late: false });
  });
});

describe('overall', () => {
  it('passes when every must-case passed, with or without warnings', () => {
    const clean = overall(CHECK_CASES.map((n) => kase(n)), true);
    expect(clean).toEqual({
      passed: true,
      tone: 'good',
      headline: 'Passed: every must-case passed.',
      counts: '10 passed, 0 warned, 0 failed',
    });
    const warned = overall([kase('signed'), kase('old-timestamp', 'warn')], true);
    expect(warned.tone).toBe('warn');
    expect(warned.headline).toBe('Passed: every must-case passed; read the warning.');
    expect(warned.counts).toBe('1 passed, 1 warned, 0 failed');
  });

  it('fails naming how many must-cases failed', () => {
    const cases = [
      kase('signed', 'fail'),
      kase('rotation', 'fail'),
      kase('bare-hmac', 'fail'),
      kase('no-signature', 'warn'),
      kase('other-secret'),
    ];
    const o = overall(cases, false);
    expect(o.passed).toBe(false);
    expect(o.tone).toBe('bad');
    expect(o.headline).toBe('Failed: 3 must-cases failed — your handler is not ready for Persona’s deliveries.');
    expect(o.counts).toBe('1 passed, 1 warned, 3 failed');
    expect(overall([kase('signed', 'fail')], false).headline).toMatch(/^Failed: 1 must-case failed/);
  });
});

describe('the form', () => {
  const secrets = [{ id: 1, label: 'current', preview: 'wbhsec_…9f2c' }];

  it('takes a URL and a saved secret, trimmed', () => {
    expect(checkForm({ url: '  http://127.0.0.1:3000/hooks ', secret: 'current', event: 'inquiry.approved' }, secrets)).toEqual({
      ok: true,
      request: { url: 'http://127.0.0.1:3000/hooks', secret: 'current', event: 'inquiry.approved' },
    });
  });

  it('refuses an empty or unusable URL, saying why', () => {
    for (const url of ['', 'localhost:3000/hooks', 'ftp://x/y', 'http:///hooks']) {
      const r = checkForm({ url, secret: 'current', event: 'inquiry.completed' }, secrets);
      expect(r.ok, url).toBe(false);
      if (!r.ok) {
        expect(r.problems.url, url).toMatch(/\S/);
        expect(r.problems.secret).toBeNull();
      }
    }
  });

  it('asks for a saved secret, and to save one when none is', () => {
    const none = checkForm({ url: REQUEST.url, secret: '', event: 'inquiry.completed' }, []);
    expect(none).toMatchObject({ ok: false, problems: { url: null, secret: expect.stringMatching(/Settings/) } });
    const gone = checkForm({ url: REQUEST.url, secret: 'removed', event: 'inquiry.completed' }, secrets);
    expect(gone).toMatchObject({ ok: false, problems: { secret: 'Pick the secret your handler verifies with.' } });
  });

  it('offers the URLs checked before, then those re-delivered to, each once', () => {
    expect(targetSuggestions(['http://a/1', 'http://b/2'], ['http://b/2', 'http://c/3'])).toEqual([
      'http://a/1',
      'http://b/2',
      'http://c/3',
    ]);
    expect(targetSuggestions(['http://a', 'http://b', 'http://c'], [], 2)).toEqual(['http://a', 'http://b']);
  });
});
