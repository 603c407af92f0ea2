import { errorMessage } from '../core/errors';
import { StoredObject, validateTransaction } from '../core/replica';
import { StoredObjectSchema, TransactionSchema, parseWith } from '../core/schemas';
import { Transaction } from '../core/transaction';
import { Damage } from './format';
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
  return asDamage('record is not a valid transaction', () => {
    const txn = parseWith(TransactionSchema, value, 'the record');
    validateTransaction(txn);
    return txn;
  });
}

/** An object of a snapshot, shape checked only: the replica's importState decodes each state. */
export function decodeStoredObject(value: unknown): StoredObject {
  return asDamage('snapshot object is not valid', () => parseWith(StoredObjectSchema, value, 'the object'));
}

/** Whatever is wrong with data read from disk is damage: recovery cuts it off and reports it. */
function asDamage<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof Damage ? error : new Damage(`${what}: ${errorMessage(error)}`);
  }
}
