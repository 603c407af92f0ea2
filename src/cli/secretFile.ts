import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors';
import { secretStrength } from '../net/auth';

/** The team secret is the file's content trimmed of surrounding whitespace (docs/architecture.md, "CLI contract"). */
export function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read the secret file ${path}: ${(error as Error).message}`);
  }
  const secret = text.trim();
  if (secret === '') throw new InvalidInputError(`the secret file ${path} is empty`);
  return secret;
}

/** A warning for `serve` when the secret could be guessed from a captured handshake; undefined when strong. */
export function weakSecretWarning(secret: string, path: string): string | undefined {
  const strength = secretStrength(secret);
  if (!strength.weak) return undefined;
  return (
    `the team secret in ${path} is weak (${strength.reason}): anyone who captures one handshake can guess it offline. ` +
    "Use a long random secret, e.g. the output of: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\""
  );
}
