// Persona's webhook source addresses: the list each delivery's source address is looked up in.
// One address a line; the command checks them, so its error is the one shown. Saving re-reads
// the list (every stored delivery's lookup changes with it; the shell announces a re-check).

import { useState } from 'react';
import { PERSONA_WEBHOOK_IPS, updateSettings, type AppSettings } from '../bindings.ts';
import { addressListText, isPersonaList, parseAddressList, sameAddresses } from '../address/sourceAddress.ts';
import { errorText } from '../format/error.ts';
import { plural } from '../format/text.ts';

export interface PersonaAddressesSectionProps {
  settings: AppSettings;
  onSettings: (next: AppSettings) => void;
}

export function PersonaAddressesSection({ settings, onSettings }: PersonaAddressesSectionProps) {
  const saved = settings.persona_source_ips;
  const [text, setText] = useState(() => addressListText(saved));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<'saved' | 'restored' | null>(null);

  const wanted = parseAddressList(text);
  const dirty = !sameAddresses(wanted, saved);

  const save = () => {
    if (!dirty || busy) return;
    setBusy(true);
    setError(null);
    updateSettings({ persona_source_ips: wanted }).then(
      (next) => {
        setBusy(false);
        setNote('saved');
        // As saved: each address in its canonical form, each once.
        setText(addressListText(next.persona_source_ips));
        onSettings(next);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby="persona-ips-title">
      <h3 id="persona-ips-title">Persona’s webhook addresses</h3>
      <p className="section-note">
        Each delivery’s source address (behind ngrok, the one ngrok puts in X-Forwarded-For) is looked up in this list,
        which starts as the addresses Persona publishes for webhook requests (docs.withpersona.com/security). It is
        information, never a verdict: the signature is what shows a delivery is Persona’s. Whole addresses only, one a
        line; an empty list turns the lookup off.
      </p>
      <form
        className="reply-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label className="stack-field">
          <span>
            Addresses <span className="hint">({plural(wanted.length, 'address', 'addresses')})</span>
          </span>
          <textarea
            className="mono addresses-input"
            data-testid="persona-ips-input"
            rows={8}
            spellCheck={false}
            autoComplete="off"
            value={text}
            aria-invalid={error !== null}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
              setNote(null);
            }}
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="persona-ips-save" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="button"
            data-testid="persona-ips-restore"
            title="Put back the addresses Persona publishes (Germany, India, United States); Save keeps them"
            disabled={busy || isPersonaList(wanted)}
            onClick={() => {
              setText(addressListText(PERSONA_WEBHOOK_IPS));
              setError(null);
              setNote('restored');
            }}
          >
            Restore Persona’s list
          </button>
          {note === 'saved' && !dirty && (
            <span className="ok-note" role="status" data-testid="persona-ips-saved">
              Saved
            </span>
          )}
          {note === 'restored' && dirty && (
            <span className="hint" role="status">
              Persona’s list is back in the field: Save to keep it.
            </span>
          )}
        </div>
        {error !== null && (
          <p className="field-error" role="alert" data-testid="persona-ips-error">
            Could not save: {error}
          </p>
        )}
      </form>
    </section>
  );
}
