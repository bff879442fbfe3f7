// The signature verdict explained: which secret and pair matched, every pair in the header, the
// timestamp's age, the exact string Persona signs, and a form to add the secret that was missing.

import { useMemo, useState, type FormEvent } from 'react';
import { addSecret, type Detail, type Verdict } from '../bindings.ts';
import { badge } from '../format/text.ts';
import { decodeUtf8Lossy, type Body } from './body.ts';
import { CopyButton } from './CopyButton.tsx';
import { errorText } from '../format/error.ts';
import { shortenMiddle, signatureHeader, signatureLines, signedString, signingTimestamp } from './signedString.ts';
import { formatUnixSeconds } from './timing.ts';
import { formatDuration } from '../format/duration.ts';

/** Characters of the signed string shown before it is shortened in the middle. */
const SIGNED_PREVIEW = 600;

export interface SignatureTabProps {
  detail: Detail;
  /** The decoded body, or null when it was not kept or could not be decoded. */
  body: Body | null;
  /** Re-fetches this delivery (its verdict changes when a secret is added). */
  reload: () => Promise<void>;
  onSecretsChanged: () => void;
}

export function SignatureTab({ detail, body, reload, onSecretsChanged }: SignatureTabProps) {
  const v = detail.signature;
  const header = signatureHeader(detail.headers);
  return (
    <div className="dt-signature">
      <VerdictBlock v={v} />
      <Pairs v={v} lines={signatureLines(detail.headers)} />
      <Timestamp v={v} />
      <SignedString detail={detail} body={body} header={header} />
      <AddSecret reload={reload} onSecretsChanged={onSecretsChanged} />
    </div>
  );
}

function VerdictBlock({ v }: { v: Verdict }) {
  const { label, tone } = badge(v);
  const matchedPair = v.matched === null ? undefined : v.pairs[v.matched.pair];
  return (
    <section
      className={`dt-verdict dt-verdict-${tone}`}
      data-testid="signature-verdict"
      data-status={v.status}
      data-stale={v.stale}
    >
      <div className="dt-verdict-head">
        <span className={`dt-badge dt-badge-${tone}`}>{label}</span>
        <span className="dt-verdict-text" data-testid="signature-explanation">
          {v.explanation}
        </span>
      </div>
      {v.diagnosis !== null && v.status !== 'valid' && (
        <p className="dt-diagnosis" data-testid="signature-diagnosis">
          <strong>Likely cause:</strong> {v.diagnosis}
        </p>
      )}
      {v.matched !== null && (
        <p data-testid="signature-matched">
          Matched the secret <strong>{v.matched.secret}</strong> with pair {v.matched.pair + 1} of{' '}
          {v.pairs.length}
          {matchedPair !== undefined && (
            <>
              {' '}
              (<code>t={matchedPair.t}</code>)
            </>
          )}
          {v.pairs.length > 1 && ' — two pairs mean Persona is rotating the webhook secret'}.
        </p>
      )}
      {v.stale && v.stale_note !== null && (
        <p className="dt-warn-text" data-testid="signature-stale">
          {v.stale_note}
        </p>
      )}
    </section>
  );
}

