// The main window: the listener in the header, the filters, the live delivery list and, beside
// it, the delivery opened from it. Layout only: the hooks own the listener (settings/useListener),
// the settings (settings/settingsStore), the forward rule (forwarding/useForwardRule), the event
// options (list/useEventOptions), the list and its cursor (list/useDeliveries, list/useCursor),
// the keys (list/useKeys) and the bulk run (bulk/useBulkRun). Every string that comes from a
// capture is rendered as React text (escaped), never as HTML.

import { Suspense, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  onRechecked,
  type AppSettings,
  type CommandErrorKind,
  type ForwardRule,
  type SecretsChanged,
} from './bindings.ts';
import { bulkView } from './bulk/bulkRun.ts';
import { useBulkRun } from './bulk/useBulkRun.ts';
import { ForwardingButton } from './forwarding/ForwardingButton.tsx';
import { useForwardRule } from './forwarding/useForwardRule.ts';
import { FirstRun } from './firstrun/FirstRun.tsx';
import { mark, reportReady } from './launchMarks.ts';
import { plural } from './format/text.ts';
import { DeliveryList, ListHead, type ListHandle } from './list/DeliveryList.tsx';
import { eventOptions } from './list/eventOptions.ts';
import { filterKey, isFiltered } from './list/filter.ts';
import { FiltersBar } from './list/FiltersBar.tsx';
import { EmptyList, KeyHints } from './list/ListNotes.tsx';
import { SelectionBar } from './list/SelectionBar.tsx';
import { rowAt, rowCount, showsOtherFilter } from './list/snapshot.ts';
import { useCursor } from './list/useCursor.ts';
import { useDeliveries } from './list/useDeliveries.ts';
import { useEventOptions } from './list/useEventOptions.ts';
import { useFilters } from './list/useFilters.ts';
import { useForwards } from './list/useForwards.ts';
import { useKeys } from './list/useKeys.ts';
import { Header } from './settings/Header.tsx';
import { putSettings, reloadSettings, useSettings } from './settings/settingsStore.ts';
import { useListener } from './settings/useListener.ts';
import {
  BulkDialog,
  CheckDialog,
  DeliveryDetail,
  ForwardingDialog,
  HarDialog,
  ImportDialog,
  PurgeDialog,
  SampleDialog,
  SettingsPanel,
} from './onDemand.tsx';
import { useSubscription } from './useSubscription.ts';

/** The one dialog open over the window, if any. */
type OpenDialog = 'settings' | 'import' | 'purge' | 'forwarding' | 'bulk' | 'har' | 'sample' | 'check' | null;

