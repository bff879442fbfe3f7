// The harness's own signing helper against Persona's public test vector (no window needed):
// if this fails, every signature verdict in the GUI tests is meaningless.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { personaSignature, personaV1 } from './app.mjs';

test('the signing helper reproduces Persona’s public test vector', () => {
  assert.equal(
    personaV1('abc123', 'wbhsec_researchhub', 1720713905),
    '0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7',
    'HMAC-SHA256 keyed with the secret over "<t>." + body',
  );
  assert.equal(
    personaSignature(Buffer.from('abc123'), 'wbhsec_researchhub', 1720713905),
    't=1720713905,v1=0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7',
  );
});
