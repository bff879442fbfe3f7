// Check my endpoint: Persona's cases (signed, rotated, forged, altered, unsigned, replayed, retried,
// out of order) sent to the user's own handler, each with what a correct Persona handler does and
// what this one did (`check-endpoint` in the CLI). The form, the cases as they end, the result and
// the recorded checks to open again. Every string from the handler is React text.

import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  CHECK_DEFAULT_EVENT,
  endpointCheck,
  endpointChecks,
  type CatalogEvent,
  type CheckRun,
  type CheckRunSummary,
  type SecretInfo,
} from '../bindings.ts';
import { Dialog } from '../dialog/Dialog.tsx';
import { errorText } from '../format/error.ts';
import { LIMIT_S } from '../persona/facts.ts';
import { TargetField } from '../send/SendFields.tsx';
import { useSendChoices } from '../send/useSendChoices.ts';
import { CheckResults } from './CheckResults.tsx';
import { checkForm, targetSuggestions, type CheckState } from './checkRun.ts';
import { startCheck, useCheck } from './checkStore.ts';
import { PastChecks } from './PastChecks.tsx';
import './check.css';

/** How many recorded checks the dialog lists. */
const PAST_SHOWN = 20;

/** The choices of the last check, offered again next time. */
const remembered = { url: '', secret: '', event: CHECK_DEFAULT_EVENT as string };

export interface CheckDialogProps {
  /** Persona's event names, for the event the cases carry. */
  catalog: readonly CatalogEvent[];
  /** Opens Settings (to save a secret). */
  onOpenSettings: () => void;
  onClose: () => void;
}

export function CheckDialog({ catalog, onOpenSettings, onClose }: CheckDialogProps) {
  const check = useCheck();
  const past = usePastChecks(check);
  // A recorded check opened from the list; a new check shows instead.
  const [opened, setOpened] = useState<{ run: CheckRun | null; error: string | null; id: number } | null>(null);

  const open = useCallback((id: number) => {
    setOpened({ run: null, error: null, id });
    endpointCheck(id).then(
      (run) => setOpened((o) => (o?.id === id ? { run, error: null, id } : o)),
      (e: unknown) => setOpened((o) => (o?.id === id ? { run: null, error: errorText(e), id } : o)),
    );
  }, []);

  const running = check.phase === 'running';
  const checkedUrls = useMemo(() => past.list.map((r) => r.url), [past.list]);
  return (
    <Dialog title="Check my endpoint" testId="check" onClose={onClose} className="dialog-check">
      <p className="section-note">
        Sends your handler a series of made-up deliveries and says, for each, what a correct Persona handler does and
        what yours did: signed as Persona signs (also during a secret rotation, as a retry and out of order) it must
        answer within {LIMIT_S} s; forged, altered or unsigned it must refuse. Every request and answer is recorded.
      </p>
      <CheckForm
        catalog={catalog}
        checkedUrls={checkedUrls}
        running={running}
        onOpenSettings={onOpenSettings}
        onStarted={() => setOpened(null)}
      />
      {opened !== null ? (
        opened.run !== null ? (
          <CheckResults key={opened.run.id} run={opened.run} />
        ) : opened.error !== null ? (
          <p className="field-error" role="alert" data-testid="check-open-error">
            Could not open check #{opened.id}: {opened.error}
          </p>
        ) : (
          <p className="hint">Opening check #{opened.id}…</p>
        )
      ) : (
        <CurrentCheck check={check} />
      )}
      <PastChecks
        list={past.list}
        error={past.error}
        openId={opened?.id ?? (check.phase === 'done' ? check.run.id : null)}
        disabled={running}
        onOpen={open}
        onRetry={past.reload}
      />
    </Dialog>
  );
}

/** The check this window ran last: under way, ended, or refused. */
function CurrentCheck({ check }: { check: CheckState }) {
  switch (check.phase) {
    case 'idle':
      return null;
    case 'running':
      return <CheckResults live={{ request: check.request, cases: check.cases }} />;
    case 'done':
      return <CheckResults run={check.run} />;
    case 'failed':
      return (
        <>
          <p className="field-error check-error" role="alert" data-testid="check-error">
            {check.cases.length === 0 ? 'Not checked: ' : 'The check stopped: '}
            {check.message}
          </p>
          {check.cases.length > 0 && <CheckResults live={{ request: check.request, cases: check.cases }} stopped />}
        </>
      );
  }
}