function Pairs({ v, lines }: { v: Verdict; lines: readonly string[] }) {
  return (
    <section className="dt-section">
      <h3>Persona-Signature</h3>
      {lines.length === 0 && <p className="dt-muted">The request has no Persona-Signature header.</p>}
      {lines.length > 1 && (
        <p className="dt-muted" data-testid="signature-lines-note">
          Sent as {lines.length} header lines; the check reads them together, as one header.
        </p>
      )}
      {lines.map((line, i) => (
        <p className="dt-raw-header" key={i} data-testid="signature-line">
          <code>{line}</code> <CopyButton text={line} />
        </p>
      ))}
      {v.pairs.length > 0 && (
        <table className="dt-table dt-pairs" data-testid="signature-pairs">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">t</th>
              <th scope="col">v1</th>
              <th scope="col">
                <span className="dt-visually-hidden">Match</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {v.pairs.map((p, i) => {
              const matched = v.matched?.pair === i;
              return (
                <tr key={i} className={matched ? 'dt-pair-matched' : undefined} data-testid="signature-pair">
                  <td>{i + 1}</td>
                  <td>
                    <code>{p.t}</code>{' '}
                    <span className="dt-muted">{formatUnixSeconds(p.t) ?? 'not a time'}</span>
                  </td>
                  <td className="dt-break">
                    <code>{p.v1}</code>
                  </td>
                  <td>{matched && <span className="dt-badge dt-badge-good">matched</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Timestamp({ v }: { v: Verdict }) {
  if (v.timestamp === null) return null;
  const age = v.age_seconds;
  return (
    <section className="dt-section">
      <h3>Timestamp</h3>
      <p data-testid="signature-age">
        <code>t={v.timestamp}</code> is {formatUnixSeconds(v.timestamp) ?? 'not a usable time'}
        {age !== null &&
          (age >= 0 ? (
            <>, signed {formatDuration(age * 1000)} before the delivery arrived</>
          ) : (
            <>
              , dated {formatDuration(age * 1000)} after the delivery arrived (the two clocks
              disagree)
            </>
          ))}
        .{' '}
        {v.stale ? (
          <span className="dt-tag dt-tag-warn">stale</span>
        ) : (
          <span className="dt-tag">fresh</span>
        )}
      </p>
      <p className="dt-muted">
        Timestamps older than {formatDuration(v.tolerance_seconds * 1000)} are flagged stale. Persona
        documents no tolerance, so staleness is reported apart from the MAC: a retry hours later
        is still correctly signed, while a replayed capture is old on purpose.
      </p>
    </section>
  );
}

function SignedString({
  detail,
  body,
  header,
}: {
  detail: Detail;
  body: Body | null;
  header: string | null;
}) {
  const ts = signingTimestamp(detail.signature, header);
  const t = ts?.t ?? null;
  const shown = useMemo(() => {
    if (t === null || body === null) return null;
    const full = signedString(t, body.text ?? decodeUtf8Lossy(body.bytes));
    return { full, short: shortenMiddle(full, SIGNED_PREVIEW) };
  }, [t, body]);
  if (ts === null) {
    return (
      <section className="dt-section">
        <h3>Signed string</h3>
        <p className="dt-muted">
          No <code>t=…,v1=…</code> pair, so there is no signed string to show.
        </p>
      </section>
    );
  }
  if (body === null || shown === null) {
    return (
      <section className="dt-section">
        <h3>Signed string</h3>
        <p className="dt-muted">
          <code>"{ts.t}." + body</code> — the body was not kept, so it cannot be shown.
        </p>
      </section>
    );
  }
  const { full, short } = shown;
  const bytes = ts.t.length + 1 + body.bytes.length;
  return (
    <section className="dt-section">
      <h3>Signed string</h3>
      <p className="dt-muted">
        Persona signs <code>"&lt;t&gt;." + raw body</code> with HMAC-SHA256 keyed by the webhook secret
        and sends the hex digest as <code>v1</code>. Using the {ts.matched ? 'matched' : 'first'} pair's{' '}
        <code>t</code>, that is these {bytes} bytes:
      </p>
      <pre className="dt-signed" data-testid="signed-string">
        {short.head}
        {short.omitted > 0 && (
          <span className="dt-omitted">{`\n… ${short.omitted} characters not shown …\n`}</span>
        )}
        {short.tail}
      </pre>
      {body.text === null && (
        <p className="dt-warn-text">
          The body is not UTF-8: it is shown with replacement characters, but the signature covers
          the raw bytes.
        </p>
      )}
      <p>
        <CopyButton
          text={() => full}
          label="Copy signed string"
          testId="signed-string-copy"
          title={body.text === null ? 'Copies the text with replacement characters' : undefined}
        />
      </p>
    </section>
  );
}

function AddSecret({
  reload,
  onSecretsChanged,
}: {
  reload: () => Promise<void>;
  onSecretsChanged: () => void;
}) {
  const [label, setLabel] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // A Persona secret has no whitespace; a pasted one often carries a trailing newline.
    const secret = value.trim();
    if (label.trim() === '' || secret === '' || busy) return;
    setBusy(true);
    setResult(null);
    try {
      const changed = await addSecret(label.trim(), secret);
      const n = changed.rechecked;
      setValue('');
      setLabel('');
      let text = `${n} ${n === 1 ? 'delivery' : 'deliveries'} re-checked.`;
      try {
        await reload();
      } catch (err) {
        text += ` Reloading this delivery failed: ${errorText(err)}`;
      }
      onSecretsChanged();
      setResult({ ok: true, text });
    } catch (err) {
      setResult({ ok: false, text: `Could not add the secret: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="dt-section">
      <h3>Add a secret</h3>
      <p className="dt-muted">
        Copy the webhook's secret (<code>wbhsec_…</code>) from Persona's dashboard. Every stored
        delivery is re-checked against all configured secrets.
      </p>
      <form className="dt-secret-form" onSubmit={(e) => void submit(e)}>
        <label>
          <span>Label</span>
          <input
            type="text"
            value={label}
            placeholder="sandbox"
            onChange={(e) => setLabel(e.target.value)}
            data-testid="detail-secret-label"
            autoComplete="off"
          />
        </label>
        <label>
          <span>Secret</span>
          <input
            type="password"
            value={value}
            placeholder="wbhsec_…"
            onChange={(e) => setValue(e.target.value)}
            data-testid="detail-secret-value"
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <button
          type="submit"
          className="dt-btn dt-btn-primary"
          disabled={busy || label.trim() === '' || value.trim() === ''}
          data-testid="detail-secret-add"
        >
          {busy ? 'Adding…' : 'Add and re-check'}
        </button>
      </form>
      {result !== null && (
        <p
          className={result.ok ? 'dt-ok-text' : 'dt-error-text'}
          role={result.ok ? 'status' : 'alert'}
          data-testid="detail-secret-result"
        >
          {result.text}
        </p>
      )}
    </section>
  );
}
