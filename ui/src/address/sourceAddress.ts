// Where a delivery came from, as the window words it: its apparent source address (the peer, or
// behind ngrok the address ngrok put in X-Forwarded-For; src/model/source_ip.rs) and whether
// that address is in the saved list of Persona's webhook addresses. Information for a person to
// weigh, never a verdict: the signature is what shows a delivery is Persona's. Pure.

import { PERSONA_WEBHOOK_IPS, type Source } from '../bindings.ts';
import { isPersonaSuccess } from '../persona/facts.ts';

type Listed = boolean | null | undefined;

const NOT_A_VERDICT = 'Information only: the signature is what shows a delivery is Persona’s.';

export interface SourceMark {
  ip: string;
  /** "Persona’s" or "not listed"; null when it was not looked up (the list is empty). */
  marker: string | null;
  listed: 'yes' | 'no' | 'unknown';
  title: string;
}

/** The list row's source cell; null when the address is unknown (nothing is shown). */
export function sourceMark(s: { source_ip?: string | null; source_ip_listed?: Listed }): SourceMark | null {
  const ip = s.source_ip;
  if (ip == null) return null;
  switch (s.source_ip_listed) {
    case true:
      return {
        ip,
        marker: 'Persona’s',
        listed: 'yes',
        title: `${ip} is in Persona’s list of webhook source addresses (Settings). ${NOT_A_VERDICT}`,
      };
    case false:
      return {
        ip,
        marker: 'not listed',
        listed: 'no',
        title:
          `${ip} is not in Persona’s list of webhook source addresses (Settings): another sender, ` +
          `a test from this machine, or a list out of date. ${NOT_A_VERDICT}`,
      };
    default:
      return { ip, marker: null, listed: 'unknown', title: `${ip}: not looked up, Persona’s address list (Settings) is empty.` };
  }
}

/** The Overview's words for the lookup, beside the address. */
export function listedText(ip: string | null | undefined, listed: Listed): string {
  if (ip == null) return 'unknown';
  switch (listed) {
    case true:
      return 'in Persona’s list of webhook addresses';
    case false:
      return 'not in Persona’s list of webhook addresses';
    default:
      return 'not looked up: Persona’s address list (Settings) is empty';
  }
}

/** "answered 200", and what Persona makes of a status it does not count as delivered. */
export function replyText(status: number | null, source: Source | undefined): string {
  if (status === null) {
    return source === 'imported'
      ? 'nobody answered it: it was imported'
      : 'not recorded (stored before the inspector kept its answer)';
  }
  if (isPersonaSuccess(status)) return `answered ${status}`;
  return `answered ${status}: Persona counts it as a failed attempt and tries again`;
}

/**
 * The addresses typed in the Settings field: one a line (commas and spaces separate too, as a
 * list copied from a web page may have them), blanks dropped, each once. Checking that each is
 * an IP address is the command's job, so its error is the one shown.
 */
export function parseAddressList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((a) => a !== ''))];
}

/** The field's text for a saved list. */
export function addressListText(list: readonly string[]): string {
  return list.join('\n');
}

export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether `list` is the one Persona publishes, as the app first saves it. */
export function isPersonaList(list: readonly string[]): boolean {
  return sameAddresses(list, PERSONA_WEBHOOK_IPS);
}
