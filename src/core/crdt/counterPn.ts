import { InvalidInputError, RejectedOperationError } from '../errors';
import { Json } from '../json';
import { entry, isReplicaId, leq } from '../vectorClock';
import type { CrdtType } from './crdtType';
import { addExact, clampToSafe, exactSum, isSafe } from './safeSum';
import { describeText, expectInteger, expectRecord } from './shapes';
import { signedAmount } from './effectText';

/**
 * Per origin, the sum of the deltas it made (a Map, so ids such as "constructor" are plain keys).
 * Keeping contributions apart, rather than one total, is what lets two states be joined.
 * Zero contributions are not stored, so equal histories give equal states.
 */
export type CounterPnState = Map<string, number>;

/**
 * Where a state written by version 1 (a bare integer total) goes when decoded. No replica id is
 * empty, so the key cannot collide with an origin. That total covers the clock of the snapshot it
 * came from, not the per-origin deltas: see `join`.
 */
export const LEGACY_TOTAL_KEY = '';

function set(state: CounterPnState, origin: string, contribution: number): void {
  if (contribution === 0) state.delete(origin);
  else state.set(origin, contribution);
}

/**
 * Op-based PN-counter: the effect is the signed delta, so concurrent effects commute. The origin
 * refuses an operation that would take its own contribution or the value it sees outside the safe
 * integer range. Concurrent operations from several origins can still add up beyond it: the value
 * is then the exact sum clamped to ±Number.MAX_SAFE_INTEGER, the same at every replica.
 */
export const counterPn: CrdtType<CounterPnState, 'counter_pn'> = {
  name: 'counter_pn',
  summary: 'integer counter (op-based)',
  descriptor: {
    family: 'counter',
    label: 'counter',
    icon: 'symbol-numeric',
    explanation: 'op-based counter: replicas exchange +n / −n',
    describeEffect: (effect) => signedAmount(effect as number),
    describe: (state) => ({
      kind: 'contributions',
      rows: [...state.keys()].sort().map((origin) => ({
        replica: origin === LEGACY_TOTAL_KEY ? null : origin,
        amount: state.get(origin) as number,
      })),
    }),
  },
  operations: [
    { name: 'increment', args: { kind: 'optionalInteger', positive: false }, summary: 'add n (default 1)' },
    { name: 'decrement', args: { kind: 'optionalInteger', positive: false }, summary: 'subtract n (default 1)' },
  ],
  initial: () => new Map(),
  value: (state) => clampToSafe(exactSum(state.values())),
  prepare(state, op, args, { replica }) {
    const amount = args.length === 0 ? 1 : (args[0] as number);
    // `0 - amount` rather than `-amount`: no -0 effect for an amount of 0.
    const delta = op === 'increment' ? amount : 0 - amount;
    const own = state.get(replica) ?? 0;
    if (!Number.isSafeInteger(own + delta) || !isSafe(addExact(exactSum(state.values()), delta))) {
      throw new RejectedOperationError(
        `counter_pn: ${op} ${amount} would take the counter out of the safe integer range (±${Number.MAX_SAFE_INTEGER})`,
      );
    }
    return delta;
  },
  validateEffect: (effect) => void expectInteger(effect, 'counter_pn effect'),
  codec: {
    encode: (effect, out) => out.w.svarint(expectInteger(effect, 'counter_pn effect')),
    decode: (input) => input.r.svarint(),
  },
  apply(state, effect, origin) {
    // Only a forged or faulty origin can overflow its own contribution: clamping keeps apply total,
    // and deterministic because each origin's effects arrive in the same order everywhere.
    set(state, origin, clampToSafe((state.get(origin) ?? 0) + (effect as number)));
    return state;
  },
  join(local, localClock, remote, remoteClock) {
    const hasLegacy = local.has(LEGACY_TOTAL_KEY) || remote.has(LEGACY_TOTAL_KEY);
    // A migrated state's contributions count only what came after its migration point, so the
    // per-origin rule below is not exact for it; when one history contains the other, that side is.
    if (hasLegacy && leq(remoteClock, localClock)) return new Map(local);
    if (hasLegacy && leq(localClock, remoteClock)) return new Map(remote);
    const out: CounterPnState = new Map();
    // An origin's contribution is a function of how many of its transactions were delivered:
    // the side that delivered more of them has the later one (equal counts give equal values).
    for (const origin of new Set([...local.keys(), ...remote.keys()])) {
      if (origin === LEGACY_TOTAL_KEY) continue;
      const side = entry(remoteClock, origin) > entry(localClock, origin) ? remote : local;
      set(out, origin, side.get(origin) ?? 0);
    }
    // Concurrent migrated histories cannot be joined exactly: keep one legacy total, ours first.
    set(out, LEGACY_TOTAL_KEY, local.get(LEGACY_TOTAL_KEY) ?? remote.get(LEGACY_TOTAL_KEY) ?? 0);
    return out;
  },
  encode(state) {
    const out: { [origin: string]: Json } = {};
    for (const origin of [...state.keys()].sort()) out[origin] = state.get(origin) as number;
    return out;
  },
  decode(encoded: Json) {
    const state: CounterPnState = new Map();
    if (typeof encoded === 'number') {
      // Version 1 stored the bare total.
      set(state, LEGACY_TOTAL_KEY, expectInteger(encoded, 'counter_pn state'));
      return state;
    }
    const rec = expectRecord(encoded, 'counter_pn state');
    for (const origin of Object.keys(rec)) {
      if (origin !== LEGACY_TOTAL_KEY && !isReplicaId(origin)) {
        throw new InvalidInputError(`counter_pn state has an entry for ${describeText(origin)}, not a replica id`);
      }
      set(state, origin, expectInteger(rec[origin], `counter_pn state.${origin}`));
    }
    return state;
  },
  clone: (state) => new Map(state),
};
