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

/** Below this length a secret is weak whatever it contains (docs/architecture.md, "Threat model"). */
export const MIN_SECRET_LENGTH = 16;
/** Fewer distinct characters than this makes even a long secret guessable ("aaaa…", "abababab…"). */
const MIN_DISTINCT_CHARACTERS = 8;

export type SecretStrength = { readonly weak: false } | { readonly weak: true; readonly reason: string };

/**
 * Whether a team secret resists offline guessing. Anyone who captures one plain-`ws` handshake
 * holds two nonces and an HMAC of them, and can try candidate secrets at leisure: a short or
 * repetitive secret falls quickly.
 */
export function secretStrength(secret: string): SecretStrength {
  const length = [...secret].length;
  if (length < MIN_SECRET_LENGTH) {
    return { weak: true, reason: `it has ${length} characters; use at least ${MIN_SECRET_LENGTH}` };
  }
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) {
    return { weak: true, reason: `it repeats a few characters; use at least ${MIN_DISTINCT_CHARACTERS} different ones` };
  }
  return { weak: false };
}

export function isWeakSecret(secret: string): boolean {
  return secretStrength(secret).weak;
}

/** A strong secret: 32 random bytes as base64url (43 characters, safe in files and settings). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
