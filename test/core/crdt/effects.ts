import assert from 'node:assert/strict';
import { TypeName } from '../../../src/core/crdt/crdtType';
import { crdtType } from '../../../src/core/crdt/registry';
import { InvalidInputError } from '../../../src/core/errors';
import { Json, MAX_VALUE_BYTES } from '../../../src/core/json';
import { Transaction } from '../../../src/core/transaction';
import { keyOf, replicas } from '../helpers';

/** The transaction every checked effect claims to come from, and a tag it may mint. */
export const ORIGIN = 'other';
export const SEQ = 1;
export const OWN_TAG = `${ORIGIN}:${SEQ}:0`;

/** Arrays nested `levels` deep around "x": `nested(2)` is [["x"]]. */
export function nested(levels: number): Json {
  let value: Json = 'x';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** A short description of a test value, also of one too deep for JSON.stringify. */
export function shortText(value: Json): string {
  try {
    return String(JSON.stringify(value)).slice(0, 120);
  } catch {
    return 'a value too deep to print';
  }
}

/** A string whose JSON text is just over the size limit for one value. */
export const OVERSIZED = 'x'.repeat(MAX_VALUE_BYTES);

function transactionOf(typeName: TypeName, effect: Json): Transaction {
  return { origin: ORIGIN, clock: { [ORIGIN]: SEQ }, at: 0, effects: [{ ...keyOf(typeName), effect }] };
}

/**
 * Each malformed effect is refused by the type with InvalidInputError (never another error, such
 * as a stack overflow) and, inside a transaction, by `receive`, which then changes nothing.
 */
export function assertEffectsRejected(typeName: TypeName, effects: readonly Json[]): void {
  const type = crdtType(typeName);
  const [target] = replicas('target');
  for (const effect of effects) {
    const shown = shortText(effect);
    assert.throws(() => type.validateEffect(effect, ORIGIN, SEQ), InvalidInputError, `accepted ${shown}`);
    assert.throws(() => target.replica.receive(transactionOf(typeName, effect)), InvalidInputError, `received ${shown}`);
  }
  assert.deepEqual(target.replica.clock, {});
  assert.deepEqual(target.replica.listObjects(), []);
}

/** A well-formed effect passes the type's check and is delivered: the rejections above are specific. */
export function assertEffectAccepted(typeName: TypeName, effect: Json): void {
  crdtType(typeName).validateEffect(effect, ORIGIN, SEQ);
  const [target] = replicas('target');
  assert.equal(target.replica.receive(transactionOf(typeName, effect)), 'delivered');
}
