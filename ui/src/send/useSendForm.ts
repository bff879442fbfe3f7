// The state of a send form, as the Re-deliver tab, the bulk Re-deliver dialog and the Forwarding
// dialog share it: target, path, signing and timeout; the last target used offered until
// something is typed; a re-signing secret that is gone falling back to keeping the signature;
// the target's problem shown once typed in, or after a submit.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { KEEP, signingFromChoice } from './redeliverOptions.ts';
import { useSendChoices, type SendChoices } from './useSendChoices.ts';

export interface SendValues {
  target: string;
  keepPath: boolean;
  /** `KEEP` or `resignChoice(label)`. */
  signing: string;
  /** As typed, in ms. */
  timeout: string;
}

export interface SendForm {
  values: SendValues;
  change: (patch: Partial<SendValues>) => void;
  /** The target as typed by the user (from then on, no last target is offered). */
  typeTarget: (target: string) => void;
  choices: SendChoices;
  /** A submit asked for every problem to show, whatever was typed. */
  showProblems: boolean;
  /** Problems show whatever was typed (after a submit), until `setShowProblems(false)`. */
  setShowProblems: (show: boolean) => void;
  /** `problem` (the target's, checked by the caller) if it should be shown now, else null. */
  targetError: (problem: string | null) => string | null;
}

/** `onEdit` runs on every change (a dialog clears its refusal). */
export function useSendForm(initial: SendValues | (() => SendValues), onEdit?: () => void): SendForm {
  const [values, setValues] = useState<SendValues>(initial);
  const [touched, setTouched] = useState(false);
  const [showProblems, setShowProblems] = useState(false);
  const choices = useSendChoices();

  const change = useCallback(
    (patch: Partial<SendValues>) => {
      setValues((v) => ({ ...v, ...patch }));
      onEdit?.();
    },
    [onEdit],
  );
  const typeTarget = useCallback(
    (target: string) => {
      setTouched(true);
      change({ target });
    },
    [change],
  );

  // The last target used is offered until something is typed.
  const lastUsed = choices.recent[0];
  useEffect(() => {
    if (!touched && lastUsed !== undefined) setValues((v) => (v.target === '' ? { ...v, target: lastUsed } : v));
  }, [lastUsed, touched]);

  // A re-signing secret that is gone falls back to keeping the signature.
  const labels = useMemo(() => choices.secrets?.map((s) => s.label) ?? null, [choices.secrets]);
  useEffect(() => {
    const s = signingFromChoice(values.signing);
    if (labels !== null && s.mode === 'resign' && !labels.includes(s.secret)) setValues((v) => ({ ...v, signing: KEEP }));
  }, [labels, values.signing]);

  const targetError = (problem: string | null) =>
    problem !== null && (showProblems || (touched && values.target.trim() !== '')) ? problem : null;

  return { values, change, typeTarget, choices, showProblems, setShowProblems, targetError };
}
