import { TypeName } from './crdt/crdtType';
import { Json } from './json';
import { VectorClock } from './vectorClock';

/** An object's identity: the type is part of it (same bucket/key with another type is another object). */
export interface ObjectKey {
  readonly bucket: string;
  readonly key: string;
  readonly type: TypeName;
}

/** One operation of an update batch, as a client asks for it. */
export interface Update extends ObjectKey {
  readonly op: string;
  readonly args?: readonly Json[];
}

/** One operation's effect inside a transaction, as every replica applies it. */
export interface Effect extends ObjectKey {
  readonly effect: Json;
}

/**
 * The unit of replication, logging and delivery: one atomic batch from one origin. `clock` is the
 * origin's vector clock after the transaction, so `clock[origin]` is its sequence number and the
 * other entries are its causal dependencies.
 */
export interface Transaction {
  readonly origin: string;
  readonly clock: VectorClock;
  /** Origin wall-clock time in ms, for display only; never used for ordering. */
  readonly at: number;
  readonly effects: readonly Effect[];
}

export function objectId(key: ObjectKey): string {
  return JSON.stringify([key.bucket, key.key, key.type]);
}

export function sequenceOf(txn: Transaction): number {
  return txn.clock[txn.origin] ?? 0;
}
