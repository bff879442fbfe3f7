// The captured body as bytes and, when it is UTF-8, as text. Decoded once per delivery.

export interface Body {
  bytes: Uint8Array;
  /** The exact text when the bytes are valid UTF-8 (a BOM is kept), else null. */
  text: string | null;
  /** The bytes start with a UTF-8 byte order mark (Persona never sends one). */
  bom: boolean;
}

/** A stored body decoded on demand: null when there is none (not kept), or why it failed. */
export type DecodedBody = { ok: true; body: Body } | { ok: false; message: string } | null;

type FromBase64 = (s: string) => Uint8Array;

/**
 * Standard base64 (padding optional, ASCII whitespace ignored) to bytes; throws on anything else.
 * Uses `Uint8Array.fromBase64` where the webview has it, `atob` otherwise.
 */
export function base64ToBytes(b64: string): Uint8Array {
  // Both decoders validate (alphabet, padding, length) and skip ASCII whitespace themselves; a
  // separate regex pass would cost as much as the decoding on a 5 MB body.
  try {
    const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
    if (typeof native === 'function') return native(b64);
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    throw new Error('the stored body is not valid base64');
  }
}

/** Bytes to base64 (for copying a non-UTF-8 body). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The text if the bytes are valid UTF-8, else null. `ignoreBOM` keeps a BOM as U+FEFF: exact. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Invalid sequences become U+FFFD: for showing a non-UTF-8 body, never for comparing it. */
export function decodeUtf8Lossy(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** A body from its base64 (a recorded attempt's bodies come so). */
export function decodeBody(b64: string): Body {
  return bodyOf(base64ToBytes(b64));
}

/** A body from its bytes: the text decoded once. */
export function bodyOf(bytes: Uint8Array): Body {
  return {
    bytes,
    text: decodeUtf8Strict(bytes),
    bom: bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf,
  };
}
