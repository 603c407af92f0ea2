import { ObjectKey, Transaction } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';

/** A delivered transaction as the panel's diagram shows it. */
export interface DeliveredTransaction {
  readonly origin: string;
  readonly clock: VectorClock;
  readonly at: number;
  readonly deliveredAt: number;
  readonly local: boolean;
  readonly keys: ObjectKey[];
}

/** How many delivered transactions a node keeps for the panel's diagram. */
export const RECENT_TRANSACTIONS_KEPT = 200;

/** The last N delivered transactions, in a ring so that recording one costs O(1). */
export class RecentTransactions {
  private readonly ring: DeliveredTransaction[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  add(txn: Transaction, local: boolean): void {
    this.push({
      origin: txn.origin,
      clock: txn.clock,
      at: txn.at,
      deliveredAt: Date.now(),
      local,
      keys: txn.effects.map(({ bucket, key, type }) => ({ bucket, key, type })),
    });
  }

  /** Records one as another replica reported it (a window attached to another window's replica). */
  push(item: DeliveredTransaction): void {
    if (this.ring.length < this.capacity) this.ring.push(item);
    else this.ring[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  list(): DeliveredTransaction[] {
    return this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
