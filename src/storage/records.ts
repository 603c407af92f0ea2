import { errorMessage } from '../core/errors';
import { isTypeName } from '../core/crdt/registry';
import { isJson } from '../core/json';
import { validateTransaction } from '../core/replica';
import { Effect, Transaction } from '../core/transaction';
import { parseClock } from '../core/vectorClock';
import { Damage, parseJson } from './format';
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

/** Rebuilds a logged transaction, checked down to each effect's shape; Damage if anything is off. */
export function decodeRecord(payload: Buffer): Transaction {
  const value = parseJson(payload);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Damage('record is not an object');
  const { origin, clock, at, effects } = value as Record<string, unknown>;
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
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Damage('effect is not an object');
  const { bucket, key, type, effect } = value as Record<string, unknown>;
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof type !== 'string' || !isJson(effect)) {
    throw new Damage('effect lacks bucket, key, type or effect');
  }
  if (!isTypeName(type)) throw new Damage(`effect has unknown type ${JSON.stringify(type)}`);
  return { bucket, key, type, effect };
}
