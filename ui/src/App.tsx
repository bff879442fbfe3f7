// The main window: the listener in the header, the filters, the live delivery list and, beside
// it, the delivery opened from it. Every string that comes from a capture is rendered as React
// text (escaped), never as HTML.

import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import {
  eventCatalog,
  eventCounts,
  forwardRule,
  getSettings,
  isCommandError,
  listenerStatus,
  onDeliveries,
  onListener,
  onRechecked,
  type AppSettings,
  type CatalogEvent,
  type CommandError,
  type EventCount,
  type ForwardRule,
  type ListenerStatus,
  type SecretsChanged,
  type Summary,
  windowReady,
} from './bindings.ts';
import { BulkDialog } from './bulk/BulkDialog.tsx';
import { bulkView } from './bulk/bulkRun.ts';
import { useBulkRun } from './bulk/useBulkRun.ts';
import { DeliveryDetail } from './detail/DeliveryDetail.tsx';
import { ForwardingButton } from './forwarding/ForwardingButton.tsx';
import { ForwardingDialog } from './forwarding/ForwardingDialog.tsx';
import { FirstRun } from './firstrun/FirstRun.tsx';
import { plural } from './format/text.ts';
import { errorText } from './format/error.ts';
import { DeliveryList, ListHead, type ListHandle } from './list/DeliveryList.tsx';
import { eventOptions } from './list/eventOptions.ts';
import { filterKey, isFiltered } from './list/filter.ts';
import { FiltersBar } from './list/FiltersBar.tsx';
import { isTyping, navKey, nextIndex } from './list/keys.ts';
import { indexOfId, rowAt, rowCount, showsOtherFilter } from './list/snapshot.ts';
import { useDeliveries } from './list/useDeliveries.ts';
import { EmptyList, KeyHints } from './list/ListNotes.tsx';
import { SelectionBar } from './list/SelectionBar.tsx';
import { NO_SELECTION, rangeIds, reduceSelection, type PickIntent } from './list/selection.ts';
import { useFilters } from './list/useFilters.ts';
import { useForwards } from './list/useForwards.ts';
import { useSubscription } from './useSubscription.ts';
import { Header } from './settings/Header.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { ImportDialog } from './share/ImportDialog.tsx';
import { PurgeDialog } from './settings/PurgeDialog.tsx';

/** Event counts are re-read once a burst of arrivals settles. */
const COUNTS_REFRESH_MS = 1000;
/** With the detail open, it follows the keyboard selection once the key is let go of. */
const DETAIL_FOLLOW_MS = 120;

function asCommandError(e: unknown): CommandError {
  return isCommandError(e) ? e : { kind: 'unknown', message: errorText(e) };
}

