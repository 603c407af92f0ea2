import { InvalidInputError, RejectedOperationError } from './errors';

/** `{ replicaId: count }`; a missing entry means 0. Clocks are treated as immutable values. */
export type VectorClock = Readonly<Record<string, number>>;

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

/** A replica id: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const REPLICA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The highest sequence number a clock entry may hold. Far beyond any real history, and far enough
 * below 2^53 that counting up never loses precision; a claim near 2^53 is refused as forged.
 */
export const MAX_SEQUENCE = 2 ** 48;

/** The most entries one clock may have: a bound on what one message can make a replica track. */
export const MAX_CLOCK_ENTRIES = 10_000;

export function isReplicaId(id: string): boolean {
  return REPLICA_ID_PATTERN.test(id);
}

export function entry(clock: VectorClock, replica: string): number {
  return Object.prototype.hasOwnProperty.call(clock, replica) ? clock[replica] : 0;
}

/** a ≤ b: every entry of a is at most the same entry of b. */
export function leq(a: VectorClock, b: VectorClock): boolean {
  for (const id of Object.keys(a)) if (a[id] > entry(b, id)) return false;
  return true;
}

export function compare(a: VectorClock, b: VectorClock): ClockOrder {
  const aLeqB = leq(a, b);
  const bLeqA = leq(b, a);
  if (aLeqB && bLeqA) return 'equal';
  if (aLeqB) return 'before';
  if (bLeqA) return 'after';
  return 'concurrent';
}

export function merge(a: VectorClock, b: VectorClock): VectorClock {
  const out: Record<string, number> = { ...a };
  mergeInto(out, b);
  return out;
}

/**
 * Raises each entry of `target` to `source`'s, in place: for callers that merge many clocks into
 * one, where copying the accumulated clock each time would be quadratic.
 */
export function mergeInto(target: Record<string, number>, source: VectorClock): void {
  for (const id of Object.keys(source)) if (source[id] > entry(target, id)) target[id] = source[id];
}

/** Throws RejectedOperationError rather than count past MAX_SEQUENCE, which peers would refuse. */
export function increment(clock: VectorClock, replica: string): VectorClock {
  const next = entry(clock, replica) + 1;
  if (next > MAX_SEQUENCE) throw new RejectedOperationError(`replica ${replica} has used every sequence number`);
  return { ...clock, [replica]: next };
}

/** Drops zero entries, so that clocks that mean the same compare equal as JSON. */
export function normalize(clock: VectorClock): VectorClock {
  const out: Record<string, number> = {};
  for (const id of Object.keys(clock).sort()) if (clock[id] !== 0) out[id] = clock[id];
  return out;
}

/**
 * Why `input` is not a clock, or undefined when it is one: a plain object of at most
 * MAX_CLOCK_ENTRIES entries, each keyed by a replica id, each an integer from 0 to MAX_SEQUENCE.
 */
export function clockProblem(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return 'a clock must be a JSON object like {"replicaA": 3}';
  }
  const proto: unknown = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return 'a clock must be a plain JSON object';
  const record = input as Record<string, unknown>;
  let entries = 0;
  for (const id in record) {
    if (!Object.hasOwn(record, id)) continue;
    if (++entries > MAX_CLOCK_ENTRIES) return `a clock may have at most ${MAX_CLOCK_ENTRIES} entries`;
    // Ids are bounded by the pattern before they are quoted, so messages stay small.
    if (!isReplicaId(id)) return `clock entry ${JSON.stringify(id.slice(0, 80))} is not a valid replica id`;
    const count = record[id];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || count > MAX_SEQUENCE) {
      return `clock entry "${id}" must be a non-negative integer of at most ${MAX_SEQUENCE}, got ${describeScalar(count)}`;
    }
  }
  return undefined;
}

/** Validates untrusted input (CLI flag, wire message, file header) as a clock. */
export function parseClock(input: unknown): VectorClock {
  const problem = clockProblem(input);
  if (problem !== undefined) throw new InvalidInputError(problem);
  const out: Record<string, number> = {};
  for (const id of Object.keys(input as VectorClock)) out[id] = (input as VectorClock)[id];
  return out;
}

/** A short description of a wrong value that never walks into it (it may be deep or huge). */
function describeScalar(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}