/** The recorded checks, read when the dialog opens and again after each check. */
function usePastChecks(check: CheckState) {
  const [list, setList] = useState<CheckRunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const ended = check.phase === 'done' ? check.token : null;
  useEffect(() => {
    let cancelled = false;
    endpointChecks(PAST_SHOWN).then(
      (l) => {
        if (cancelled) return;
        setList(l);
        setError(null);
      },
      (e: unknown) => !cancelled && setError(errorText(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [ended, asked]);
  const reload = useCallback(() => setAsked((n) => n + 1), []);
  return { list, error, reload };
}

interface CheckFormProps {
  catalog: readonly CatalogEvent[];
  /** URLs checked before, most recent first. */
  checkedUrls: readonly string[];
  running: boolean;
  onOpenSettings: () => void;
  onStarted: () => void;
}

function CheckForm({ catalog, checkedUrls, running, onOpenSettings, onStarted }: CheckFormProps) {
  const choices = useSendChoices();
  const [url, setUrl] = useState(remembered.url);
  const [touched, setTouched] = useState(false);
  const [chosenSecret, setSecret] = useState(remembered.secret);
  const [event, setEvent] = useState(remembered.event);
  const [showProblems, setShowProblems] = useState(false);

  const recent = useMemo(() => targetSuggestions(checkedUrls, choices.recent), [checkedUrls, choices.recent]);
  // The URL checked (or re-delivered to) last is offered until something is typed.
  const lastUsed = recent[0];
  useEffect(() => {
    if (!touched && lastUsed !== undefined) setUrl((u) => (u === '' ? lastUsed : u));
  }, [lastUsed, touched]);

  const secrets = choices.secrets;
  // A remembered secret that was removed falls back to the first one saved.
  const secret = secrets?.some((s) => s.label === chosenSecret) ? chosenSecret : (secrets?.[0]?.label ?? '');
  const checked = checkForm({ url, secret, event }, secrets);
  const problems = checked.ok ? { url: null, secret: null } : checked.problems;
  const urlError = problems.url !== null && (showProblems || (touched && url.trim() !== '')) ? problems.url : null;

  const run = (e: FormEvent) => {
    e.preventDefault();
    setShowProblems(true);
    if (!checked.ok || running) return;
    Object.assign(remembered, checked.request);
    onStarted();
    startCheck(checked.request);
  };

  return (
    <form className="check-form" onSubmit={run} noValidate>
      <TargetField
        form={{
          values: { target: url },
          choices: { recent },
          typeTarget: (t) => {
            setTouched(true);
            setUrl(t);
          },
        }}
        look="dialog"
        prefix="check"
        label="Your handler’s URL"
        disabled={running}
        targetError={urlError}
        help="Where Persona would deliver: your app’s webhook endpoint, usually on this machine."
      />
      <div className="send-row">
        <SecretField
          secrets={secrets}
          error={choices.secretsError}
          value={secret}
          disabled={running}
          onChange={setSecret}
          onOpenSettings={onOpenSettings}
        />
        <label className="stack-field stack-grow">
          <span>Event</span>
          <select data-testid="check-event" value={event} disabled={running} onChange={(e) => setEvent(e.target.value)}>
            <EventOptions catalog={catalog} chosen={event} />
          </select>
        </label>
      </div>
      {showProblems && problems.secret !== null && secrets !== null && secrets.length > 0 && (
        <p className="field-error" role="alert" data-testid="check-secret-error">
          {problems.secret}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          data-testid="check-run"
          disabled={running || (secrets !== null && secrets.length === 0)}
          aria-busy={running}
        >
          {running ? 'Checking…' : 'Run the check'}
        </button>
        <span className="hint">
          {/* Each request waits twice Persona's limit, so a late answer is measured (endpoint_check::Plan). */}
          A slow handler takes up to {2 * LIMIT_S} s a request: the cases show as they end, and the check goes on if
          you close this.
        </span>
      </div>
    </form>
  );
}

interface SecretFieldProps {
  secrets: readonly SecretInfo[] | null;
  error: string | null;
  value: string;
  disabled: boolean;
  onChange: (label: string) => void;
  onOpenSettings: () => void;
}

/** The saved secret the deliveries are signed with, or where to save one. */
function SecretField({ secrets, error, value, disabled, onChange, onOpenSettings }: SecretFieldProps) {
  if (secrets !== null && secrets.length === 0) {
    return (
      <div className="stack-field stack-grow check-no-secret" data-testid="check-no-secret">
        <span>Signing secret</span>
        <p className="field-warning">
          No secret is saved. The cases are signed with the secret your handler verifies with: save it (Persona
          dashboard → Webhooks → your webhook) in{' '}
          <button type="button" className="link" data-testid="check-open-settings" onClick={onOpenSettings}>
            Settings
          </button>
          , then come back.
        </p>
      </div>
    );
  }
  return (
    <label className="stack-field stack-grow">
      <span>Signing secret: the one your handler verifies with</span>
      <select data-testid="check-secret" value={value} disabled={disabled || secrets === null} onChange={(e) => onChange(e.target.value)}>
        {secrets === null ? (
          <option value="">{error !== null ? `Could not read the secrets: ${error}` : 'Reading the secrets…'}</option>
        ) : (
          secrets.map((s) => (
            <option key={s.id} value={s.label}>
              {s.label} ({s.preview})
            </option>
          ))
        )}
      </select>
    </label>
  );
}

/** Persona's event names by resource group; the chosen one is offered even when the catalog is not read yet. */
function EventOptions({ catalog, chosen }: { catalog: readonly CatalogEvent[]; chosen: string }) {
  const groups = useMemo(() => {
    const byGroup = new Map<string, string[]>();
    for (const e of catalog) {
      const names = byGroup.get(e.group);
      if (names === undefined) byGroup.set(e.group, [e.name]);
      else names.push(e.name);
    }
    return [...byGroup];
  }, [catalog]);
  return (
    <>
      {!catalog.some((e) => e.name === chosen) && <option value={chosen}>{chosen}</option>}
      {groups.map(([group, names]) => (
        <optgroup key={group} label={group}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </optgroup>
      ))}
    </>
  );
}