export function App() {
  const [eventsError, setEventsError] = useState<string | null>(null);
  const [openDialog, setOpenDialog] = useState<OpenDialog>(null);
  const dialogOpen = openDialog !== null;
  const closeDialog = useCallback(() => setOpenDialog(null), []);

  const filters = useFilters();
  const deliveries = useDeliveries(filters.filter);
  const { state, reload } = deliveries;
  const forwards = useForwards();
  const bulk = useBulkRun(setEventsError);
  const { settings, error: settingsError } = useSettings();
  const forwardRule = useForwardRule();
  const events = useEventOptions(setEventsError);
  const { reloadCounts } = events;
  const { reload: reloadRule } = forwardRule;

  // The store opens with the listener: when it comes up after a failure, read everything again.
  const onRecovered = useCallback(() => {
    reload();
    reloadSettings();
    reloadCounts();
    reloadRule();
  }, [reload, reloadCounts, reloadRule]);
  const listener = useListener(setEventsError, onRecovered);

  // Verdicts were recomputed (secrets or tolerance changed): what is shown is out of date.
  const subscribeRechecked = useCallback(() => onRechecked(reload), [reload]);
  useSubscription(subscribeRechecked, setEventsError);

  const options = useMemo(
    () => eventOptions(events.catalog, events.counts, filters.draft.event_name),
    [events.catalog, events.counts, filters.draft.event_name],
  );

  const list = useRef<ListHandle>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const key = filterKey(filters.filter);
  const cursor = useCursor(state, key, list);
  const { selection, openId, reveal, closeDetail } = cursor;
  useKeys(cursor, list, searchRef, dialogOpen);
  const count = rowCount(state);

  const { change: changeFilter } = filters;
  const onRepeat = useCallback((eventId: string) => changeFilter({ event_id: eventId }), [changeFilter]);

  const onSecretsChangedInDetail = useCallback(() => {
    reload();
    reloadSettings();
  }, [reload]);

  const onSecretsChanged = useCallback(
    (r: SecretsChanged) => {
      putSettings(r.settings);
      reload();
    },
    [reload],
  );

  const onSettings = useCallback(
    (next: AppSettings) => {
      // A new tolerance re-judges staleness; the shell says so too, but do not depend on it.
      if (settings !== null && settings.tolerance_seconds !== next.tolerance_seconds) reload();
      putSettings(next);
    },
    [settings, reload],
  );

  // Imports and purges are announced as a re-check too (the shell emits it); reload here as well,
  // so the list does not depend on the event bridge.
  const onStoreChanged = useCallback(() => {
    reload();
    reloadCounts();
  }, [reload, reloadCounts]);

  const onOpenImported = useCallback(
    (id: number) => {
      setOpenDialog(null);
      reveal(id);
    },
    [reveal],
  );

  const { saved: ruleSaved } = forwardRule;
  const onRuleSaved = useCallback(
    (saved: ForwardRule) => {
      ruleSaved(saved);
      setOpenDialog(null);
    },
    [ruleSaved],
  );

  const bulkNow = bulkView(bulk.run);
  const { reset: resetBulk } = bulk;
  const bulkEnded = bulk.run.phase === 'failed' || bulkNow?.phase === 'done';
  // Closing an ended (or refused) run forgets it; closing one under way only hides it.
  const closeBulk = useCallback(() => {
    setOpenDialog(null);
    if (bulkEnded) resetBulk();
  }, [bulkEnded, resetBulk]);
  const selectedIds = useMemo(() => [...selection.ids].sort((a, b) => b - a), [selection.ids]);

  // Launch-to-interactive is logged by the shell once the first list is on screen: the frame is
  // asked for in the commit that puts the list in the page (a layout effect, before the browser
  // paints), so it is the frame that paints it, as the minimal app's page asks for its first
  // frame. From a passive effect it was often the frame after, which long startup tasks delayed.
  const readyReported = useRef(false);
  useLayoutEffect(() => {
    if (readyReported.current || !state.loaded) return;
    readyReported.current = true;
    mark('list-committed');
    requestAnimationFrame(reportReady);
  }, [state.loaded]);

  // --- Layout --------------------------------------------------------------------------------

  const filtered = isFiltered(filters.filter) || isFiltered(state.filter);
  const listening = listener.status?.state === 'listening' ? listener.status : null;
  const firstRun = state.loaded && !state.loading && count === 0 && !filtered && listening !== null;
  // When the listener failed, the header already says why the store is unavailable.
  const explained = (e: { kind: string } | null) =>
    e !== null && listener.status?.state === 'failed' && e.kind === ('unavailable' satisfies CommandErrorKind);
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
          listener={listener.status}
          error={listener.error}
          showCommand={!firstRun}
          showSample={!firstRun}
          settingsOpen={openDialog === 'settings'}
          onOpenSettings={() => setOpenDialog('settings')}
          onOpenImport={() => setOpenDialog('import')}
          onOpenPurge={() => setOpenDialog('purge')}
          onOpenCheck={() => setOpenDialog('check')}
          onListener={listener.set}
          onOpenSample={() => setOpenDialog('sample')}
          forwarding={<ForwardingButton rule={forwardRule.rule} error={forwardRule.error} onOpen={() => setOpenDialog('forwarding')} />}
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
            optionsError={events.error === null || explained(events.error) ? null : events.error.message}
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
                onOpenSettings={() => setOpenDialog('settings')}
                onOpenSample={() => setOpenDialog('sample')}
                onSent={reveal}
              />
            ) : (
              <>
                <SelectionBar
                  selected={selection.ids.size}
                  onClear={cursor.clearSelection}
                  onRedeliver={() => setOpenDialog('bulk')}
                  onExportHar={() => setOpenDialog('har')}
                  bulk={openDialog === 'bulk' ? null : bulkNow}
                  onShowBulk={() => setOpenDialog('bulk')}
                />
                <ListHead />
                <DeliveryList
                  count={count}
                  rowAt={(i) => rowAt(state, i)}
                  freshCount={state.fresh.length}
                  resetKey={key}
                  selectedId={cursor.selectedId}
                  checked={selection.ids}
                  forwards={forwards.live}
                  onRange={deliveries.showRange}
                  onPick={cursor.onPick}
                  onRepeat={onRepeat}
                  handle={list}
                />
                {count === 0 && (
                  <EmptyList
                    loaded={state.loaded}
                    failed={state.error !== null}
                    filtered={filtered}
                    listenerFailed={listener.status?.state === 'failed'}
                    onClear={filters.clear}
                  />
                )}
                <KeyHints />
              </>
            )}
          </section>
          {openId !== null && (
            <section className="detail-pane" aria-label="Delivery">
              {/* Loaded the first time a delivery is opened (onDemand.tsx): a few ms. */}
              <Suspense fallback={<p className="dt-empty">Loading delivery {openId}…</p>}>
                <DeliveryDetail
                  id={openId}
                  onClose={closeDetail}
                  onOpenDelivery={reveal}
                  onSecretsChanged={onSecretsChangedInDetail}
                />
              </Suspense>
            </section>
          )}
        </main>
      </div>
      {/* Each dialog is loaded the first time it opens (onDemand.tsx). */}
      <Suspense fallback={null}>
        {openDialog === 'forwarding' && forwardRule.rule !== null && (
          <ForwardingDialog
            rule={forwardRule.rule}
            catalog={events.catalog}
            counts={events.counts}
            onSaved={onRuleSaved}
            onClose={closeDialog}
          />
        )}
        {openDialog === 'bulk' && (
          <BulkDialog control={bulk} selected={selectedIds} filter={filters.filter} filtered={filtered} onClose={closeBulk} />
        )}
        {openDialog === 'har' && (
          <HarDialog selected={selectedIds} filter={filters.filter} filtered={filtered} onClose={closeDialog} />
        )}
        {openDialog === 'sample' && (
          <SampleDialog catalog={events.catalog} listening={listening !== null} onStored={reveal} onClose={closeDialog} />
        )}
        {openDialog === 'import' && (
          <ImportDialog onClose={closeDialog} onImported={onStoreChanged} onOpen={onOpenImported} />
        )}
        {openDialog === 'purge' && <PurgeDialog onClose={closeDialog} onPurged={onStoreChanged} />}
        {openDialog === 'check' && (
          <CheckDialog catalog={events.catalog} onOpenSettings={() => setOpenDialog('settings')} onClose={closeDialog} />
        )}
        {openDialog === 'settings' && (
          <SettingsPanel
            settings={settings}
            error={settingsError}
            onRetry={reloadSettings}
            onSettings={onSettings}
            onSecretsChanged={onSecretsChanged}
            listener={listener.status}
            onListener={listener.set}
            onClose={closeDialog}
          />
        )}
      </Suspense>
    </div>
  );
}
