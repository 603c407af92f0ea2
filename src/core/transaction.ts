import { TYPE_NAMES, TypeName } from './crdt/crdtType';
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

/** A map key for an object: the bucket's length makes it unambiguous whatever the names contain. */
export function objectId(key: ObjectKey): string {
  return `${key.type}/${key.bucket.length}/${key.bucket}/${key.key}`;
}

/** The inverse of `objectId`, for ids that come back from elsewhere (saved UI state); undefined if malformed. */
export function parseObjectId(id: string): ObjectKey | undefined {
  const match = /^([a-z_0-9]+)\/(\d+)\//.exec(id);
  if (!match || !(TYPE_NAMES as readonly string[]).includes(match[1])) return undefined;
  const start = match[0].length;
  const bucket = id.slice(start, start + Number(match[2]));
  if (bucket.length !== Number(match[2]) || id[start + bucket.length] !== '/') return undefined;
  return { type: match[1] as TypeName, bucket, key: id.slice(start + bucket.length + 1) };
}

export function sequenceOf(txn: Transaction): number {
  return txn.clock[txn.origin] ?? 0;
}
