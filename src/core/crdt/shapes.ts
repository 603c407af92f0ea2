import { InvalidInputError } from '../errors';
import { Json, MAX_JSON_DEPTH, jsonProblem, valueProblem } from '../json';
import { MAX_SEQUENCE, isReplicaId } from '../vectorClock';

/** Small checks shared by the types' `validateEffect` and `decode`: untrusted data gets a clear error. */
export function expectRecord(value: Json | undefined, what: string): { [key: string]: Json } {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be an object`);
  }
  return value;
}

export function expectArray(value: Json | undefined, what: string): Json[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`${what} must be an array`);
  return value;
}

export function expectString(value: Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${what} must be a string`);
  return value;
}

export function expectInteger(value: Json | undefined, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidInputError(`${what} must be an integer`);
  }
  return value;
}

export function expectStrings(value: Json | undefined, what: string): string[] {
  return expectArray(value, what).map((v, i) => expectString(v, `${what}[${i}]`));
}

/** JSON nesting at most MAX_JSON_DEPTH levels, finite numbers only (no size limit: see expectValue). */
export function expectJson(value: unknown, what: string): Json {
  const problem = jsonProblem(value, MAX_JSON_DEPTH);
  if (problem !== undefined) throw new InvalidInputError(`${what} must be a JSON value: ${problem}`);
  return value as Json;
}

/**
 * A new element or register value entering through an effect: bounded JSON whose canonical text is
 * at most MAX_VALUE_BYTES. Decoded states and the elements a remove names only get `expectJson`,
 * so that values stored before the size limit existed stay readable and removable.
 */
export function expectValue(value: unknown, what: string): Json {
  const problem = valueProblem(value);
  if (problem !== undefined) throw new InvalidInputError(`${what} is not accepted: ${problem}`);
  return value as Json;
}

/** Where a tag comes from: the replica that minted it and the sequence of that transaction. */
export interface TagOrigin {
  readonly origin: string;
  readonly seq: number;
}

const TAG = /^([^:]+):([1-9][0-9]{0,14}):(0|[1-9][0-9]{0,8})$/;

/**
 * Reads a unique operation tag, `<replicaId>:<seq>:<index>` as the origin mints it (replica.ts);
 * undefined when malformed. Digits without leading zeros, so one operation has exactly one tag.
 */
export function parseTag(tag: string): TagOrigin | undefined {
  const match = TAG.exec(tag);
  if (!match || !isReplicaId(match[1])) return undefined;
  const seq = Number(match[2]);
  return seq <= MAX_SEQUENCE ? { origin: match[1], seq } : undefined;
}

export function expectTag(value: Json | undefined, what: string): string {
  const tag = expectString(value, what);
  if (!parseTag(tag)) throw new InvalidInputError(`${what} must be a tag like "replica:3:0", got ${describeText(tag)}`);
  return tag;
}

export function expectTags(value: Json | undefined, what: string): string[] {
  return expectArray(value, what).map((v, i) => expectTag(v, `${what}[${i}]`));
}

/** A tag the transaction itself mints: a replica cannot make up tags in another's name. */
export function expectOwnTag(value: Json | undefined, what: string, origin: string, seq: number): string {
  const tag = expectTag(value, what);
  if (!tag.startsWith(`${origin}:${seq}:`)) {
    throw new InvalidInputError(`${what} ${describeText(tag)} was not minted by transaction ${origin}:${seq}`);
  }
  return tag;
}

/**
 * Whether a version identified by `tag`, present on one side of a join, survives: only if the
 * other side has not seen the operation that made it (had it seen it, it had also removed it).
 */
export function unseenBy(tag: string, otherClock: Readonly<Record<string, number>>): boolean {
  const parsed = parseTag(tag);
  if (!parsed) return false;
  return parsed.seq > (Object.hasOwn(otherClock, parsed.origin) ? otherClock[parsed.origin] : 0);
}

/** A record of replica id → non-negative integer (state-based counter halves). */
export function expectCounts(value: Json | undefined, what: string): Record<string, number> {
  const rec = expectRecord(value ?? null, what);
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(rec)) {
    if (!isReplicaId(id)) throw new InvalidInputError(`${what} has an entry for ${describeText(id)}, not a replica id`);
    const count = expectInteger(n, `${what}.${id}`);
    if (count < 0) throw new InvalidInputError(`${what}.${id} must not be negative`);
    out[id] = count;
  }
  return out;
}

/** Quotes untrusted text for an error message, cut short. */
export function describeText(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
