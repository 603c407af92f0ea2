import { VectorClock, entry } from '../core/vectorClock';

/**
 * A vector clock that is raised in place and handed out as an immutable value by copy-on-write.
 * A message may carry thousands of transactions, each naming replicas not seen before: copying
 * the whole clock per transaction made that quadratic. Here a transaction costs its own entries,
 * and the clock is copied at most once per hand-out (a heartbeat, a status read).
 */
export class GrowingClock {
  private value: Record<string, number>;
  /** `value` has been handed out: copy it before the next change. */
  private shared: boolean;

  constructor(initial: VectorClock) {
    this.value = initial as Record<string, number>;
    this.shared = true;
  }

  /** The clock as it is now; later changes do not alter what this returns. */
  get current(): VectorClock {
    this.shared = true;
    return this.value;
  }

  get(id: string): number {
    return entry(this.value, id);
  }

  /** Raised once per transaction per link: copies only when an entry actually rises. */
  raise(clock: VectorClock): void {
    const ids = Object.keys(clock);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const seq = clock[id];
      if (seq > entry(this.value, id)) this.writable()[id] = seq;
    }
  }

  /** Takes `clock` as the new value (it is not copied unless changed later). */
  replace(clock: VectorClock): void {
    this.value = clock as Record<string, number>;
    this.shared = true;
  }

  private writable(): Record<string, number> {
    if (this.shared) {
      this.value = { ...this.value };
      this.shared = false;
    }
    return this.value;
  }
}
