import { InvalidInputError } from '../errors';
import { Json } from '../json';
import { CrdtType } from './crdtType';
import { expectCounts, expectInteger, expectRecord, expectString } from './shapes';

/** Per-replica totals of increments (p) and decrements (n); each entry only grows. */
export interface CounterPnSbState {
  p: Record<string, number>;
  n: Record<string, number>;
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const id in counts) total += counts[id];
  return total;
}

/** Own entries only: a replica id such as "constructor" must not read Object.prototype. */
function countOf(counts: Record<string, number>, id: string): number {
  return Object.hasOwn(counts, id) ? counts[id] : 0;
}

function maxInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const id in source) if (source[id] > countOf(target, id)) target[id] = source[id];
}

/**
 * State-based PN-counter. The effect carries the origin's new total for one half, so applying it
 * is a pointwise max: idempotent and order-insensitive, like `merge`.
 */
export const counterPnSb: CrdtType<CounterPnSbState> = {
  name: 'counter_pn_sb',
  summary: 'integer counter (state-based, per-replica increments and decrements)',
  operations: [
    { name: 'increment', args: { kind: 'optionalInteger', positive: true }, summary: 'add n > 0 (default 1)' },
    { name: 'decrement', args: { kind: 'optionalInteger', positive: true }, summary: 'subtract n > 0 (default 1)' },
  ],
  initial: () => ({ p: {}, n: {} }),
  value: (state) => sum(state.p) - sum(state.n),
  prepare(state, op, args, { replica }) {
    const amount = args.length === 0 ? 1 : (args[0] as number);
    const half = op === 'increment' ? 'p' : 'n';
    return { half, replica, total: countOf(state[half], replica) + amount };
  },
  validateEffect(effect, origin) {
    const rec = expectRecord(effect, 'counter_pn_sb effect');
    if (rec.half !== 'p' && rec.half !== 'n') throw new InvalidInputError('counter_pn_sb effect.half must be "p" or "n"');
    // A replica may only raise its own entry: anything else would let one peer rewrite another's count.
    if (expectString(rec.replica, 'counter_pn_sb effect.replica') !== origin) {
      throw new InvalidInputError(`counter_pn_sb effect from ${origin} changes the entry of ${String(rec.replica)}`);
    }
    if (expectInteger(rec.total, 'counter_pn_sb effect.total') < 0) {
      throw new InvalidInputError('counter_pn_sb effect.total must not be negative');
    }
  },
  apply(state, effect) {
    const { half, replica, total } = effect as { half: 'p' | 'n'; replica: string; total: number };
    if (total > countOf(state[half], replica)) state[half][replica] = total;
    return state;
  },
  encode: (state) => ({ p: { ...state.p }, n: { ...state.n } }),
  decode(encoded: Json) {
    const rec = expectRecord(encoded, 'counter_pn_sb state');
    return { p: expectCounts(rec.p, 'counter_pn_sb state.p'), n: expectCounts(rec.n, 'counter_pn_sb state.n') };
  },
  clone: (state) => ({ p: { ...state.p }, n: { ...state.n } }),
  merge(a, b) {
    const out = { p: { ...a.p }, n: { ...a.n } };
    maxInto(out.p, b.p);
    maxInto(out.n, b.n);
    return out;
  },
};
