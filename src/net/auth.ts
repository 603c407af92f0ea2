import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HMAC challenge-response over the team secret. Each side proves knowledge of the secret by
 * signing both nonces with its own role label, so a proof cannot be replayed or reflected back,
 * and the secret itself never crosses the wire.
 */
export type ProofRole = 'connector' | 'listener';

export function newNonce(): string {
  return randomBytes(24).toString('hex');
}

export function proof(secret: string, role: ProofRole, listenerNonce: string, connectorNonce: string): string {
  return createHmac('sha256', secret).update(`minidote/1|${role}|${listenerNonce}|${connectorNonce}`).digest('hex');
}

export function verifyProof(
  secret: string,
  role: ProofRole,
  listenerNonce: string,
  connectorNonce: string,
  candidate: string | undefined,
): boolean {
  if (candidate === undefined) return false;
  const expected = Buffer.from(proof(secret, role, listenerNonce, connectorNonce), 'hex');
  const given = Buffer.from(candidate, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
