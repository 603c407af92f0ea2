import { Transaction } from '../core/transaction';
import { ObjectKey } from '../core/transaction';
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

/** The last N delivered transactions, oldest first. */
export class RecentTransactions {
  private readonly items: DeliveredTransaction[] = [];

  constructor(private readonly capacity: number) {}

  add(txn: Transaction, local: boolean): void {
    this.items.push({
      origin: txn.origin,
      clock: txn.clock,
      at: txn.at,
      deliveredAt: Date.now(),
      local,
      keys: txn.effects.map(({ bucket, key, type }) => ({ bucket, key, type })),
    });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  list(): DeliveredTransaction[] {
    return [...this.items];
  }
}
