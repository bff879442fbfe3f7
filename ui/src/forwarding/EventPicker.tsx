// The forward rule's event filter: the names chosen, as chips, and a select to add another from
// the names received (with their counts, busiest first) and the rest of Persona's catalog, like
// the list's event filter. None chosen: every capture is forwarded.

import type { CatalogEvent, EventCount } from '../bindings.ts';
import { grouped } from '../format/text.ts';
import { eventOptions } from '../list/eventOptions.ts';

export interface EventPickerProps {
  catalog: readonly CatalogEvent[];
  counts: readonly EventCount[];
  value: readonly string[];
  onChange: (names: string[]) => void;
  disabled?: boolean;
}

export function EventPicker({ catalog, counts, value, onChange, disabled = false }: EventPickerProps) {
  const options = eventOptions(catalog, counts);
  const chosen = new Set(value);
  const received = options.received.filter((o) => !chosen.has(o.name));
  const rest = options.catalog.filter((o) => !chosen.has(o.name));
  return (
    <div className="event-picker" data-testid="forward-events">
      {value.length === 0 ? (
        <span className="hint" data-testid="forward-events-all">
          Every capture, whatever its event (and requests that are not Persona events).
        </span>
      ) : (
        <ul className="chips">
          {value.map((name) => (
            <li key={name} className="chip" data-testid="forward-event-chip" data-name={name}>
              <span className="mono">{name}</span>
              <button
                type="button"
                aria-label={`Stop forwarding ${name}`}
                disabled={disabled}
                onClick={() => onChange(value.filter((n) => n !== name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <select
        data-testid="forward-event-add"
        value=""
        disabled={disabled}
        aria-label="Forward only this event (add)"
        onChange={(e) => {
          const name = e.target.value;
          if (name !== '' && !chosen.has(name)) onChange([...value, name]);
        }}
      >
        <option value="">{value.length === 0 ? 'Only some events: add one…' : 'Add another event…'}</option>
        {received.length > 0 && (
          <optgroup label="Received">
            {received.map((o) => (
              <option key={o.name} value={o.name}>
                {o.name} ({grouped(o.count)}){o.known ? '' : ' · unknown'}
              </option>
            ))}
          </optgroup>
        )}
        {rest.length > 0 && (
          <optgroup label="Persona catalog, none received">
            {rest.map((o) => (
              <option key={o.name} value={o.name}>
                {o.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </div>
  );
}
