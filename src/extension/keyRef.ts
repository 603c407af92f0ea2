import { InvalidInputError } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { t } from './localize';

/** A bucket and a key, without the type: what a user types as `bucket/key`. */
export interface KeyRef {
  readonly bucket: string;
  readonly key: string;
}

/** Why `text` is not a usable `bucket/key`, or undefined when it is (for inline input validation). */
export function keyRefProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return t('Type bucket/key, e.g. flags/deploy-freeze');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return t('Add a bucket: bucket/{0}', trimmed);
  if (slash === 0) return t('The bucket (before "/") is empty');
  if (slash === trimmed.length - 1) return t('The key (after "/") is empty');
  return undefined;
}

/** Parses `bucket/key`; the bucket ends at the first "/", so keys may contain "/". */
export function parseKeyRef(text: string): KeyRef {
  const problem = keyRefProblem(text);
  if (problem) throw new InvalidInputError(t('"{0}" is not a bucket/key: {1}', text, problem.toLowerCase()));
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1) };
}

export function formatKeyRef(ref: KeyRef): string {
  return `${ref.bucket}/${ref.key}`;
}

export function sameKeyRef(a: KeyRef, b: KeyRef): boolean {
  return a.bucket === b.bucket && a.key === b.key;
}

/** A watched-flag setting entry (`key` or `bucket/key`) matches a flag in any bucket or in one. */
export function matchesWatchPattern(pattern: string, key: ObjectKey): boolean {
  const slash = pattern.indexOf('/');
  if (slash < 0) return pattern === key.key;
  return pattern.slice(0, slash) === key.bucket && pattern.slice(slash + 1) === key.key;
}
