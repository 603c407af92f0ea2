import * as v from 'valibot';
import { InvalidInputError } from '../core/errors';
import { Json } from '../core/json';
import { JsonValueSchema, UpdateSchema, parseWith } from '../core/schemas';
import { KeyRef, parseKeyRef } from './keyRef';
import { t } from './localize';

/**
 * Arguments of commands run by keybindings, tasks, other extensions and tree items (whose nodes
 * carry the same fields). `undefined` means "not given": the command then asks interactively.
 */
export interface ObjectTarget extends KeyRef {
  readonly type?: string;
}

type Fields = Readonly<Record<string, unknown>>;

function fields(arg: unknown): Fields | undefined {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? (arg as Fields) : undefined;
}

function optionalString(arg: Fields, name: string): string | undefined {
  const value = arg[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(t('"{0}" must be a string, got {1}', name, JSON.stringify(value)));
  return value;
}

/** The names of a target, checked as the update they lead to will be. */
const TargetNames = v.pick(UpdateSchema, ['bucket', 'key']);

/** `"bucket/key"` or `{ bucket, key, type? }`. */
export function parseTarget(arg: unknown): ObjectTarget | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return parseWith(TargetNames, parseKeyRef(arg), 'the target');
  const f = fields(arg);
  const bucket = f && f.bucket;
  const key = f && f.key;
  if (!f || typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') {
    throw new InvalidInputError(t('expected "bucket/key" or { "bucket": "...", "key": "..." } as the argument'));
  }
  parseWith(TargetNames, { bucket, key }, 'the target');
  const type = optionalString(f, 'type');
  return type === undefined ? { bucket, key } : { bucket, key, type };
}

/** A JSON field (`element`, `value`): an argument of the update, checked as the update's arguments are; undefined when absent. */
export function parseJsonField(arg: unknown, name: string): Json | undefined {
  const f = fields(arg);
  if (!f || !(name in f) || f[name] === undefined) return undefined;
  const value = f[name];
  if (!v.is(JsonValueSchema, value)) throw new InvalidInputError(t('"{0}" must be a JSON value', name));
  return value;
}

/** `amount` for counters: an integer (the counter type checks its own range). */
export function parseAmount(arg: unknown): number | undefined {
  const f = fields(arg);
  const amount = f?.amount;
  if (amount === undefined) return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    throw new InvalidInputError(t('"amount" must be an integer, got {0}', JSON.stringify(amount)));
  }
  return amount;
}

/** A peer URL: `"ws://host:port"` or `{ url }` (a Peers view item has that field). */
export function parseUrlArg(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  const url = fields(arg)?.url;
  if (typeof url !== 'string') throw new InvalidInputError(t('expected "ws://HOST:PORT" or { "url": "ws://HOST:PORT" }'));
  return url;
}

export interface ListenArgs {
  readonly host?: string;
  readonly port?: number;
}

/** `{ host?, port? }`, or a bare port number. */
export function parseListenArgs(arg: unknown): ListenArgs | undefined {
  if (arg === undefined || arg === null) return undefined;
  const f = typeof arg === 'number' ? { port: arg } : fields(arg);
  if (!f) throw new InvalidInputError(t('expected { "host": "127.0.0.1", "port": 7878 } or a port number'));
  const host = optionalString(f, 'host');
  const port = f.port;
  if (port !== undefined && (typeof port !== 'number' || !isPort(port))) {
    throw new InvalidInputError(t('"port" must be an integer from 0 to 65535, got {0}', JSON.stringify(port)));
  }
  return { ...(host !== undefined && { host }), ...(port !== undefined && { port: port as number }) };
}

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 65535;
}

/** The team secret: a string or `{ secret }`; an empty string removes it. */
export function parseSecretArg(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  const secret = fields(arg)?.secret;
  if (typeof secret !== 'string') throw new InvalidInputError(t('expected the secret as a string or { "secret": "..." }'));
  return secret;
}

export interface InviteArgs {
  /** The address teammates dial, when this node listens on all of them. */
  readonly address?: string;
  /** Whether the link carries the team secret (asked when not given). */
  readonly includeSecret?: boolean;
}

/** `{ address?, includeSecret? }`. */
export function parseInviteArgs(arg: unknown): InviteArgs | undefined {
  if (arg === undefined || arg === null) return undefined;
  const f = fields(arg);
  if (!f) throw new InvalidInputError(t('expected { "address": "192.168.1.20", "includeSecret": false } as the argument'));
  const address = optionalString(f, 'address');
  const includeSecret = f.includeSecret;
  if (includeSecret !== undefined && typeof includeSecret !== 'boolean') {
    throw new InvalidInputError(t('"includeSecret" must be true or false, got {0}', JSON.stringify(includeSecret)));
  }
  return { ...(address !== undefined && { address }), ...(includeSecret !== undefined && { includeSecret }) };
}
