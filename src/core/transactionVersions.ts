import { Transaction, sequenceOf } from './transaction';

/** Two different transactions that claim the same origin and sequence number. */
export interface VersionConflict {
  readonly origin: string;
  readonly seq: number;
  /** Where the second version came from (a peer link), when known. */
  readonly source: string | null;
  /** When it was noticed (ms since the epoch). */
  readonly at: number;
}

/** Same content: what every replica applies (the clock is the key, so it is not compared). */
export function sameContent(a: Transaction, b: Transaction): boolean {
  return a === b || (a.at === b.at && JSON.stringify(a.effects) === JSON.stringify(b.effects));
}

/**
 * The most recently delivered transactions by (origin, sequence), so that a second, different
 * version of one of them is noticed instead of being dropped as a duplicate (first wins everywhere
 * would otherwise hide a permanent divergence). Bounded: old entries leave first; resends by
 * anti-entropy concern recent transactions.
 */
export class RecentVersions {
  private readonly delivered = new Map<string, Transaction>();
  private readonly found: VersionConflict[] = [];

  constructor(
    private readonly capacity = 4096,
    private readonly keepConflicts = 100,
  ) {}

  remember(txn: Transaction): void {
    const key = keyOf(txn.origin, sequenceOf(txn));
    this.delivered.delete(key);
    this.delivered.set(key, txn);
    if (this.delivered.size > this.capacity) this.delivered.delete(this.delivered.keys().next().value as string);
  }

  /** The remembered version of this transaction's (origin, seq), when it is still remembered. */
  earlier(txn: Transaction): Transaction | undefined {
    return this.delivered.get(keyOf(txn.origin, sequenceOf(txn)));
  }

  report(txn: Transaction, source: string | undefined, now: number): VersionConflict {
    const conflict: VersionConflict = { origin: txn.origin, seq: sequenceOf(txn), source: source ?? null, at: now };
    this.found.push(conflict);
    if (this.found.length > this.keepConflicts) this.found.shift();
    return conflict;
  }

  conflicts(): readonly VersionConflict[] {
    return this.found;
  }
}

function keyOf(origin: string, seq: number): string {
  return `${origin}:${seq}`;
}
