// The header's forwarding status, which opens the Forwarding dialog: "Forwarding off", or
// "Forwarding → http://127.0.0.1:3000" with what and how in the tooltip.

import type { ForwardRule } from '../bindings.ts';
import { ruleDetails, ruleStatus } from './rule.ts';

export interface ForwardingButtonProps {
  /** Null until read. */
  rule: ForwardRule | null;
  /** Why the rule could not be read. */
  error: string | null;
  onOpen: () => void;
}

export function ForwardingButton({ rule, error, onOpen }: ForwardingButtonProps) {
  const on = rule?.enabled === true;
  const text = rule !== null ? ruleStatus(rule) : error !== null ? 'Forwarding unavailable' : 'Forwarding…';
  const title = rule !== null ? ruleDetails(rule) : (error ?? 'Reading the forward rule…');
  return (
    <button
      type="button"
      className={on ? 'button forwarding forwarding-on' : 'button forwarding'}
      data-testid="open-forwarding"
      data-enabled={on}
      title={title}
      disabled={rule === null}
      onClick={onOpen}
    >
      {on && <span className="dot" aria-hidden="true" />}
      <span className="forwarding-text">{text}</span>
    </button>
  );
}
