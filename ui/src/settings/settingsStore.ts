// The app's settings, read once and shared: the Settings panel, the first-run page and every
// send form's secrets show the same copy. Re-read when verdicts were recomputed (secrets or
// tolerance changed anywhere), when the listener comes back, and on Retry.

import { useSyncExternalStore } from 'react';
import { getSettings, onRechecked, type AppSettings } from '../bindings.ts';
import { errorText } from '../format/error.ts';

export interface SettingsState {
  /** Null until read. */
  settings: AppSettings | null;
  /** Why the last read failed (what was read before stays). */
  error: string | null;
}

let state: SettingsState = { settings: null, error: null };
const listeners = new Set<() => void>();
let started = false;

function publish(next: SettingsState): void {
  state = next;
  for (const l of listeners) l();
}

/** Reads the settings again. */
export function reloadSettings(): void {
  publish({ ...state, error: null });
  getSettings().then(
    (settings) => publish({ settings, error: null }),
    (e: unknown) => publish({ ...state, error: errorText(e) }),
  );
}

/** Settings a command already answered with (saving a change returns them). */
export function putSettings(settings: AppSettings): void {
  publish({ settings, error: null });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!started) {
    // First reader: read them, and follow re-checks for the window's lifetime. A failure to
    // subscribe only costs a refresh.
    started = true;
    reloadSettings();
    onRechecked(reloadSettings).catch(() => undefined);
  }
  return () => {
    listeners.delete(listener);
  };
}

const snapshot = (): SettingsState => state;

export function useSettings(): SettingsState {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
