import { Json } from '../../src/core/json';

/*
 * The specification the property tests compare replicas with: what each type's value must be, and
 * which operations it must refuse, computed from the operation history and its causal order alone.
 * It shares no code with src/: its JSON text, its sorting and its causality are its own, so a bug
 * in the implementation's helpers (canonical JSON, sorting, clock comparison) cannot hide by being
 * on both sides of an assertion.
 */

/** JSON text with object keys sorted: the specification's notion of "the same element". */
export function specText(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(specText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${specText(value[k])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Distinct values (by specText), in ascending order of their text (UTF-16 code units). */
export function specSorted(values: Iterable<Json>): Json[] {
  const byText = new Map<string, Json>();
  for (const v of values) if (!byText.has(specText(v))) byText.set(specText(v), v);
  return [...byText.keys()].sort().map((t) => byText.get(t) as Json);
}

/** One operation of the history: operation `index` of transaction `txn` (a history index). */
export interface SpecEvent {
  readonly op: string;
  readonly args: readonly Json[];
  readonly txn: number;
  readonly index: number;
}

/** Whether `a` is in the causal past of `b` (earlier in the same transaction, or seen by its origin). */
export type Precedes = (a: SpecEvent, b: SpecEvent) => boolean;

export interface TypeSpec {
  /** The value of one object, from the operations applied to it. */
  value(events: readonly SpecEvent[], precedes: Precedes): Json;
  /**
   * Whether the type refuses `op` at a replica that has seen `events` (which include the earlier
   * operations of the same batch on this object).
   */
  refuses(events: readonly SpecEvent[], precedes: Precedes, op: Omit<SpecEvent, 'txn' | 'index'>): boolean;
}

const never = () => false;

function amountsSum(events: readonly SpecEvent[]): number {
  let total = 0;
  for (const e of events) {
    const n = e.args.length === 0 ? 1 : (e.args[0] as number);
    total += e.op === 'increment' ? n : -n;
  }
  return total;
}

const counter: TypeSpec = { value: amountsSum, refuses: never };

const touches = (e: SpecEvent, element: string) => e.args.some((arg) => specText(arg) === element);
const isAdd = (e: SpecEvent) => e.op === 'add' || e.op === 'add_all';
const isRemove = (e: SpecEvent) => e.op === 'remove' || e.op === 'remove_all';

/** Each element named by some operation, by text, with one of its spellings. */
function elementsOf(events: readonly SpecEvent[]): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const e of events) for (const arg of e.args) out.set(specText(arg), arg);
  return out;
}

function setWhere(events: readonly SpecEvent[], present: (element: string) => boolean): Json[] {
  return specSorted([...elementsOf(events)].filter(([text]) => present(text)).map(([, value]) => value));
}

/** Present iff some add of the element is not causally before a remove (or reset) of it. */
const setAw: TypeSpec = {
  value: (events, precedes) =>
    setWhere(events, (el) =>
      events.some(
        (a) => isAdd(a) && touches(a, el) && !events.some((r) => (r.op === 'reset' || (isRemove(r) && touches(r, el))) && precedes(a, r)),
      ),
    ),
  refuses: never,
};

/** Removed for good: a remove of the element that had seen it added. */
function tombstoned(events: readonly SpecEvent[], precedes: Precedes, el: string): boolean {
  return events.some((r) => isRemove(r) && touches(r, el) && events.some((a) => isAdd(a) && touches(a, el) && precedes(a, r)));
}

/** Added somewhere and never removed by an operation that had seen it added. */
const set2p: TypeSpec = {
  value: (events, precedes) =>
    setWhere(events, (el) => events.some((a) => isAdd(a) && touches(a, el)) && !tombstoned(events, precedes, el)),
  // docs/architecture.md, "CRDT types": `add` of a removed element and `remove` of an element not in the set are errors.
  refuses(events, precedes, op) {
    const el = specText(op.args[0]);
    if (op.op === 'add') return tombstoned(events, precedes, el);
    if (op.op === 'remove') return !(set2p.value(events, precedes) as Json[]).some((v) => specText(v) === el);
    return false;
  },
};

/** The values of the assigns that no later assign or reset has seen. */
const registerMv: TypeSpec = {
  value: (events, precedes) =>
    specSorted(events.filter((a) => a.op === 'assign' && !events.some((o) => precedes(a, o))).map((a) => a.args[0])),
  refuses: never,
};

/** On iff some enable is not causally before any disable or reset. */
const flagEw: TypeSpec = {
  value: (events, precedes) => events.some((en) => en.op === 'enable' && !events.some((d) => d.op !== 'enable' && precedes(en, d))),
  refuses: never,
};

export const TYPE_SPECS = {
  counter_pn: counter,
  counter_pn_sb: counter,
  set_aw: setAw,
  set_2p: set2p,
  register_mv: registerMv,
  flag_ew: flagEw,
} as const satisfies Record<string, TypeSpec>;

/**
 * Causal delivery as the specification sees it: a transaction is known by its history index, its
 * origin and the set of transactions its origin had delivered when it was made (its past). A
 * replica delivers a transaction once it has delivered its whole past, and holds it until then.
 */
export class SpecHistory {
  private readonly pasts: ReadonlySet<number>[] = [];
  private readonly origins: string[] = [];

  get length(): number {
    return this.pasts.length;
  }

  /** Records a transaction made at `origin` after delivering `past`; returns its index. */
  add(origin: string, past: ReadonlySet<number>): number {
    this.pasts.push(new Set(past));
    this.origins.push(origin);
    return this.pasts.length - 1;
  }

  /** Causal order between events, with `pending` standing in for a transaction not yet recorded. */
  precedes(pending?: { txn: number; past: ReadonlySet<number> }): Precedes {
    return (a, b) => {
      if (a.txn === b.txn) return a.index < b.index;
      const past = pending && b.txn === pending.txn ? pending.past : this.pasts[b.txn];
      return past.has(a.txn);
    };
  }

  ready(txn: number, delivered: ReadonlySet<number>): boolean {
    if (delivered.has(txn)) return false;
    for (const t of this.pasts[txn]) if (!delivered.has(t)) return false;
    return true;
  }

  /** The vector clock of a set of delivered transactions: how many of each origin's, zeros omitted. */
  clock(delivered: Iterable<number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of delivered) out[this.origins[t]] = (out[this.origins[t]] ?? 0) + 1;
    return out;
  }
}

