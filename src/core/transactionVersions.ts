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
 * The remembered transactions of one origin, oldest first. An origin's transactions are delivered
 * in the order of their sequence numbers, so these only grow and are found by bisection; if one
 * ever comes out of order (a snapshot install moved the clock back), they are searched one by one.
 */
class OriginVersions {
  /**
   * Made with the first one, not empty then pushed: an empty array's first push reserves room for
   * 17, and a team that has seen thousands of replicas remembers one transaction of most of them.
   */
  private readonly seqs: number[];
  private readonly txns: (Transaction | undefined)[];
  /** Where the oldest still remembered is: the ones before it are dropped in batches. */
  private head = 0;
  private ordered = true;

  constructor(
    readonly origin: string,
    seq: number,
    txn: Transaction,
  ) {
    this.seqs = [seq];
    this.txns = [txn];
  }

  get size(): number {
    return this.seqs.length - this.head;
  }

  push(seq: number, txn: Transaction): void {
    if (this.size > 0 && seq <= this.seqs[this.seqs.length - 1]) this.ordered = false;
    this.seqs.push(seq);
    this.txns.push(txn);
  }

  dropOldest(): void {
    this.txns[this.head++] = undefined;
    if (this.head >= 64 && this.head * 2 >= this.seqs.length) {
      this.seqs.splice(0, this.head);
      this.txns.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The newest remembered version of `seq`. */
  find(seq: number): Transaction | undefined {
    const { seqs } = this;
    if (!this.ordered) {
      for (let i = seqs.length - 1; i >= this.head; i--) if (seqs[i] === seq) return this.txns[i];
      return undefined;
    }
    let low = this.head;
    let high = seqs.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (seqs[middle] === seq) return this.txns[middle];
      if (seqs[middle] < seq) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }
}

/**
 * The most recently delivered transactions by (origin, sequence), so that a second, different
 * version of one of them is noticed instead of being dropped as a duplicate (first wins everywhere
 * would otherwise hide a permanent divergence). Bounded: old entries leave first; resends by
 * anti-entropy concern recent transactions. Remembering one costs no allocation beyond array
 * growth: this runs for every delivered transaction.
 */
export class RecentVersions {
  private readonly byOrigin = new Map<string, OriginVersions>();
  /** Whose each remembered transaction is, in delivery order: a ring, the oldest at `next` once full. */
  private readonly order: (OriginVersions | undefined)[];
  private next = 0;
  private readonly found: VersionConflict[] = [];

  constructor(
    private readonly capacity = 4096,
    private readonly keepConflicts = 100,
  ) {
    this.order = new Array<OriginVersions | undefined>(capacity).fill(undefined);
  }

  remember(txn: Transaction): void {
    const oldest = this.order[this.next];
    if (oldest) {
      oldest.dropOldest();
      if (oldest.size === 0) this.byOrigin.delete(oldest.origin);
    }
    let versions = this.byOrigin.get(txn.origin);
    if (versions) versions.push(sequenceOf(txn), txn);
    else {
      versions = new OriginVersions(txn.origin, sequenceOf(txn), txn);
      this.byOrigin.set(txn.origin, versions);
    }
    this.order[this.next] = versions;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  /** The remembered version of this transaction's (origin, seq), when it is still remembered. */
  earlier(txn: Transaction): Transaction | undefined {
    return this.byOrigin.get(txn.origin)?.find(sequenceOf(txn));
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
