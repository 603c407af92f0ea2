import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors';

/** The team secret is the file's content trimmed of surrounding whitespace (DESIGN.md). */
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
