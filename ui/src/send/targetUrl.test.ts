import { describe, expect, it } from 'vitest';
import { checkTarget, originalTarget } from './targetUrl.ts';

describe('checkTarget', () => {
  it('accepts http and https URLs with a host, ports, paths, queries and IPv6', () => {
    for (const t of [
      'http://127.0.0.1:3000/webhooks/persona',
      'https://example.com',
      '  http://localhost:3000/hooks?x=1  ',
      'http://[::1]:8080/',
    ]) {
      const r = checkTarget(t);
      expect(r.ok, t).toBe(true);
    }
  });

  it('asks for a URL when there is none', () => {
    const r = checkTarget('   ');
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/give a url/i) });
  });

  it('says to write the scheme when it is missing (localhost:3000 is not a scheme)', () => {
    const r = checkTarget('localhost:3000/hooks');
    expect(r).toEqual({ ok: false, message: '"localhost:3000/hooks" has no http:// or https:// — write http://localhost:3000/hooks' });
  });

  it('refuses other schemes, saying which', () => {
    const r = checkTarget('ftp://files.example.com/x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/ftp: URL; only http:\/\/ and https:\/\//);
  });

  it('refuses what does not parse and URLs without a host', () => {
    expect(checkTarget('http://').ok).toBe(false);
    expect(checkTarget('http://exa mple.com').ok).toBe(false);
    const r = checkTarget('http://:3000/');
    expect(r.ok).toBe(false);
  });

  it('calls a third slash a missing host, as the Rust check does (the URL standard would read a host)', () => {
    for (const typo of ['http:///hooks', 'https:///localhost:3000/x', 'http://\\x']) {
      const r = checkTarget(typo);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/names no host/);
    }
  });
});

describe('originalTarget', () => {
  it('is the path, with the query when there is one', () => {
    expect(originalTarget('/persona', null)).toBe('/persona');
    expect(originalTarget('/persona', '')).toBe('/persona');
    expect(originalTarget('/hooks/p', 'a=1&b=2')).toBe('/hooks/p?a=1&b=2');
  });
});
