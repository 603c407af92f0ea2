import { Transaction, sequenceOf } from './transaction';
import { VectorClock, entry } from './vectorClock';

export interface WaitingTransaction {
  readonly transaction: Transaction;
  /** The clock entries the replica still lacks before this transaction can be delivered. */
  readonly missing: VectorClock;
}

/**
 * Limits that keep one peer from filling memory with transactions that can never be delivered.
 * What is refused is not lost: anti-entropy sends it again once its dependencies have arrived.
 */
export interface BufferLimits {
  /** How far past an origin's delivered sequence a held transaction may be. */
  readonly aheadPerOrigin: number;
  readonly transactions: number;
  /** Estimated from each transaction's JSON length. */
  readonly bytes: number;
}

export const DEFAULT_BUFFER_LIMITS: BufferLimits = { aheadPerOrigin: 10_000, transactions: 100_000, bytes: 64 * 1024 * 1024 };

/** held: kept for later; already: this (origin, sequence) is held; full: refused by a limit. */
export type HoldOutcome = 'held' | 'already' | 'full';

interface Held {
  readonly txn: Transaction;
  readonly source: string | undefined;
  readonly bytes: number;
}

/**
 * Holds transactions that arrived before their causal dependencies. Indexed by origin and sequence
 * number: only the next sequence of each origin can become ready, so finding work is cheap. Each
 * entry remembers which link brought it, so a peer's leftovers go when the peer does.
 */
export class CausalBuffer {
  private readonly byOrigin = new Map<string, Map<number, Held>>();
  private count = 0;
  private bytes = 0;

  constructor(private readonly limits: BufferLimits = DEFAULT_BUFFER_LIMITS) {}

  get size(): number {
    return this.count;
  }

  /** Stores a transaction not yet delivered at `clock`, within the limits. */
  hold(txn: Transaction, clock: VectorClock, source?: string): HoldOutcome {
    const seq = sequenceOf(txn);
    const queue = this.byOrigin.get(txn.origin);
    if (queue?.has(seq)) return 'already';
    if (seq - entry(clock, txn.origin) > this.limits.aheadPerOrigin || this.count >= this.limits.transactions) return 'full';
    const bytes = estimateBytes(txn);
    if (this.bytes + bytes > this.limits.bytes) return 'full';
    if (queue) queue.set(seq, { txn, source, bytes });
    else this.byOrigin.set(txn.origin, new Map([[seq, { txn, source, bytes }]]));
    this.count++;
    this.bytes += bytes;
    return 'held';
  }

  /** The held transaction with this origin and sequence, if any (to compare a second version). */
  get(origin: string, seq: number): Transaction | undefined {
    return this.byOrigin.get(origin)?.get(seq)?.txn;
  }

  /** True when some held transaction comes from `origin`: someone has shown us its later history. */
  holdsFrom(origin: string): boolean {
    return this.byOrigin.has(origin);
  }

  /** Removes and returns a transaction that is causally ready at `clock`, if any. */
  takeReady(clock: VectorClock): Transaction | undefined {
    // Checked for every delivered transaction: an empty buffer must not cost an iterator.
    if (this.count === 0) return undefined;
    for (const [origin, queue] of this.byOrigin) {
      const next = queue.get(entry(clock, origin) + 1);
      if (next && isCausallyReady(next.txn, clock)) {
        this.remove(origin, queue, sequenceOf(next.txn));
        return next.txn;
      }
    }
    return undefined;
  }

  /** Forgets what `clock` already covers (after a snapshot was installed). */
  dropCovered(clock: VectorClock): void {
    this.dropWhere((origin, seq) => seq <= entry(clock, origin));
  }

  /** Forgets what one link brought: a peer that left will not send what these wait for. */
  dropFrom(source: string): void {
    this.dropWhere((_origin, _seq, held) => held.source === source);
  }

  waiting(clock: VectorClock): WaitingTransaction[] {
    const out: WaitingTransaction[] = [];
    for (const queue of this.byOrigin.values()) {
      for (const { txn } of queue.values()) out.push({ transaction: txn, missing: missingFor(txn, clock) });
    }
    return out;
  }

  private dropWhere(test: (origin: string, seq: number, held: Held) => boolean): void {
    for (const [origin, queue] of this.byOrigin) {
      for (const [seq, held] of queue) if (test(origin, seq, held)) this.remove(origin, queue, seq);
    }
  }

  private remove(origin: string, queue: Map<number, Held>, seq: number): void {
    const held = queue.get(seq);
    if (!held) return;
    queue.delete(seq);
    if (queue.size === 0) this.byOrigin.delete(origin);
    this.count--;
    this.bytes -= held.bytes;
  }
}

/** Only buffered transactions pay for this; delivered ones never do. */
function estimateBytes(txn: Transaction): number {
  return JSON.stringify(txn).length;
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
