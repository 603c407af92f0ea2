import { TypeName } from '../core/crdt/crdtType';
import { isTypeName } from '../core/crdt/registry';
import { InvalidInputError } from '../core/errors';
import { Json, canonicalJson } from '../core/json';
import { ObjectKey } from '../core/transaction';
import { parseTarget } from './commandArgs';
import { KeyRef, formatKeyRef, sameKeyRef } from './keyRef';
import { t } from './localize';

/**
 * Arguments of the commands made for tasks and launch configurations (`${input:…}` command
 * inputs, `preLaunchTask`): `minidote.read` and `minidote.waitForFlag`.
 */
export type ReadFormat = 'text' | 'json';

export interface ReadArgs {
  readonly ref: KeyRef;
  readonly type?: TypeName;
  readonly format: ReadFormat;
}

export interface WaitArgs {
  readonly ref: KeyRef;
  readonly timeoutMs: number;
}

export const DEFAULT_WAIT_SECONDS = 600;
/** A day: longer waits are better written as a loop in the task itself. */
export const MAX_WAIT_SECONDS = 86_400;

function field(arg: unknown, name: string): unknown {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? (arg as Record<string, unknown>)[name] : undefined;
}

function required(arg: unknown, usage: string): KeyRef & { type?: string } {
  const target = parseTarget(arg);
  if (!target) throw new InvalidInputError(usage);
  return target;
}

/** `"bucket/key"` or `{ bucket, key, type?, format? }` (format: "text", the default, or "json"). */
export function parseReadArgs(arg: unknown): ReadArgs {
  const target = required(arg, t('expected "bucket/key" or { "bucket", "key", "type"? } as the argument, e.g. "ops/release-train"'));
  const format = field(arg, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new InvalidInputError(t('"format" must be "text" or "json", got {0}', JSON.stringify(format)));
  if (target.type !== undefined && !isTypeName(target.type)) throw new InvalidInputError(t('unknown type "{0}"', target.type));
  const ref = { bucket: target.bucket, key: target.key };
  return target.type === undefined ? { ref, format } : { ref, type: target.type, format };
}

/** `"bucket/key"` or `{ bucket, key, timeout? }`, the timeout in seconds (default 600). */
export function parseWaitArgs(arg: unknown): WaitArgs {
  const target = required(arg, t('expected "bucket/key" or { "bucket", "key", "timeout"? } naming a flag, e.g. "ops/deploy-freeze"'));
  if (target.type !== undefined && target.type !== 'flag_ew')
    throw new InvalidInputError(t('only flags (flag_ew) can be waited for, not {0}', target.type));
  const timeout = field(arg, 'timeout') ?? DEFAULT_WAIT_SECONDS;
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_WAIT_SECONDS) {
    throw new InvalidInputError(
      t('"timeout" must be a number of seconds from 1 to {0}, got {1}', MAX_WAIT_SECONDS, JSON.stringify(timeout)),
    );
  }
  return { ref: { bucket: target.bucket, key: target.key }, timeoutMs: Math.round(timeout * 1000) };
}

/**
 * The object `ref` names: of the given type, else of the one type it exists as here. An object
 * this replica has not seen cannot be read without its type (its type decides its empty value).
 */
export function resolveReadKey(args: ReadArgs, existing: readonly ObjectKey[]): ObjectKey {
  if (args.type) return { ...args.ref, type: args.type };
  const types = existing.filter((k) => sameKeyRef(k, args.ref)).map((k) => k.type);
  const name = formatKeyRef(args.ref);
  if (types.length === 0)
    throw new InvalidInputError(t('{0} does not exist on this replica (yet); pass "type" to read its empty value', name));
  if (types.length > 1) throw new InvalidInputError(t('{0} exists as {1}; say which with "type"', name, types.join(', ')));
  return { ...args.ref, type: types[0] };
}

function scalarText(value: Json): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : canonicalJson(value);
}

/**
 * A value as a task or launch configuration uses it: a flag is `true`/`false`, a counter its
 * number, a register with one value that value (a string without quotes), set elements and
 * concurrent register values joined by commas; `json` gives the canonical JSON instead.
 */
export function valueAsText(value: Json, format: ReadFormat): string {
  if (format === 'json') return canonicalJson(value);
  if (Array.isArray(value)) return value.map(scalarText).join(',');
  return scalarText(value);
}
