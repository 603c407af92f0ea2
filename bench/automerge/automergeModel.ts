import type { Counter, Doc, ImmutableString } from '@automerge/automerge';
import { BenchOp, SHARED_OBJECTS } from '../ops';
import { BenchValues, emptyValues } from '../values';
import { Automerge } from './automergeLib';

/**
 * How the baseline stores the workloads' objects, the way an Automerge application would: one
 * document, counters as Automerge `Counter`s, a set as a map of element → true, registers and
 * flags as entries of one map each (registers as immutable strings: a plain string would be a
 * collaborative text object). One `change` per operation.
 */
export interface BenchDoc {
  counters: Record<string, Counter>;
  sets: Record<string, Record<string, true>>;
  registers: Record<string, ImmutableString>;
  flags: Record<string, boolean>;
}

/** The actor of the base document's one change; every replica's own actor is random. */
const BASE_ACTOR = 'ba5e';

/**
 * The document every replica starts from: the four maps and the objects written concurrently,
 * created once (see SHARED_OBJECTS). Built the same way in every process (fixed actor, time 0), so
 * every replica has the same first change.
 */
export function baseDocument(A: Automerge): Uint8Array {
  const doc = A.change(A.init<BenchDoc>({ actor: BASE_ACTOR }), { time: 0 }, (d) => {
    d.counters = {};
    d.sets = {};
    d.registers = {};
    d.flags = {};
    for (const key of SHARED_OBJECTS.counters) d.counters[key] = new A.Counter(0);
    for (const key of SHARED_OBJECTS.sets) d.sets[key] = {};
  });
  return A.save(doc);
}

/** The document id every replica of a run uses (automerge-repo ids are 16 bytes in base58check). */
export const DOCUMENT_BYTES = new Uint8Array(16).fill(0x6d);

/** Applies one operation inside a `change` callback. */
export function applyAutomergeOp(A: Automerge, d: BenchDoc, op: BenchOp): void {
  switch (op.kind) {
    case 'counter': {
      const counter = d.counters[op.key];
      if (counter === undefined) d.counters[op.key] = new A.Counter(1);
      else counter.increment(1);
      return;
    }
    case 'set': {
      if (d.sets[op.key] === undefined) d.sets[op.key] = {};
      const set = d.sets[op.key];
      if (op.remove) delete set[op.element];
      else set[op.element] = true;
      return;
    }
    case 'register':
      d.registers[op.key] = new A.ImmutableString(op.value);
      return;
    case 'flag':
      d.flags[op.key] = op.on;
      return;
  }
}

/** The values a user sees, in the shape shared by every system (bench/values.ts). */
export function automergeValues(doc: Doc<BenchDoc>): BenchValues {
  const values = emptyValues();
  for (const [key, counter] of Object.entries(doc.counters)) values.counters[key] = counter.value;
  for (const [key, set] of Object.entries(doc.sets)) values.sets[key] = Object.keys(set);
  for (const [key, value] of Object.entries(doc.registers)) values.registers[key] = [value.toString()];
  for (const [key, on] of Object.entries(doc.flags)) values.flags[key] = on;
  return values;
}
