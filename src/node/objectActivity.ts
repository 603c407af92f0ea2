import { crdtType } from '../core/crdt/registry';
import { ObjectKey, Transaction, objectId } from '../core/transaction';
import { VectorClock, leq } from '../core/vectorClock';

/** One transaction's change to one object, as people read it. */
export interface ObjectChange {
  /** The replica that made it (an id; display names are resolved by whoever shows it). */
  readonly origin: string;
  /** The origin's wall clock (ms), for display only. */
  readonly at: number;
  readonly clock: VectorClock;
  /** What it did, from the type's `describeEffect` ("enabled", "added \"x\""). */
  readonly op: string;
}

/** The newest change to an object, and the changes concurrent with it that it did not see. */
export interface LastChange extends ObjectChange {
  readonly concurrent: readonly ObjectChange[];
}

/** Concurrent writers beyond this many are not worth a tooltip line each. */
const MAX_CONCURRENT = 4;

/** What one transaction did to each object it touched (several effects on one object read as one). */
export function changesOf(txn: Transaction): Map<string, { key: ObjectKey; change: ObjectChange }> {
  const out = new Map<string, { key: ObjectKey; change: ObjectChange }>();
  for (const e of txn.effects) {
    const id = objectId(e);
    const op = crdtType(e.type).descriptor.describeEffect(e.effect);
    const seen = out.get(id);
    const text = seen ? `${seen.change.op}, ${op}` : op;
    out.set(id, {
      key: { bucket: e.bucket, key: e.key, type: e.type },
      change: { origin: txn.origin, at: txn.at, clock: txn.clock, op: text },
    });
  }
  return out;
}

/**
 * Who changed each object last, kept in memory from delivered transactions in delivery order
 * (a causal order). Filled from the log the first time someone asks, so a node that nobody asks
 * pays nothing; from then on each delivery updates it.
 */
export class ObjectActivity {
  private readonly last = new Map<string, LastChange>();
  private loaded = false;

  /** `loggedHistory` gives the logged transactions in log order: all of them, or those the compacted log still holds. */
  constructor(private readonly loggedHistory: () => readonly Transaction[]) {}

  /** A transaction was delivered (call in delivery order; ignored until first asked, since the log has it then). */
  delivered(txn: Transaction): void {
    if (this.loaded) this.record(txn);
  }

  /** Undefined when no change to the object is known (never written, or only before a compacted log). */
  lastChange(key: ObjectKey): LastChange | undefined {
    this.load();
    return this.last.get(objectId(key));
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    for (const txn of this.loggedHistory()) this.record(txn);
  }

  private record(txn: Transaction): void {
    for (const [id, { change }] of changesOf(txn)) {
      const previous = this.last.get(id);
      // Delivery is causal: a change either saw the previous one or was concurrent with it.
      const unseen = previous
        ? [withoutConcurrent(previous), ...previous.concurrent].filter((c) => !leq(c.clock, change.clock)).slice(0, MAX_CONCURRENT)
        : [];
      this.last.set(id, { ...change, concurrent: unseen });
    }
  }
}

function withoutConcurrent({ origin, at, clock, op }: LastChange): ObjectChange {
  return { origin, at, clock, op };
}
