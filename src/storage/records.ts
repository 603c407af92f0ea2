import { errorMessage } from '../core/errors';
import { isTypeName } from '../core/crdt/registry';
import { Json } from '../core/json';
import { validateTransaction } from '../core/replica';
import { Effect, ObjectKey, Transaction } from '../core/transaction';
import { parseClock } from '../core/vectorClock';
import { Damage, isRecord } from './format';
import { encodeJsonFrame } from './frames';

/** One log record: the transaction exactly as every replica applies it, nothing else. */
export function encodeRecord(txn: Transaction): Buffer {
  return encodeJsonFrame({
    origin: txn.origin,
    clock: txn.clock,
    at: txn.at,
    effects: txn.effects.map(({ bucket, key, type, effect }) => ({ bucket, key, type, effect })),
  });
}

/** Rebuilds a logged transaction from its parsed JSON, checked down to each effect's shape; Damage if anything is off. */
export function decodeRecord(value: unknown): Transaction {
  if (!isRecord(value)) throw new Damage('record is not an object');
  const { origin, clock, at, effects } = value;
  if (typeof origin !== 'string' || typeof at !== 'number' || !Array.isArray(effects)) {
    throw new Damage('record lacks origin, at or effects');
  }
  try {
    const txn: Transaction = { origin, clock: parseClock(clock), at, effects: effects.map(decodeEffect) };
    validateTransaction(txn);
    return txn;
  } catch (error) {
    throw error instanceof Damage ? error : new Damage(`record is not a valid transaction: ${errorMessage(error)}`);
  }
}

function decodeEffect(value: unknown): Effect {
  const { key, content } = decodeKeyed(value, 'effect');
  return { ...key, effect: content };
}

/**
 * An object's key plus one JSON field (a logged effect, or an object's state in a snapshot),
 * from untrusted JSON; Damage if the shape is off.
 */
export function decodeKeyed(value: unknown, field: 'effect' | 'state'): { key: ObjectKey; content: Json } {
  if (!isRecord(value)) throw new Damage(`${field} entry is not an object`);
  const { bucket, key, type } = value;
  const content = value[field];
  // Content comes from JSON.parse, so it is JSON whenever it is present; its shape is the type's
  // validateEffect / decode business.
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof type !== 'string' || content === undefined) {
    throw new Damage(`${field} entry lacks bucket, key, type or ${field}`);
  }
  if (!isTypeName(type)) throw new Damage(`${field} entry has unknown type ${JSON.stringify(type)}`);
  return { key: { bucket, key, type }, content: content as Json };
}
