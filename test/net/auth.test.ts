import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_SECRET_LENGTH, generateSecret, isWeakSecret, proof, secretStrength, verifyProof } from '../../src/net/auth';

describe('net: team secret strength', () => {
  it('calls short secrets weak and says how long they should be', () => {
    for (const secret of ['', 'team', 'team-secret', 'correct-horse9']) {
      const strength = secretStrength(secret);
      assert.equal(strength.weak, true, secret);
      assert.match(strength.weak ? strength.reason : '', /use at least 16/);
      assert.equal(isWeakSecret(secret), true);
    }
  });

  it('calls long but repetitive secrets weak', () => {
    for (const secret of ['aaaaaaaaaaaaaaaaaaaa', 'abababababababababab', 'passwordpassword']) {
      assert.equal(isWeakSecret(secret), true, secret);
    }
  });

  it('accepts long varied secrets', () => {
    for (const secret of ['correct horse battery staple', 'Zx8-qL2m_Vt9#pW4rK', 'minidote-team-2024-shared!']) {
      assert.deepEqual(secretStrength(secret), { weak: false }, secret);
    }
  });

  it('counts characters, not UTF-16 units, toward the minimum length', () => {
    assert.equal(isWeakSecret('🔑🗝️🔒🔓🔐🎲🎯🧩'), true);
  });

  it('generates strong, distinct secrets that work for the handshake proof', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const secret = generateSecret();
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(isWeakSecret(secret), false);
      seen.add(secret);
    }
    assert.equal(seen.size, 50);
    const secret = generateSecret();
    assert.equal(
      verifyProof(secret, 'connector', 'aa'.repeat(16), 'bb'.repeat(16), proof(secret, 'connector', 'aa'.repeat(16), 'bb'.repeat(16))),
      true,
    );
  });

  it('no secret under the minimum length is ever strong', () => {
    fc.assert(fc.property(fc.string({ maxLength: MIN_SECRET_LENGTH - 1 }), (secret) => isWeakSecret(secret)));
  });
});
