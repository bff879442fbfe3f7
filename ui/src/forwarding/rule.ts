// The forward rule as the Forwarding dialog edits it: the form's fields from a saved rule and
// back, checked the way the Rust side checks them (src/relay/rule.rs `Rule::check`), the retry
// schedule a speed-up gives, and the header's one-line status. Pure.

import type { ForwardRule } from '../bindings.ts';
import { checkTimeout, KEEP, resignChoice, signingFromChoice } from '../send/redeliverOptions.ts';
import { signingText } from '../attempt/attemptView.ts';
import { checkTarget } from '../send/targetUrl.ts';
import { RETRY_DELAYS_S } from '../persona/facts.ts';
import { formatDuration } from '../format/duration.ts';
import { DEFAULT_TIMEOUT_MS, MAX_SPEEDUP } from '../bindings.ts';


export const SPEEDUP_PRESETS: readonly { value: number; label: string }[] = [
  { value: 1, label: '1× — Persona’s real schedule' },
  { value: 60, label: '60× — a minute becomes a second' },
  { value: 3600, label: '3600× — an hour becomes a second' },
];

/** The speed-up select's value for typing a number. */
export const CUSTOM = 'custom';

/** Offered when retries are first switched on: the whole schedule then takes about 1 min. */
const DEFAULT_SPEEDUP = 3600;

/** The delay after each failed attempt, in ms: Persona's schedule divided as the relay does. */
export function retryDelaysMs(speedup: number): number[] {
  const by = Math.max(1, Math.floor(speedup));
  return RETRY_DELAYS_S.map((s) => Math.floor((s * 1000) / by));
}

/** "3 s, 1 min 4 s, 12 min 9 s, …" (a whole second without its ".0"). */
export function scheduleText(speedup: number): string {
  return retryDelaysMs(speedup)
    .map((ms) => formatDuration(ms).replace(/\.0 s$/, ' s'))
    .join(', ');
}

export type Checked = { ok: true; value: number } | { ok: false; message: string };

export function checkSpeedup(text: string): Checked {
  const t = text.trim().replace(/[×x]$/i, '');
  if (!/^\d+$/.test(t)) return { ok: false, message: 'The speed-up is a whole number, e.g. 60 or 3600.' };
  const n = Number(t);
  if (n < 1 || n > MAX_SPEEDUP) {
    return { ok: false, message: `The speed-up must be between 1 (Persona’s real schedule) and ${MAX_SPEEDUP.toLocaleString('en-US')}.` };
  }
  return { ok: true, value: n };
}

export interface RuleForm {
  enabled: boolean;
  target: string;
  keepPath: boolean;
  /** `KEEP` or `resignChoice(label)`, as the Re-deliver tab's select. */
  signing: string;
  /** Re-sign captures Persona did not sign too (off: they go with their own signature). */
  resignUnverified: boolean;
  /** Event names to forward; empty: every capture. */
  events: string[];
  retries: boolean;
  /** A preset's value as text, or `CUSTOM`. */
  speedup: string;
  customSpeedup: string;
  timeout: string;
}

export function formFromRule(rule: ForwardRule): RuleForm {
  const speedup = rule.retry_speedup ?? null;
  const preset = speedup === null ? DEFAULT_SPEEDUP : speedup;
  const isPreset = SPEEDUP_PRESETS.some((p) => p.value === preset);
  const signing = rule.signing ?? { mode: 'keep' };
  return {
    enabled: rule.enabled,
    target: rule.target,
    keepPath: rule.keep_path ?? false,
    signing: signing.mode === 'resign' ? resignChoice(signing.secret) : KEEP,
    resignUnverified: rule.resign_unverified ?? false,
    events: [...(rule.events ?? [])],
    retries: speedup !== null,
    speedup: isPreset ? String(preset) : CUSTOM,
    customSpeedup: isPreset ? '' : String(preset),
    timeout: String(rule.timeout_ms ?? DEFAULT_TIMEOUT_MS),
  };
}

/** The speed-up the form stands for, checked (also when retries are off, for the schedule shown). */
export function formSpeedup(form: Pick<RuleForm, 'speedup' | 'customSpeedup'>): Checked {
  return form.speedup === CUSTOM ? checkSpeedup(form.customSpeedup) : checkSpeedup(form.speedup);
}

export interface RuleProblems {
  target: string | null;
  speedup: string | null;
  timeout: string | null;
}

export type BuiltRule = { ok: true; rule: ForwardRule } | { ok: false; problems: RuleProblems };

/**
 * The rule to save, or what is wrong. The target is checked only when forwarding is on: a rule
 * switched off may keep a half-typed one (the Rust side agrees).
 */
export function buildRule(form: RuleForm): BuiltRule {
  const target = form.enabled ? checkTarget(form.target) : null;
  const speedup = form.retries ? formSpeedup(form) : null;
  const timeout = checkTimeout(form.timeout);
  const problems: RuleProblems = {
    target: target !== null && !target.ok ? target.message : null,
    speedup: speedup !== null && !speedup.ok ? speedup.message : null,
    timeout: timeout.ok ? null : timeout.message,
  };
  if (problems.target !== null || problems.speedup !== null || !timeout.ok) return { ok: false, problems };
  return {
    ok: true,
    rule: {
      enabled: form.enabled,
      target: form.target.trim(),
      keep_path: form.keepPath,
      signing: signingFromChoice(form.signing),
      resign_unverified: form.resignUnverified,
      events: form.events,
      retry_speedup: speedup !== null && speedup.ok ? speedup.value : null,
      timeout_ms: timeout.value,
    },
  };
}

/** The header's status: "Forwarding off" or "Forwarding → http://127.0.0.1:3000". */
export function ruleStatus(rule: ForwardRule): string {
  return rule.enabled ? `Forwarding → ${rule.target}` : 'Forwarding off';
}

/** The status's tooltip: what an enabled rule forwards and how. */
export function ruleDetails(rule: ForwardRule): string {
  if (!rule.enabled) return 'New captures are not forwarded. Click to forward them to your app.';
  const events = rule.events ?? [];
  const speedup = rule.retry_speedup ?? null;
  return [
    events.length === 0 ? 'Every new capture' : `New ${events.join(', ')} captures`,
    `sent to ${rule.target}${rule.keep_path ? ' + their own path' : ''}`,
    signingText(rule.signing ?? { mode: 'keep' }) +
      (rule.signing?.mode === 'resign' ? (rule.resign_unverified ? ', even when Persona did not sign it' : ' when Persona signed it and it arrived fresh') : ''),
    speedup === null ? 'no retries' : `failures retried on Persona’s schedule ${speedup === 1 ? 'as is' : `${speedup.toLocaleString('en-US')}× faster`}`,
  ].join(' · ');
}
