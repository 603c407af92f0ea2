import { InvalidInputError, RejectedOperationError } from '../errors';
import { Json } from '../json';
import { isReplicaId } from '../vectorClock';
import type { CrdtType } from './crdtType';
import { ExactInteger, addExact, clampToSafe, exactSum, isSafe } from './safeSum';
import { describeText, expectCounts, expectInteger, expectRecord, expectString } from './shapes';

/** Per-replica totals of increments (p) and decrements (n); each entry only grows. */
export interface CounterPnSbState {
  p: Record<string, number>;
  n: Record<string, number>;
}

/** Own entries only: a replica id such as "constructor" must not read Object.prototype. */
function countOf(counts: Record<string, number>, id: string): number {
  return Object.hasOwn(counts, id) ? counts[id] : 0;
}

function maxInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const id of Object.keys(source)) if (source[id] > countOf(target, id)) target[id] = source[id];
}

/** Σp − Σn, exactly. */
function exactValue(state: CounterPnSbState): ExactInteger {
  const n = exactSum(Object.values(state.n));
  return addExact(exactSum(Object.values(state.p)), typeof n === 'number' ? 0 - n : -n);
}

function copy(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of Object.keys(counts).sort()) out[id] = counts[id];
  return out;
}

/**
 * State-based PN-counter. The effect carries the origin's new total for one half, so applying it
 * is a pointwise max: idempotent and order-insensitive, like `join`. The origin refuses an
 * operation that would take its own total or the value it sees beyond the safe integer range;
 * concurrent totals of several replicas can still add up beyond it, and the value is then the
 * exact sum clamped to ±Number.MAX_SAFE_INTEGER, the same at every replica.
 */
export const counterPnSb: CrdtType<CounterPnSbState, 'counter_pn_sb'> = {
  name: 'counter_pn_sb',
  summary: 'integer counter (state-based, per-replica increments and decrements)',
  descriptor: {
    family: 'counter',
    label: 'state-based counter',
    icon: 'symbol-numeric',
    explanation: 'state-based counter: per-replica increment (P) and decrement (N) totals, merged by max',
    describeEffect(effect) {
      const { half, total } = effect as { half: 'p' | 'n'; total: number };
      // The effect carries the origin's new total, not the step: the step needs the state before.
      return half === 'p' ? `incremented (its increments total ${total})` : `decremented (its decrements total ${total})`;
    },
    describe: ({ p, n }) => ({
      kind: 'counts',
      rows: [...new Set([...Object.keys(p), ...Object.keys(n)])]
        .sort()
        .map((replica) => ({ replica, p: countOf(p, replica), n: countOf(n, replica) })),
    }),
  },
  operations: [
    { name: 'increment', args: { kind: 'optionalInteger', positive: true }, summary: 'add n > 0 (default 1)' },
    { name: 'decrement', args: { kind: 'optionalInteger', positive: true }, summary: 'subtract n > 0 (default 1)' },
  ],
  initial: () => ({ p: {}, n: {} }),
  value: (state) => clampToSafe(exactValue(state)),
  prepare(state, op, args, { replica }) {
    const amount = args.length === 0 ? 1 : (args[0] as number);
    const half = op === 'increment' ? 'p' : 'n';
    const total = countOf(state[half], replica) + amount;
    const after = addExact(exactValue(state), half === 'p' ? amount : 0 - amount);
    if (!Number.isSafeInteger(total) || !isSafe(after)) {
      throw new RejectedOperationError(
        `counter_pn_sb: ${op} ${amount} would take the counter out of the safe integer range (±${Number.MAX_SAFE_INTEGER})`,
      );
    }
    return { half, replica, total };
  },
  validateEffect(effect, origin) {
    const rec = expectRecord(effect, 'counter_pn_sb effect');
    if (rec.half !== 'p' && rec.half !== 'n') throw new InvalidInputError('counter_pn_sb effect.half must be "p" or "n"');
    // A replica may only raise its own entry: anything else would let one peer rewrite another's count.
    const replica = expectString(rec.replica, 'counter_pn_sb effect.replica');
    if (replica !== origin || !isReplicaId(replica)) {
      throw new InvalidInputError(`counter_pn_sb effect from ${describeText(origin)} changes the entry of ${describeText(replica)}`);
    }
    if (expectInteger(rec.total, 'counter_pn_sb effect.total') < 0) {
      throw new InvalidInputError('counter_pn_sb effect.total must not be negative');
    }
  },
  codec: {
    // The replica is the transaction's origin (validateEffect): only the half and the total are written.
    encode(effect, out) {
      const { half, replica, total } = effect as { half: 'p' | 'n'; replica: string; total: number };
      if (replica !== out.origin)
        throw new InvalidInputError(`counter_pn_sb effect from ${describeText(out.origin)} changes the entry of ${describeText(replica)}`);
      out.w.u8(half === 'p' ? 0 : 1);
      out.w.uvarint(total);
    },
    decode(input) {
      const half = input.r.u8();
      if (half > 1) throw input.r.problem('counter_pn_sb effect.half must be "p" or "n"');
      return { half: half === 0 ? 'p' : 'n', replica: input.origin, total: input.r.uvarint() };
    },
  },
  apply(state, effect) {
    const { half, replica, total } = effect as { half: 'p' | 'n'; replica: string; total: number };
    if (total > countOf(state[half], replica)) state[half][replica] = total;
    return state;
  },
  // Entries only grow, so the pointwise maximum is the state after both histories; clocks are not needed.
  join(local, _localClock, remote) {
    const out = { p: copy(local.p), n: copy(local.n) };
    maxInto(out.p, remote.p);
    maxInto(out.n, remote.n);
    return out;
  },
  encode: (state) => ({ p: copy(state.p), n: copy(state.n) }),
  decode(encoded: Json) {
    const rec = expectRecord(encoded, 'counter_pn_sb state');
    return { p: expectCounts(rec.p, 'counter_pn_sb state.p'), n: expectCounts(rec.n, 'counter_pn_sb state.n') };
  },
  clone: (state) => ({ p: { ...state.p }, n: { ...state.n } }),
};
