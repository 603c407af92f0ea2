import { Transaction, sequenceOf } from './transaction';
import { VectorClock, entry } from './vectorClock';

export interface WaitingTransaction {
  readonly transaction: Transaction;
  /** The clock entries the replica still lacks before this transaction can be delivered. */
  readonly missing: VectorClock;
}

/**
 * Holds transactions that arrived before their causal dependencies. Indexed by origin and sequence
 * number: only the next sequence of each origin can become ready, so finding work is cheap.
 */
export class CausalBuffer {
  private readonly byOrigin = new Map<string, Map<number, Transaction>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores a transaction not yet delivered; returns false if it is already held. */
  hold(txn: Transaction): boolean {
    let queue = this.byOrigin.get(txn.origin);
    if (!queue) this.byOrigin.set(txn.origin, (queue = new Map()));
    const seq = sequenceOf(txn);
    if (queue.has(seq)) return false;
    queue.set(seq, txn);
    this.count++;
    return true;
  }

  /** Removes and returns a transaction that is causally ready at `clock`, if any. */
  takeReady(clock: VectorClock): Transaction | undefined {
    for (const [origin, queue] of this.byOrigin) {
      const next = queue.get(entry(clock, origin) + 1);
      if (next && isCausallyReady(next, clock)) {
        queue.delete(sequenceOf(next));
        if (queue.size === 0) this.byOrigin.delete(origin);
        this.count--;
        return next;
      }
    }
    return undefined;
  }

  /** Forgets what `clock` already covers (after a snapshot was installed). */
  dropCovered(clock: VectorClock): void {
    for (const [origin, queue] of this.byOrigin) {
      for (const seq of queue.keys()) {
        if (seq <= entry(clock, origin)) {
          queue.delete(seq);
          this.count--;
        }
      }
      if (queue.size === 0) this.byOrigin.delete(origin);
    }
  }

  waiting(clock: VectorClock): WaitingTransaction[] {
    const out: WaitingTransaction[] = [];
    for (const queue of this.byOrigin.values()) {
      for (const transaction of queue.values()) out.push({ transaction, missing: missingFor(transaction, clock) });
    }
    return out;
  }
}

export function isDuplicate(txn: Transaction, clock: VectorClock): boolean {
  return sequenceOf(txn) <= entry(clock, txn.origin);
}

/** Ready: the next transaction of its origin, and every dependency already delivered. */
export function isCausallyReady(txn: Transaction, clock: VectorClock): boolean {
  if (sequenceOf(txn) !== entry(clock, txn.origin) + 1) return false;
  for (const id of Object.keys(txn.clock)) {
    if (id !== txn.origin && txn.clock[id] > entry(clock, id)) return false;
  }
  return true;
}

function missingFor(txn: Transaction, clock: VectorClock): VectorClock {
  const missing: Record<string, number> = {};
  for (const id of Object.keys(txn.clock)) {
    const needed = id === txn.origin ? txn.clock[id] - 1 : txn.clock[id];
    if (needed > entry(clock, id)) missing[id] = needed;
  }
  return missing;
}
