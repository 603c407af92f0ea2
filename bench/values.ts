import { createHash } from 'node:crypto';
import { BenchOp } from './ops';

/**
 * What a user sees, in one shape for every system under test: each store turns its own state into
 * this, so a replica can be checked against the specification (`expectedValues`) whatever system
 * it is. Empty sets and zero counters are left out (a system may keep an emptied object, another
 * may not; a user cannot tell them apart). Registers hold every surviving value, sorted: one in a
 * history without concurrent assignments.
 */
export interface BenchValues {
  readonly counters: Record<string, number>;
  readonly sets: Record<string, string[]>;
  readonly registers: Record<string, string[]>;
  readonly flags: Record<string, boolean>;
}

export function emptyValues(): BenchValues {
  return { counters: {}, sets: {}, registers: {}, flags: {} };
}

function sortedRecord<T>(record: Record<string, T>, keep: (value: T) => boolean, map: (value: T) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) if (keep(record[key])) out[key] = map(record[key]);
  return out;
}

/** The canonical form: keys sorted, set elements and register values sorted, empty objects dropped. */
export function canonicalValues(values: BenchValues): BenchValues {
  const sorted = (list: string[]) => [...list].sort();
  return {
    counters: sortedRecord(
      values.counters,
      (n) => n !== 0,
      (n) => n,
    ),
    sets: sortedRecord(values.sets, (s) => s.length > 0, sorted),
    registers: sortedRecord(values.registers, (r) => r.length > 0, sorted),
    flags: sortedRecord(
      values.flags,
      () => true,
      (f) => f,
    ),
  };
}

/** Equal digests mean the same user-visible state. */
export function digestValues(values: BenchValues): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalValues(values)))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The specification: the state every replica must reach after `ops`. The workloads only issue
 * histories whose outcome does not depend on delivery order (one writer per register and flag,
 * concurrent writers only increment counters and add distinct set elements), so a fold in issue
 * order is the answer for every system.
 */
export function expectedValues(ops: Iterable<BenchOp>): BenchValues {
  const values = emptyValues();
  const sets = new Map<string, Set<string>>();
  for (const op of ops) {
    switch (op.kind) {
      case 'counter':
        values.counters[op.key] = (values.counters[op.key] ?? 0) + 1;
        break;
      case 'set': {
        const set = sets.get(op.key) ?? new Set<string>();
        sets.set(op.key, set);
        if (op.remove) set.delete(op.element);
        else set.add(op.element);
        break;
      }
      case 'register':
        values.registers[op.key] = [op.value];
        break;
      case 'flag':
        values.flags[op.key] = op.on;
        break;
    }
  }
  for (const [key, set] of sets) values.sets[key] = [...set];
  return values;
}

/** A failure message when `actual` is not the specification, else null. */
export function checkAgainst(what: string, actual: string, expected: string): string | null {
  return actual === expected ? null : `${what}: state ${actual} differs from the specification ${expected}`;
}
