// Keyboard navigation in the list: which row a key moves the selection to.

export type NavKey = 'down' | 'up' | 'home' | 'end' | 'page-down' | 'page-up';

/** The navigation a key press means, or null. j/k as in vi and mail readers. */
export function navKey(key: string): NavKey | null {
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return 'down';
    case 'ArrowUp':
    case 'k':
      return 'up';
    case 'Home':
      return 'home';
    case 'End':
      return 'end';
    case 'PageDown':
      return 'page-down';
    case 'PageUp':
      return 'page-up';
    default:
      return null;
  }
}

/**
 * The index the selection moves to, within `0..count`; null when there is nothing to select.
 * Without a current selection any move starts at the top row (End: the bottom one).
 */
export function nextIndex(nav: NavKey, current: number | null, count: number, page: number): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  if (current === null) return nav === 'end' ? last : 0;
  const at = Math.min(Math.max(current, 0), last);
  switch (nav) {
    case 'down':
      return Math.min(at + 1, last);
    case 'up':
      return Math.max(at - 1, 0);
    case 'home':
      return 0;
    case 'end':
      return last;
    case 'page-down':
      return Math.min(at + Math.max(1, page), last);
    case 'page-up':
      return Math.max(at - Math.max(1, page), 0);
  }
}

interface Focusable {
  tagName: string;
  isContentEditable?: boolean;
  type?: string;
}

const BUTTONLIKE = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file']);

/** Whether key presses at this element are typing, which the list's shortcuts must leave alone. */
export function isTyping(target: Focusable | null): boolean {
  if (target === null) return false;
  if (target.isContentEditable === true) return true;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !BUTTONLIKE.has((target.type ?? 'text').toLowerCase());
  return false;
}
