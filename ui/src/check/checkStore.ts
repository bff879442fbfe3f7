// The window's endpoint check, held outside the dialog: a check takes up to 10 s a request
// against a slow handler, so the dialog may be closed and opened again to see it end. One check
// at a time; its cases are listened to before it starts, so none is missed, and the listener
// goes with it, so a case heard outside a check (or from an earlier one) changes nothing.

import { useSyncExternalStore } from 'react';
import { checkEndpoint, onCheckProgress, type UnlistenFn } from '../bindings.ts';
import { errorText } from '../format/error.ts';
import { IDLE, reduceCheck, type CheckAction, type CheckRequest, type CheckState } from './checkRun.ts';

let state: CheckState = IDLE;
const listeners = new Set<() => void>();
let starts = 0;

function dispatch(action: CheckAction): void {
  const next = reduceCheck(state, action);
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

/** Starts a check, unless one is under way. */
export function startCheck(request: CheckRequest): void {
  if (state.phase === 'running') return;
  const token = ++starts;
  dispatch({ type: 'start', token, request });
  let unlisten: UnlistenFn | null = null;
  onCheckProgress((c) => dispatch({ type: 'case', token, case: c }))
    // Not followed live: the cases then all show when the check ends.
    .catch(() => null)
    .then((u) => {
      unlisten = u;
      return checkEndpoint(request.url, request.secret, request.event);
    })
    .then(
      (run) => dispatch({ type: 'finished', token, run }),
      (e: unknown) => dispatch({ type: 'failed', token, message: errorText(e) }),
    )
    .finally(() => unlisten?.());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const snapshot = (): CheckState => state;

export function useCheck(): CheckState {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
