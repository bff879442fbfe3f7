// What a failed command or clipboard call says, as one sentence for the view.

import { isCommandError } from '../bindings.ts';

export function errorMessage(e: unknown): string {
  if (isCommandError(e) || e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
