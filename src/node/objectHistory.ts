import { Json } from '../core/json';
import { Replica } from '../core/replica';
import { ObjectKey, Transaction, objectId, sequenceOf } from '../core/transaction';
import { VectorClock, mergeInto } from '../core/vectorClock';
import { ObjectChange, changesOf } from './objectActivity';

/** The transactions that touched one object, newest first. */
export interface ObjectHistory {
  readonly entries: readonly ObjectChange[];
  /**
   * Null when the log reaches back to the empty state, so every entry's value can be replayed.
   * Otherwise the clock of the oldest state the node starts from: earlier changes are not known,
   * and values are not replayed (the state at that clock is not in the log).
   */
  readonly unavailableBefore: VectorClock | null;
}

/**
 * What the log holds: every transaction since the empty state (`base` null), or since the clock of
 * the oldest state the node knows (`base`), in log order.
 */
export interface LoggedTransactions {
  readonly base: VectorClock | null;
  readonly transactions: readonly Transaction[];
}

/** The newest `max` of the logged transactions; the base then also covers the ones left out. */
export function newestLogged(logged: LoggedTransactions, max: number): { base: VectorClock | null; transactions: Transaction[] } {
  const excess = Math.max(0, logged.transactions.length - max);
  if (excess === 0) return { base: logged.base, transactions: [...logged.transactions] };
  const base: Record<string, number> = { ...(logged.base ?? {}) };
  for (let i = 0; i < excess; i++) mergeInto(base, logged.transactions[i].clock);
  return { base, transactions: logged.transactions.slice(excess) };
}

function touching(key: ObjectKey, log: readonly Transaction[]): ObjectChange[] {
  const id = objectId(key);
  const out: ObjectChange[] = [];
  for (const txn of log) {
    const change = changesOf(txn).get(id)?.change;
    if (change) out.push(change);
  }
  return out.reverse();
}

export function objectHistory(key: ObjectKey, logged: LoggedTransactions): ObjectHistory {
  return { entries: touching(key, logged.transactions), unavailableBefore: logged.base };
}

/** Names one transaction: its origin and its sequence number there. */
export interface TransactionRef {
  readonly origin: string;
  readonly seq: number;
}

/**
 * The object's value right after the transaction `at`, replayed from the empty state on a scratch
 * replica. Undefined when it cannot be known without guessing: the log no longer starts from
 * nothing, or it lacks that transaction, or the transaction did not touch the object.
 */
export function valueAsOf(key: ObjectKey, at: TransactionRef, logged: LoggedTransactions): Json | undefined {
  if (logged.base !== null) return undefined;
  const log = logged.transactions;
  const id = objectId(key);
  const scratch = new Replica('history');
  for (const txn of log) {
    // Other objects' effects cannot change this one's value: skip their work, keep the clock moving.
    const effects = txn.effects.filter((e) => objectId(e) === id);
    if (!scratch.replay({ ...txn, effects })) return undefined;
    if (txn.origin === at.origin && sequenceOf(txn) === at.seq) return effects.length > 0 ? scratch.value(key) : undefined;
  }
  return undefined;
}