export function App() {
  const [listener, setListener] = useState<ListenerStatus | null>(null);
  const [listenerError, setListenerError] = useState<string | null>(null);
  const [settings, setSettings] = useState<AppSettings | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [purgeOpen, setPurgeOpen] = useState(false);
  const [rule, setRule] = useState<ForwardRule | null>(null);
  const [ruleError, setRuleError] = useState<string | null>(null);
  const [forwardingOpen, setForwardingOpen] = useState(false);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [catalog, setCatalog] = useState<CatalogEvent[]>([]);
  const [counts, setCounts] = useState<EventCount[]>([]);
  const [optionsError, setOptionsError] = useState<CommandError | null>(null);
  const [eventsError, setEventsError] = useState<string | null>(null);

  const filters = useFilters();
  const deliveries = useDeliveries(filters.filter);
  const { state, reload } = deliveries;
  const forwards = useForwards();
  const bulk = useBulkRun(setEventsError);
  const [selection, changeSelection] = useReducer(reduceSelection, NO_SELECTION);
  const dialogOpen = settingsOpen || importOpen || purgeOpen || forwardingOpen || bulkOpen;

  const [selectedId, setSelectedId] = useState<number | null>(null);
  /** A row chosen by keyboard whose page is still being read. */
  const [pendingIndex, setPendingIndex] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  /** Scroll to this delivery once it is in the list (a test event just sent). */
  const revealId = useRef<number | null>(null);
  const followTimer = useRef<number | undefined>(undefined);
  const list = useRef<ListHandle>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  // --- Listener, settings, event names -------------------------------------------------------

  useEffect(() => {
    let cancelled = false;
    listenerStatus().then(
      (s) => {
        if (!cancelled) {
          setListener(s);
          setListenerError(null);
        }
      },
      (e: unknown) => {
        if (!cancelled) setListenerError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const subscribeListener = useCallback(
    () =>
      onListener((s) => {
        setListener(s);
        setListenerError(null);
      }),
    [],
  );
  useSubscription(subscribeListener, setEventsError);

  const loadSettings = useCallback(() => {
    setSettingsError(null);
    getSettings().then(setSettings, (e: unknown) => setSettingsError(errorText(e)));
  }, []);
  useEffect(loadSettings, [loadSettings]);

  const loadRule = useCallback(() => {
    forwardRule().then(
      (r) => {
        setRule(r);
        setRuleError(null);
      },
      (e: unknown) => setRuleError(errorText(e)),
    );
  }, []);
  useEffect(loadRule, [loadRule]);

  const loadCounts = useCallback(() => {
    eventCounts().then(
      (c) => {
        setCounts(c);
        setOptionsError(null);
      },
      (e: unknown) => setOptionsError(asCommandError(e)),
    );
  }, []);
  useEffect(() => {
    loadCounts();
    eventCatalog().then(setCatalog, (e: unknown) => setOptionsError(asCommandError(e)));
  }, [loadCounts]);

  const countsTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(countsTimer.current), []);
  const subscribeArrivals = useCallback(
    () =>
      onDeliveries(() => {
        window.clearTimeout(countsTimer.current);
        countsTimer.current = window.setTimeout(loadCounts, COUNTS_REFRESH_MS);
      }),
    [loadCounts],
  );
  useSubscription(subscribeArrivals, setEventsError);

  // Verdicts were recomputed (secrets or tolerance changed): what is shown is out of date.
  const subscribeRechecked = useCallback(() => onRechecked(reload), [reload]);
  useSubscription(subscribeRechecked, setEventsError);

  // The store opens with the listener: when it comes up after a failure, read everything again.
  const wasListening = useRef<boolean | null>(null);
  useEffect(() => {
    if (listener === null) return;
    const listening = listener.state === 'listening';
    if (wasListening.current === false && listening) {
      reload();
      loadSettings();
      loadCounts();
      loadRule();
    }
    wasListening.current = listening;
  }, [listener, reload, loadSettings, loadCounts, loadRule]);

  const options = useMemo(
    () => eventOptions(catalog, counts, filters.draft.event_name),
    [catalog, counts, filters.draft.event_name],
  );

  // --- Selection -----------------------------------------------------------------------------

  const selectedIndex = selectedId === null ? null : indexOfId(state, selectedId);
  const count = rowCount(state);

  // A row chosen before its page arrived becomes the selection when it does.
  useEffect(() => {
    if (pendingIndex === null) return;
    const row = rowAt(state, pendingIndex);
    if (row === undefined) return;
    setSelectedId(row.id);
    setPendingIndex(null);
    if (openId !== null) setOpenId(row.id);
  }, [state, pendingIndex, openId]);

  useEffect(() => {
    if (revealId.current === null) return;
    const i = indexOfId(state, revealId.current);
    if (i === null) return;
    revealId.current = null;
    list.current?.reveal(i);
  }, [state]);

  const key = filterKey(filters.filter);
  useEffect(() => setPendingIndex(null), [key]);
  // Another filter shows other rows: a selection made among the old ones would be sent unseen.
  useEffect(() => changeSelection({ type: 'clear' }), [key]);
  useEffect(() => () => window.clearTimeout(followTimer.current), []);

  const select = useCallback(
    (index: number, follow: boolean) => {
      const row = rowAt(state, index);
      list.current?.reveal(index);
      if (row === undefined) {
        setPendingIndex(index);
        return;
      }
      setPendingIndex(null);
      setSelectedId(row.id);
      if (follow) {
        window.clearTimeout(followTimer.current);
        followTimer.current = window.setTimeout(() => setOpenId(row.id), DETAIL_FOLLOW_MS);
      }
    },
    [state],
  );

  /** Picks a row for a bulk re-delivery, or every row from the last one picked to it. */
  const check = (id: number, intent: 'toggle' | 'extend') => {
    if (intent === 'toggle') {
      changeSelection({ type: 'toggle', id });
      return;
    }
    const to = indexOfId(state, id);
    const from = selection.anchor === null ? null : indexOfId(state, selection.anchor);
    const ids = to === null ? [] : rangeIds(from, to, (i) => rowAt(state, i)?.id);
    changeSelection({ type: 'extend', id, ids });
  };

  const pick = (row: Summary, intent: PickIntent) => {
    window.clearTimeout(followTimer.current);
    setPendingIndex(null);
    setSelectedId(row.id);
    if (intent === 'open') setOpenId(row.id);
    else check(row.id, intent);
  };
  // Stable for the memoized rows; reads the latest list and selection.
  const pickRef = useRef(pick);
  useEffect(() => {
    pickRef.current = pick;
  });
  const onPick = useCallback((row: Summary, intent: PickIntent) => pickRef.current(row, intent), []);

  const { change: changeFilter } = filters;
  const onRepeat = useCallback((eventId: string) => changeFilter({ event_id: eventId }), [changeFilter]);

  const closeDetail = useCallback(() => {
    window.clearTimeout(followTimer.current);
    setOpenId(null);
    list.current?.focus();
  }, []);

  const onSecretsChangedInDetail = useCallback(() => {
    reload();
    loadSettings();
  }, [reload, loadSettings]);

  const onTestSent = useCallback((id: number) => {
    revealId.current = id;
    setPendingIndex(null);
    setSelectedId(id);
    setOpenId(id);
  }, []);

  // --- Keyboard ------------------------------------------------------------------------------

  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || dialogOpen) return;
    const target = e.target instanceof HTMLElement ? e.target : null;
    if (isTyping(target)) return; // the search box handles its own Escape
    if (e.key === 'Escape') {
      if (openId !== null) {
        e.preventDefault();
        closeDetail();
      } else if (selection.ids.size > 0) {
        e.preventDefault();
        changeSelection({ type: 'clear' });
      }
      return;
    }
    if (e.key === '/') {
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
      return;
    }
    // Moving and opening only from the list or the bare page, so buttons and the detail pane
    // keep their own keys.
    const fromList =
      target === null ||
      target === document.body ||
      target === document.documentElement ||
      ((list.current?.contains(target) ?? false) && target.closest('button') === null);
    if (!fromList) return;
    if (e.key === 'Enter') {
      if (selectedId !== null) {
        e.preventDefault();
        window.clearTimeout(followTimer.current);
        setOpenId(selectedId);
      }
      return;
    }
    // x picks (or unpicks) the focused row for a bulk re-delivery, as in mail readers.
    if (e.key === 'x') {
      if (selectedId !== null) {
        e.preventDefault();
        check(selectedId, 'toggle');
      }
      return;
    }
    const nav = navKey(e.key);
    if (nav === null) return;
    e.preventDefault();
    const next = nextIndex(nav, selectedIndex ?? pendingIndex, count, list.current?.pageRows() ?? 10);
    if (next !== null) select(next, openId !== null);
  };
  const onKeyRef = useRef(onKey);
  useEffect(() => {
    onKeyRef.current = onKey;
  });
  useEffect(() => {
    const handler = (e: KeyboardEvent) => onKeyRef.current(e);
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, []);

  // --- Settings ------------------------------------------------------------------------------

  const onSecretsChanged = useCallback(
    (r: SecretsChanged) => {
      setSettings(r.settings);
      reload();
    },
    [reload],
  );

  const onSettings = useCallback(
    (next: AppSettings) => {
      // A new tolerance re-judges staleness; the shell says so too, but do not depend on it.
      if (settings !== null && settings.tolerance_seconds !== next.tolerance_seconds) reload();
      setSettings(next);
    },
    [settings, reload],
  );

  // Imports are announced as a re-check too (the shell emits it); reload here as well, so the list
  // does not depend on the event bridge.
  const onImported = useCallback(() => {
    reload();
    loadCounts();
  }, [reload, loadCounts]);

  const closeImport = useCallback(() => setImportOpen(false), []);
  const closePurge = useCallback(() => setPurgeOpen(false), []);
  // The shell announces a purge as a re-check too; reload here as well, like imports.
  const onPurged = useCallback(() => {
    reload();
    loadCounts();
  }, [reload, loadCounts]);

  const onOpenImported = useCallback(
    (id: number) => {
      setImportOpen(false);
      onTestSent(id);
    },
    [onTestSent],
  );

  const closeForwarding = useCallback(() => setForwardingOpen(false), []);
  const onRuleSaved = useCallback((saved: ForwardRule) => {
    setRule(saved);
    setRuleError(null);
    setForwardingOpen(false);
  }, []);

  const bulkNow = bulkView(bulk.run);
  const { reset: resetBulk } = bulk;
  const bulkEnded = bulk.run.phase === 'failed' || bulkNow?.phase === 'done';
  // Closing an ended (or refused) run forgets it; closing one under way only hides it.
  const closeBulk = useCallback(() => {
    setBulkOpen(false);
    if (bulkEnded) resetBulk();
  }, [bulkEnded, resetBulk]);
  const selectedIds = useMemo(() => [...selection.ids].sort((a, b) => b - a), [selection.ids]);

  const onListenerStatus = useCallback((s: ListenerStatus) => {
    setListener(s);
    setListenerError(null);
  }, []);

  // Launch-to-interactive is logged by the shell once the first list is on screen.
  const readyReported = useRef(false);
  useEffect(() => {
    if (readyReported.current || !state.loaded) return;
    readyReported.current = true;
    requestAnimationFrame(() => {
      // Only a log line in the shell: nothing for the user to act on if it fails.
      windowReady().catch(() => {});
    });
  }, [state.loaded]);

  // --- Layout --------------------------------------------------------------------------------

  const filtered = isFiltered(filters.filter) || isFiltered(state.filter);
  const listening = listener?.state === 'listening' ? listener : null;
  const firstRun = state.loaded && !state.loading && count === 0 && !filtered && listening !== null;
  // When the listener failed, the header already says why the store is unavailable.
  const explained = (e: { kind: string } | null) => e !== null && listener?.state === 'failed' && e.kind === 'unavailable';
  const loadError = state.error !== null && !explained(state.error) ? state.error.message : state.pageError;

  const stale = state.loading && showsOtherFilter(state);
  const status =
    !state.loaded || stale
      ? state.loading
        ? 'Loading…'
        : ''
      : `${plural(count, 'delivery', 'deliveries')}${filtered ? (count === 1 ? ' matches' : ' match') : ''}${
          state.loading ? ' · updating…' : ''
        }`;

  return (
    <div className="app">
      <div className="app-body" inert={dialogOpen}>
        <Header
          listener={listener}
          error={listenerError}
          showCommand={!firstRun}
          showTestEvent={!firstRun && listening !== null}
          settingsOpen={settingsOpen}
          onOpenSettings={() => setSettingsOpen(true)}
          onOpenImport={() => setImportOpen(true)}
          onOpenPurge={() => setPurgeOpen(true)}
          onListener={onListenerStatus}
          onTestSent={onTestSent}
          forwarding={<ForwardingButton rule={rule} error={ruleError} onOpen={() => setForwardingOpen(true)} />}
        />
        {loadError !== null && (
          <div className="banner banner-bad" role="alert" data-testid="load-error">
            Could not read the deliveries: {loadError}{' '}
            <button type="button" className="button" onClick={deliveries.retry}>
              Retry
            </button>
          </div>
        )}
        {(deliveries.liveError ?? eventsError ?? forwards.error) !== null && (
          <div className="banner banner-warn" role="alert" data-testid="live-error">
            Live updates are off: {deliveries.liveError ?? eventsError ?? forwards.error}. New deliveries and forward
            results show after a reload.
          </div>
        )}
        {!firstRun && (
          <FiltersBar
            draft={filters.draft}
            onChange={filters.change}
            onClear={filters.clear}
            options={options}
            optionsError={optionsError === null || explained(optionsError) ? null : optionsError.message}
            searchRef={searchRef}
            onLeaveSearch={() => {
              searchRef.current?.blur();
              list.current?.focus();
            }}
            status={status}
          />
        )}
        <main className={openId === null ? 'workspace' : 'workspace workspace-split'}>
          <section className={stale ? 'list-pane list-stale' : 'list-pane'} aria-label="Deliveries" aria-busy={state.loading}>
            {firstRun ? (
              <FirstRun
                listener={listening}
                secretCount={settings?.secrets.length ?? null}
                onOpenSettings={() => setSettingsOpen(true)}
                onSent={onTestSent}
              />
            ) : (
              <>
                <SelectionBar
                  selected={selection.ids.size}
                  onClear={() => changeSelection({ type: 'clear' })}
                  onRedeliver={() => setBulkOpen(true)}
                  bulk={bulkOpen ? null : bulkNow}
                  onShowBulk={() => setBulkOpen(true)}
                />
                <ListHead />
                <DeliveryList
                  count={count}
                  rowAt={(i) => rowAt(state, i)}
                  freshCount={state.fresh.length}
                  resetKey={key}
                  selectedId={selectedId}
                  checked={selection.ids}
                  forwards={forwards.live}
                  onRange={deliveries.showRange}
                  onPick={onPick}
                  onRepeat={onRepeat}
                  handle={list}
                />
                {count === 0 && (
                  <EmptyList
                    loaded={state.loaded}
                    failed={state.error !== null}
                    filtered={filtered}
                    listenerFailed={listener?.state === 'failed'}
                    onClear={filters.clear}
                  />
                )}
                <KeyHints />
              </>
            )}
          </section>
          {openId !== null && (
            <section className="detail-pane" aria-label="Delivery">
              <DeliveryDetail id={openId} onClose={closeDetail} onSecretsChanged={onSecretsChangedInDetail} />
            </section>
          )}
        </main>
      </div>
      {forwardingOpen && rule !== null && (
        <ForwardingDialog rule={rule} catalog={catalog} counts={counts} onSaved={onRuleSaved} onClose={closeForwarding} />
      )}
      {bulkOpen && (
        <BulkDialog control={bulk} selected={selectedIds} filter={filters.filter} filtered={filtered} onClose={closeBulk} />
      )}
      {importOpen && (
        <ImportDialog onClose={closeImport} onImported={onImported} onOpen={onOpenImported} />
      )}
      {purgeOpen && <PurgeDialog onClose={closePurge} onPurged={onPurged} />}
      {settingsOpen && (
        <SettingsPanel
          settings={settings}
          error={settingsError}
          onRetry={loadSettings}
          onSettings={onSettings}
          onSecretsChanged={onSecretsChanged}
          listener={listener}
          onListener={onListenerStatus}
          onClose={() => setSettingsOpen(false)}
        />
      )}
    </div>
  );
}
