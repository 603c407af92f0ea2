import { InvalidInputError } from './errors';

/** `{ replicaId: count }`; a missing entry means 0. Clocks are treated as immutable values. */
export type VectorClock = Readonly<Record<string, number>>;

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

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
  for (const id of Object.keys(b)) if (b[id] > entry(out, id)) out[id] = b[id];
  return out;
}

export function increment(clock: VectorClock, replica: string): VectorClock {
  return { ...clock, [replica]: entry(clock, replica) + 1 };
}

/** Drops zero entries, so that clocks that mean the same compare equal as JSON. */
export function normalize(clock: VectorClock): VectorClock {
  const out: Record<string, number> = {};
  for (const id of Object.keys(clock).sort()) if (clock[id] !== 0) out[id] = clock[id];
  return out;
}

/** Validates untrusted input (CLI flag, wire message) as a clock. */
export function parseClock(input: unknown): VectorClock {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidInputError('a clock must be a JSON object like {"replicaA": 3}');
  }
  const out: Record<string, number> = {};
  for (const [id, count] of Object.entries(input)) {
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new InvalidInputError(`clock entry "${id}" must be a non-negative integer, got ${JSON.stringify(count)}`);
    }
    out[id] = count;
  }
  return out;
}
