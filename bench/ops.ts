import { Update } from '../src/core/transaction';

/**
 * One operation of a workload, independent of the system under test: Minidote turns it into an
 * `Update`, the Yjs baseline into a change of a `Y.Map` (see yjs/yjsModel.ts).
 */
export type BenchOp =
  | { readonly kind: 'counter'; readonly key: string }
  | { readonly kind: 'set'; readonly key: string; readonly element: string; readonly remove: boolean }
  | { readonly kind: 'register'; readonly key: string; readonly value: string }
  | { readonly kind: 'flag'; readonly key: string; readonly on: boolean };

export type OpKind = BenchOp['kind'];
export const OP_KINDS: readonly OpKind[] = ['counter', 'set', 'register', 'flag'];

const SET_WINDOW = 1_000;

/**
 * The i-th operation of a single-type series on one object. Sets alternate between adding 1,000
 * elements and removing them again, so they hold realistic sizes; flags toggle.
 */
export function seriesOp(kind: OpKind, i: number, key: string = kind): BenchOp {
  switch (kind) {
    case 'counter':
      return { kind, key };
    case 'set':
      return { kind, key, element: `element-${i % SET_WINDOW}`, remove: Math.floor(i / SET_WINDOW) % 2 === 1 };
    case 'register':
      return { kind, key, value: `value-${i}` };
    case 'flag':
      return { kind, key, on: i % 2 === 0 };
  }
}

/** A mix of every type over 100 objects of each: the shape of a team's working store. */
export function mixedOp(i: number): BenchOp {
  const kind = OP_KINDS[i % OP_KINDS.length];
  const n = Math.floor(i / OP_KINDS.length);
  return seriesOp(kind, n, `${kind}-${n % 100}`);
}

/**
 * Objects that several replicas write concurrently (workloads 3 and 7). Minidote and Yjs create an
 * object on first write; an Automerge application creates such objects once, in the document every
 * replica starts from, since two maps created concurrently under one key are two objects and one
 * hides the other (automerge/automergeModel.ts).
 */
export const SHARED_OBJECTS = { counters: ['hits'], sets: ['seen', 'big'] } as const;

/**
 * Replica r's j-th update in the burst: counter increments and set adds of unique elements, all
 * concurrent with the other replicas' (no removes, so the expected final state is known).
 */
export function burstOp(replica: number, j: number): BenchOp {
  return j % 2 === 0
    ? { kind: 'counter', key: SHARED_OBJECTS.counters[0] }
    : { kind: 'set', key: SHARED_OBJECTS.sets[0], element: `r${replica}-${j}`, remove: false };
}

export function toUpdate(op: BenchOp): Update {
  const bucket = 'bench';
  switch (op.kind) {
    case 'counter':
      return { bucket, key: op.key, type: 'counter_pn', op: 'increment' };
    case 'set':
      return { bucket, key: op.key, type: 'set_aw', op: op.remove ? 'remove' : 'add', args: [op.element] };
    case 'register':
      return { bucket, key: op.key, type: 'register_mv', op: 'assign', args: [op.value] };
    case 'flag':
      return { bucket, key: op.key, type: 'flag_ew', op: op.on ? 'enable' : 'disable' };
  }
}