/** What one replica has delivered and holds, by history index, in the specification. */
export class SpecReplica {
  delivered = new Set<number>();
  pending = new Set<number>();

  constructor(private readonly history: SpecHistory) {}

  /** What `receive` must answer when offered transaction `txn`. */
  offer(txn: number): 'delivered' | 'buffered' | 'duplicate' {
    if (this.delivered.has(txn) || this.pending.has(txn)) return 'duplicate';
    if (!this.history.ready(txn, this.delivered)) {
      this.pending.add(txn);
      return 'buffered';
    }
    this.delivered.add(txn);
    this.deliverPending();
    return 'delivered';
  }

  /** Takes on the union of its own and another replica's delivered transactions (a snapshot join). */
  join(other: ReadonlySet<number>): void {
    for (const t of other) this.delivered.add(t);
    this.deliverPending();
  }

  /** Delivers whatever waiting transactions became ready, until none does. */
  private deliverPending(): void {
    for (let progress = true; progress;) {
      progress = false;
      for (const t of this.pending) {
        if (this.delivered.has(t)) this.pending.delete(t);
        else if (this.history.ready(t, this.delivered)) {
          this.pending.delete(t);
          this.delivered.add(t);
          progress = true;
        }
      }
    }
  }
}

export function sameMembers(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
