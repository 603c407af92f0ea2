import assert from 'node:assert/strict';
import { TypeName } from '../../src/core/crdt/crdtType';
import { crdtType } from '../../src/core/crdt/registry';
import { InvalidInputError, RejectedOperationError } from '../../src/core/errors';
import { Json } from '../../src/core/json';
import { Replica } from '../../src/core/replica';
import { ObjectKey, Transaction, Update } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';

/** Shared by the core tests: replicas whose local transactions are kept for manual delivery. */
export interface TestReplica {
  readonly replica: Replica;
  /** Every transaction this replica originated, in commit order. */
  readonly sent: Transaction[];
}

export function keyOf(type: TypeName, key = 'k', bucket = 'b'): ObjectKey {
  return { bucket, key, type };
}

export function replicas(...ids: string[]): TestReplica[] {
  return ids.map((id) => {
    const replica = new Replica(id, { clockTimeoutMs: 2_000 });
    const sent: Transaction[] = [];
    replica.onChange((change) => {
      if (change.kind === 'transaction' && change.local) sent.push(change.transaction);
    });
    return { replica, sent };
  });
}

export function run(at: TestReplica, key: ObjectKey, op: string, ...args: Json[]): Promise<VectorClock> {
  return at.replica.update([{ ...key, op, args }]);
}

export async function valueAt(at: TestReplica, key: ObjectKey): Promise<Json> {
  return (await at.replica.read([key])).values[0];
}

/** Offers every transaction `from` has originated so far to `to` (duplicates are dropped there). */
export function sync(from: TestReplica, to: TestReplica): void {
  for (const txn of from.sent) to.replica.receive(txn);
}

export function syncAll(all: readonly TestReplica[]): void {
  for (const from of all) for (const to of all) if (from !== to) sync(from, to);
}

/** encode → JSON text → decode gives back the same state (same encoding, same value). */
export function assertEncodeRoundTrip(at: TestReplica, key: ObjectKey): void {
  const type = crdtType(key.type);
  const encoded = at.replica.inspect(key);
  const decoded = type.decode(JSON.parse(JSON.stringify(encoded)) as Json);
  assert.deepEqual(type.encode(decoded), encoded);
  assert.deepEqual(type.value(decoded), at.replica.value(key));
}

/** Each malformed effect is refused by the type and, inside a transaction, by `receive`. */
export function assertEffectsRejected(typeName: TypeName, effects: readonly Json[]): void {
  const type = crdtType(typeName);
  const [target] = replicas('target');
  for (const effect of effects) {
    assert.throws(() => type.validateEffect(effect, 'other', 1), InvalidInputError, `accepted ${JSON.stringify(effect)}`);
    const txn: Transaction = { origin: 'other', clock: { other: 1 }, at: 0, effects: [{ ...keyOf(typeName), effect }] };
    assert.throws(() => target.replica.receive(txn), InvalidInputError);
  }
  assert.deepEqual(target.replica.clock, {});
  assert.deepEqual(target.replica.listObjects(), []);
}

/** An update that must fail with `errorClass`, leaving the replica's clock and values as they were. */
export async function assertRefused(
  at: TestReplica,
  updates: readonly Update[],
  errorClass: typeof InvalidInputError | typeof RejectedOperationError,
  message?: RegExp,
): Promise<void> {
  const keys = updates.map((u): ObjectKey => ({ bucket: u.bucket, key: u.key, type: u.type }));
  const before = keys.map((k) => at.replica.inspect(k));
  const clock = at.replica.clock;
  const sent = at.sent.length;
  await assert.rejects(at.replica.update(updates), (error: unknown) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    if (message) assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(at.replica.clock, clock);
  assert.deepEqual(
    keys.map((k) => at.replica.inspect(k)),
    before,
  );
  assert.equal(at.sent.length, sent);
}
