// What the list pane shows besides rows: why it is empty, and the keyboard shortcuts.

export function EmptyList({
  loaded,
  failed,
  filtered,
  listenerFailed,
  onClear,
}: {
  loaded: boolean;
  /** The banner above says why. */
  failed: boolean;
  filtered: boolean;
  listenerFailed: boolean;
  onClear: () => void;
}) {
  if (listenerFailed) {
    return <p className="empty">Nothing is captured while the listener is not running.</p>;
  }
  if (!loaded) return failed ? null : <p className="empty">Loading…</p>;
  if (filtered) {
    return (
      <p className="empty">
        No deliveries match these filters.{' '}
        <button type="button" className="link" onClick={onClear}>
          Clear filters
        </button>
      </p>
    );
  }
  return <p className="empty">No deliveries yet.</p>;
}

export function KeyHints() {
  return (
    <p className="key-hints" aria-hidden="true">
      <kbd>↑</kbd>
      <kbd>↓</kbd> or <kbd>j</kbd>
      <kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>x</kbd> select · <kbd>Esc</kbd> close · <kbd>/</kbd> search
    </p>
  );
}
