import { InvalidInputError } from '../errors';
import { MAX_CLOCK_ENTRIES, MAX_SEQUENCE, VectorClock, isReplicaId } from '../vectorClock';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';
import { Names, readReplicaId, writeReplicaId } from './nameTable';

/**
 * Clocks written as changes from a clock both sides already have (the previous one on a link, a
 * log segment's start clock): only the entries that differ, each as a replica id from the stream's
 * table and the difference of its value, so a clock costs what changed rather than how many
 * replicas exist. An absent entry counts as -1, so an explicit 0 survives the round trip.
 */
const ABSENT = -1;

function valueIn(clock: VectorClock, id: string): number {
  return Object.hasOwn(clock, id) ? clock[id] : ABSENT;
}

/** The ids whose entries differ between `base` and `clock`, in a stable order. */
export function changedIds(base: VectorClock, clock: VectorClock): string[] {
  if (base === clock) return [];
  const changed: string[] = [];
  // for-in: no array of keys per clock (clocks are plain objects with no inherited enumerable keys).
  for (const id in clock) if (clock[id] !== valueIn(base, id)) changed.push(id);
  for (const id in base) if (!Object.hasOwn(clock, id)) changed.push(id);
  return changed;
}

/** Writes the entries `changed` (from `changedIds`) of `clock`; the count is the caller's to write. */
export function writeClockChanges(w: ByteWriter, names: Names, base: VectorClock, clock: VectorClock, changed: readonly string[]): void {
  for (const id of changed) {
    writeReplicaId(w, names, id);
    w.svarint(valueIn(clock, id) - valueIn(base, id));
  }
}

/** A clock and its number of entries (kept so that the next change need not count them). */
export interface SizedClock {
  readonly clock: VectorClock;
  readonly size: number;
}

/** `base` with `n` changes read from `r`; refuses values out of range and clocks over MAX_CLOCK_ENTRIES. */
export function readClockChanges(r: ByteReader, names: Names, base: SizedClock, n: number): SizedClock {
  if (n === 0) return base;
  const out: Record<string, number> = { ...base.clock };
  let size = base.size;
  let removed = false;
  for (let i = 0; i < n; i++) {
    const id = readReplicaId(r, names);
    const before = valueIn(out, id);
    const after = before + r.svarint();
    if (!(after >= ABSENT && after <= MAX_SEQUENCE)) throw r.problem(`clock entry "${id}" would be ${after}`);
    if (before === ABSENT && after !== ABSENT) size++;
    if (before !== ABSENT && after === ABSENT) {
      size--;
      removed = true;
    }
    out[id] = after;
  }
  if (size > MAX_CLOCK_ENTRIES) throw new InvalidInputError(`a clock may have at most ${MAX_CLOCK_ENTRIES} entries`);
  if (!removed) return { clock: out, size };
  const kept: Record<string, number> = {};
  for (const id of Object.keys(out)) if (out[id] !== ABSENT) kept[id] = out[id];
  return { clock: kept, size };
}

/** A whole clock with its ids in full (snapshots: no table to refer to). */
export function writeWholeClock(w: ByteWriter, clock: VectorClock): void {
  const ids = Object.keys(clock);
  w.uvarint(ids.length);
  for (const id of ids) {
    w.string(id);
    w.uvarint(clock[id]);
  }
}

/** What clockProblem accepts: replica ids, values 0..MAX_SEQUENCE, at most MAX_CLOCK_ENTRIES. */
export function readWholeClock(r: ByteReader): VectorClock {
  const n = r.count(MAX_CLOCK_ENTRIES, 'the number of clock entries');
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = r.string();
    if (!isReplicaId(id)) throw new InvalidInputError(`clock entry ${JSON.stringify(id.slice(0, 80))} is not a valid replica id`);
    if (Object.hasOwn(out, id)) throw r.problem(`clock entry "${id}" appears twice`);
    const value = r.uvarint();
    if (value > MAX_SEQUENCE) throw r.problem(`clock entry "${id}" must be at most ${MAX_SEQUENCE}`);
    out[id] = value;
  }
  return out;
}

export function clockSize(clock: VectorClock): number {
  return Object.keys(clock).length;
}

/** Sorted ids of a clock: a stream that starts from it begins with these in its table. */
export function sortedIds(clock: VectorClock): string[] {
  return Object.keys(clock).sort();
}
