import { describe, expect, it } from 'vitest';
import type { ForwardRule } from '../bindings.ts';
import {
  buildRule,
  checkSpeedup,
  CUSTOM,
  formFromRule,
  retryDelaysMs,
  ruleDetails,
  ruleStatus,
  scheduleText,
  type RuleForm,
} from './rule.ts';

const OFF: ForwardRule = {
  enabled: false,
  target: '',
  keep_path: false,
  signing: { mode: 'keep' },
  events: [],
  retry_speedup: null,
  timeout_ms: 5000,
};

const form = (over: Partial<RuleForm> = {}): RuleForm => ({ ...formFromRule(OFF), ...over });

describe('the retry schedule', () => {
  it('is Persona’s own at 1×, divided like the relay divides it (whole ms, rounded down)', () => {
    expect(retryDelaysMs(1)).toEqual([3_000, 64_000, 729_000, 4_096_000, 15_625_000, 46_656_000, 117_649_000]);
    expect(retryDelaysMs(1000)).toEqual([3, 64, 729, 4096, 15625, 46656, 117649]);
    expect(retryDelaysMs(100_000)).toEqual([0, 0, 7, 40, 156, 466, 1176]);
  });

  it('reads as durations', () => {
    expect(scheduleText(1)).toBe('3 s, 1 min 4 s, 12 min 9 s, 1 h 8 min, 4 h 20 min, 12 h 57 min, 1 d 8 h');
    expect(scheduleText(3600)).toBe('0 ms, 17 ms, 202 ms, 1.1 s, 4.3 s, 12 s, 32 s');
    expect(scheduleText(1000)).toBe('3 ms, 64 ms, 729 ms, 4 s, 15 s, 46 s, 1 min 57 s');
  });
});

describe('checkSpeedup', () => {
  it('takes whole numbers from 1 to 1 000 000, with or without a trailing ×', () => {
    expect(checkSpeedup('60')).toEqual({ ok: true, value: 60 });
    expect(checkSpeedup(' 3600× ')).toEqual({ ok: true, value: 3600 });
    expect(checkSpeedup('1000000')).toEqual({ ok: true, value: 1_000_000 });
    expect(checkSpeedup('0')).toMatchObject({ ok: false, message: expect.stringMatching(/between 1/) });
    expect(checkSpeedup('1000001').ok).toBe(false);
    expect(checkSpeedup('2.5')).toMatchObject({ ok: false, message: expect.stringMatching(/whole number/) });
    expect(checkSpeedup('').ok).toBe(false);
  });
});

describe('formFromRule and buildRule', () => {
  it('round-trip a saved rule', () => {
    const rule: ForwardRule = {
      enabled: true,
      target: 'http://127.0.0.1:3000/hooks',
      keep_path: true,
      signing: { mode: 'resign', secret: 'handler' },
      resign_unverified: true,
      events: ['inquiry.completed', 'inquiry.approved'],
      retry_speedup: 60,
      timeout_ms: 2500,
    };
    const f = formFromRule(rule);
    expect(f).toMatchObject({ speedup: '60', customSpeedup: '', retries: true, signing: 'resign:handler' });
    expect(buildRule(f)).toEqual({ ok: true, rule });
  });

  it('keeps an uncommon speed-up as a custom number', () => {
    const f = formFromRule({ ...OFF, retry_speedup: 100_000 });
    expect(f).toMatchObject({ speedup: CUSTOM, customSpeedup: '100000', retries: true });
    const built = buildRule(f);
    expect(built.ok && built.rule.retry_speedup).toBe(100_000);
  });

  it('offers 3600× when retries are first switched on, and sends null while they are off', () => {
    const f = formFromRule(OFF);
    expect(f).toMatchObject({ retries: false, speedup: '3600' });
    const built = buildRule(f);
    expect(built.ok && built.rule.retry_speedup).toBeNull();
  });

  it('fills in what an older saved rule left out', () => {
    const f = formFromRule({ enabled: false, target: 'http://x' });
    expect(f).toMatchObject({ keepPath: false, signing: 'keep', events: [], retries: false, timeout: '5000' });
  });

  it('checks the target only when forwarding is on', () => {
    expect(buildRule(form({ target: 'localhost:3000' })).ok).toBe(true);
    const on = buildRule(form({ enabled: true, target: 'localhost:3000' }));
    expect(on).toMatchObject({ ok: false, problems: { target: expect.stringMatching(/http:\/\//), speedup: null, timeout: null } });
    const built = buildRule(form({ enabled: true, target: '  http://127.0.0.1:3000  ' }));
    expect(built.ok && built.rule.target).toBe('http://127.0.0.1:3000');
  });

  it('refuses a bad custom speed-up only when retries are on, and a bad timeout always', () => {
    expect(buildRule(form({ speedup: CUSTOM, customSpeedup: 'fast' })).ok).toBe(true);
    expect(buildRule(form({ retries: true, speedup: CUSTOM, customSpeedup: 'fast' }))).toMatchObject({
      ok: false,
      problems: { speedup: expect.stringMatching(/whole number/) },
    });
    expect(buildRule(form({ timeout: '0' }))).toMatchObject({ ok: false, problems: { timeout: expect.stringMatching(/between 1/) } });
  });
});

describe('the header status', () => {
  it('says off, or where captures go and how', () => {
    expect(ruleStatus(OFF)).toBe('Forwarding off');
    const on: ForwardRule = { ...OFF, enabled: true, target: 'http://127.0.0.1:3000' };
    expect(ruleStatus(on)).toBe('Forwarding → http://127.0.0.1:3000');
    expect(ruleDetails(on)).toBe('Every new capture · sent to http://127.0.0.1:3000 · signature kept · no retries');
    expect(ruleDetails({ ...on, events: ['inquiry.completed'], retry_speedup: 3600, keep_path: true })).toBe(
      'New inquiry.completed captures · sent to http://127.0.0.1:3000 + their own path · signature kept · failures retried on Persona’s schedule 3,600× faster',
    );
  });
});
