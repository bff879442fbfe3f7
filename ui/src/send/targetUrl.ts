// The re-delivery target as it is typed: checked the way the Rust side checks it (src/redeliver/target.rs
// `Target::parse`), so the form says what is wrong before anything is sent.

export type CheckedTarget = { ok: true; url: URL } | { ok: false; message: string };

const EXAMPLE = 'e.g. http://127.0.0.1:3000/webhooks/persona';

/** An `http://` or `https://` URL with a host, or a sentence saying what to type instead. */
export function checkTarget(typed: string): CheckedTarget {
  const text = typed.trim();
  if (text === '') return { ok: false, message: `Give a URL to send to, ${EXAMPLE}.` };
  // "localhost:3000/hooks" would parse with the scheme "localhost:".
  if (!text.includes('://')) {
    return { ok: false, message: `"${text}" has no http:// or https:// — write http://${text}` };
  }
  // The URL standard reads "http:///x" as the host "x"; a third slash is a typo (as in Rust).
  const rest = text.slice(text.indexOf('://') + 3);
  if (rest.startsWith('/') || rest.startsWith('\\')) {
    return { ok: false, message: `"${text}" names no host — give one like ${EXAMPLE}.` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `"${text}" is not a URL — give one like ${EXAMPLE}.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      message: `"${text}" is a ${url.protocol} URL; only http:// and https:// targets can be sent to.`,
    };
  }
  if (url.hostname === '') {
    return { ok: false, message: `"${text}" names no host — give one like ${EXAMPLE}.` };
  }
  return { ok: true, url };
}

/** What "append the original path and query" adds, for the checkbox's label: "/persona?x=1". */
export function originalTarget(path: string, query: string | null): string {
  return query === null || query === '' ? path : `${path}?${query}`;
}
