// What the header says about a local ngrok agent (`ngrok_status`): the public URL that leads to
// the listener, to paste into Persona; a warning when the tunnels lead elsewhere; nothing when no
// agent runs. Pure.

import type { NgrokStatus, Tunnel } from '../bindings.ts';

/** Where a webhook's URL goes in Persona's dashboard (docs.withpersona.com/docs/webhooks). */
export const PERSONA_WEBHOOKS_PLACE = 'Persona’s dashboard (Integration → Webhooks)';

export type NgrokView =
  /** A tunnel leads to the listener: its URL is the one to give Persona. */
  | { kind: 'tunnel'; url: string; hint: string; title: string }
  /** ngrok runs, but forwards somewhere else: what to run instead. */
  | { kind: 'elsewhere'; text: string; command: string; title: string };

export function ngrokView(status: NgrokStatus | null): NgrokView | null {
  if (status === null) return null;
  switch (status.kind) {
    case 'no_agent':
      return null;
    case 'tunnel': {
      const here = status.tunnels.find((t) => t.public_url === status.public_url);
      return {
        kind: 'tunnel',
        url: status.public_url,
        hint: `paste this into ${PERSONA_WEBHOOKS_PLACE}`,
        title: `ngrok forwards ${status.public_url} to ${here?.addr ?? 'this listener'}`,
      };
    }
    case 'other_ports': {
      const command = `ngrok http ${status.port}`;
      const targets = [...new Set(status.tunnels.map(target))];
      return {
        kind: 'elsewhere',
        text:
          targets.length === 0
            ? `ngrok is running, but none of its HTTP tunnels forwards to ${status.port} — run ${command}`
            : `ngrok forwards to ${joinWords(targets)}, not ${status.port} — run ${command}`,
        command,
        title: status.tunnels.map((t) => `${t.public_url} → ${t.addr}`).join('\n'),
      };
    }
  }
}

/** Where a tunnel leads: the port on this machine, or the address as configured for another host. */
function target(t: Tunnel): string {
  return t.port === null ? t.addr : String(t.port);
}

/** "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
