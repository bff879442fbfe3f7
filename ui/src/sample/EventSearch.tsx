// Pick one of Persona's events: a search field over the catalog and, under it, the events it
// matches grouped as the catalog groups them, each with its description. Typing chooses the best
// match; ↑ ↓ (and Page Up/Down) move the choice without leaving the field, Escape clears the
// search; a click chooses too. The field is a combobox whose active option is the choice, so a
// screen reader follows it.

import { useEffect, useId, useMemo, type CSSProperties, type KeyboardEvent, type RefObject } from 'react';
import type { CatalogEvent } from '../bindings.ts';
import { plural } from '../format/text.ts';
import { groupHue } from '../list/groupColor.ts';
import { chooseAfterSearch, flatten, isMoveKey, moveChoice, searchCatalog } from './picker.ts';

export interface EventSearchProps {
  catalog: readonly CatalogEvent[];
  query: string;
  chosen: string | null;
  /** The search changed, and with it the choice. */
  onSearch: (query: string, chosen: string | null) => void;
  onChoose: (name: string) => void;
  inputRef: RefObject<HTMLInputElement | null>;
  /** Said under the list (no event chosen when sending). */
  problem: string | null;
}

export function EventSearch({ catalog, query, chosen, onSearch, onChoose, inputRef, problem }: EventSearchProps) {
  const uid = useId();
  const groups = useMemo(() => searchCatalog(catalog, query), [catalog, query]);
  const shown = useMemo(() => flatten(groups), [groups]);
  const index = useMemo(() => new Map(shown.map((e, i) => [e.name, i])), [shown]);
  const optionId = (name: string) => `${uid}-option-${index.get(name) ?? -1}`;
  const active = chosen !== null && index.has(chosen) ? chosen : null;

  // The choice stays in view as the keys move it or the search changes.
  useEffect(() => {
    if (active === null) return;
    document.getElementById(`${uid}-option-${index.get(active) ?? -1}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, index, uid]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (isMoveKey(e.key)) {
      e.preventDefault();
      const next = moveChoice(shown, active, e.key);
      if (next !== null) onChoose(next);
    } else if (e.key === 'Escape' && query !== '') {
      // Clears the search; only an empty one lets Escape close the dialog.
      e.preventDefault();
      onSearch('', chooseAfterSearch(flatten(searchCatalog(catalog, '')), '', chosen));
    }
  };

  const chosenEvent = chosen === null ? undefined : catalog.find((e) => e.name === chosen);

  return (
    <div className="sample-picker">
      <input
        ref={inputRef}
        className="sample-search"
        data-testid="sample-search"
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls={`${uid}-list`}
        aria-autocomplete="list"
        aria-activedescendant={active === null ? undefined : optionId(active)}
        aria-label="Search Persona’s events"
        placeholder={`Search ${catalog.length} events: name, group or description`}
        value={query}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => {
          const q = e.target.value;
          onSearch(q, chooseAfterSearch(flatten(searchCatalog(catalog, q)), q, chosen));
        }}
        onKeyDown={onKeyDown}
      />
      <div
        id={`${uid}-list`}
        className="sample-events"
        role="listbox"
        aria-label="Persona’s events"
        data-testid="sample-events"
        data-count={shown.length}
      >
        {groups.map((g, gi) => {
          const hue = groupHue(g.group);
          const style = hue === null ? undefined : ({ '--hue': hue } as CSSProperties);
          return (
            <div key={g.group} role="group" aria-labelledby={`${uid}-group-${gi}`} data-testid="sample-group" data-group={g.group}>
              <div className="sample-group-name" id={`${uid}-group-${gi}`} role="presentation">
                {g.group}
              </div>
              {g.events.map((e) => (
                <div
                  key={e.name}
                  id={optionId(e.name)}
                  role="option"
                  aria-selected={e.name === active}
                  className={e.name === active ? 'sample-event is-chosen' : 'sample-event'}
                  data-testid="sample-event"
                  data-name={e.name}
                  title={e.description}
                  // Keeps focus (and so the keys) in the search field.
                  onMouseDown={(ev) => ev.preventDefault()}
                  onClick={() => onChoose(e.name)}
                >
                  <span className={hue === null ? 'event-name mono' : 'event-name mono grouped'} style={style}>
                    {e.name}
                  </span>
                  <span className="sample-event-description">{e.description}</span>
                </div>
              ))}
            </div>
          );
        })}
        {shown.length === 0 && (
          <p className="hint sample-none" data-testid="sample-no-match">
            {catalog.length === 0 ? 'Persona’s event catalog is not loaded.' : `No event matches “${query.trim()}”.`}
          </p>
        )}
      </div>
      <div className="sample-chosen" data-testid="sample-chosen" data-name={chosen ?? ''} aria-live="polite">
        {problem !== null ? (
          <span className="field-error" role="alert">
            {problem}
          </span>
        ) : chosenEvent !== undefined ? (
          <>
            <span className="mono">{chosenEvent.name}</span> <span className="hint">— {chosenEvent.description}</span>
          </>
        ) : (
          <span className="hint">
            {query.trim() === '' ? 'No event chosen.' : `${plural(shown.length, 'event matches', 'events match')}; none chosen.`}
          </span>
        )}
      </div>
    </div>
  );
}
