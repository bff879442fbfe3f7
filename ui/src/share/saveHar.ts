// Saves a HAR export: the command makes the file, the webview downloads it. WebKit puts a download
// in the Downloads folder (XDG_DOWNLOAD_DIR) under the name given, adding " (1)" when it is taken;
// the app has no file dialog, and nothing leaves the machine.

import { exportHar, type Scope } from '../bindings.ts';
import { harFileName, savedText, type HarSubject } from './harFile.ts';

/** Hands `text` to the webview as a file download named `name`; returns its size in bytes. */
export function downloadText(text: string, name: string, type: string): number {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the blob after the click returns: let it go only much later.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob.size;
}

/** Exports `scope` as HAR and saves it; resolves with what to tell the user, rejects with the command's error. */
export async function saveHar(scope: Scope, subject: HarSubject): Promise<string> {
  const har = await exportHar(scope);
  const name = harFileName(subject, new Date());
  return savedText(name, downloadText(har, name, 'application/json'));
}
