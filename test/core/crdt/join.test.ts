import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LEGACY_TOTAL_KEY, counterPn } from '../../../src/core/crdt/counterPn';
import { AnyCrdtType, TYPE_NAMES, TypeName } from '../../../src/core/crdt/crdtType';
import { crdtType } from '../../../src/core/crdt/registry';
import { RejectedOperationError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { VectorClock, entry, increment, merge } from '../../../src/core/vectorClock';

/**
 * join(A, clockA, B, clockB) must be the state of a replica that delivered both histories. The
 * replicas here are driven directly through each type's prepare/apply, with clocks kept by hand:
 * that is the whole contract `join` relies on (states causally closed under their clocks).
 */

const ELEMENTS: Json[] = ['a', 'b', 'c', { x: 1 }, [1, 2]];
const MAX = Number.MAX_SAFE_INTEGER;

interface Choice {
  readonly op: number;
  readonly elements: readonly number[];
  readonly amount: number;
}

/** Per type: turns random numbers into a well-formed operation. */
const OPERATIONS: Record<TypeName, (c: Choice) => { op: string; args: Json[] }> = {
  counter_pn: (c) => ({ op: c.op % 2 === 0 ? 'increment' : 'decrement', args: [c.amount] }),
  counter_pn_sb: (c) => ({ op: c.op % 2 === 0 ? 'increment' : 'decrement', args: [Math.max(1, Math.abs(c.amount))] }),
  set_aw: (c) => {
    const values = c.elements.map((i) => ELEMENTS[i]);
    return [
      { op: 'add', args: values.slice(0, 1) },
      { op: 'add_all', args: values },
      { op: 'remove', args: values.slice(0, 1) },
      { op: 'remove_all', args: values },
      { op: 'reset', args: [] },
    ][c.op % 5];
  },
  set_2p: (c) => {
    const values = c.elements.map((i) => ELEMENTS[i]);
    return [
      { op: 'add', args: values.slice(0, 1) },
      { op: 'add_all', args: values },
      { op: 'remove', args: values.slice(0, 1) },
      { op: 'remove_all', args: values },
    ][c.op % 4];
  },
  register_mv: (c) => (c.op % 3 === 0 ? { op: 'reset', args: [] } : { op: 'assign', args: [ELEMENTS[c.elements[0]]] }),
  flag_ew: (c) => ({ op: ['enable', 'disable', 'reset'][c.op % 3], args: [] }),
};

interface Txn {
  readonly origin: string;
  readonly clock: VectorClock;
  readonly effect: Json;
}

interface Site {
  readonly id: string;
  clock: VectorClock;
  state: unknown;
}

type Action =
  | { readonly kind: 'op'; readonly at: number; readonly choice: Choice }
  | { readonly kind: 'deliver'; readonly at: number; readonly pick: number }
  | { readonly kind: 'join'; readonly at: number; readonly from: number };

const seq = (txn: Txn) => txn.clock[txn.origin];

/** Delivered (or covered by the clock of a join) at `clock`. */
const covered = (txn: Txn, clock: VectorClock) => seq(txn) <= entry(clock, txn.origin);

function ready(txn: Txn, clock: VectorClock): boolean {
  if (seq(txn) !== entry(clock, txn.origin) + 1) return false;
  return Object.keys(txn.clock).every((id) => id === txn.origin || txn.clock[id] <= entry(clock, id));
}

/** Runs the actions; returns the sites and every transaction in creation order (a causal order). */
function play(type: AnyCrdtType, siteCount: number, actions: readonly Action[]): { sites: Site[]; log: Txn[] } {
  const sites: Site[] = ['A', 'B', 'C'].slice(0, siteCount).map((id) => ({ id, clock: {}, state: type.initial() }));
  const log: Txn[] = [];
  for (const action of actions) {
    const site = sites[action.at % siteCount];
    if (action.kind === 'op') {
      const { op, args } = OPERATIONS[type.name](action.choice);
      const clock = increment(site.clock, site.id);
      let effect: Json;
      try {
        effect = type.prepare(site.state, op, args, { replica: site.id, tag: `${site.id}:${clock[site.id]}:0` });
      } catch (error) {
        if (error instanceof RejectedOperationError) continue;
        throw error;
      }
      type.validateEffect(effect, site.id, clock[site.id]);
      site.state = type.apply(site.state, effect, site.id);
      site.clock = clock;
      log.push({ origin: site.id, clock, effect });
    } else if (action.kind === 'deliver') {
      const candidates = log.filter((t) => ready(t, site.clock));
      if (candidates.length === 0) continue;
      const txn = candidates[action.pick % candidates.length];
      site.state = type.apply(site.state, txn.effect, txn.origin);
      site.clock = { ...site.clock, [txn.origin]: seq(txn) };
    } else {
      // A snapshot install: the join's result is itself a causally closed state, used from now on.
      const other = sites[action.from % siteCount];
      site.state = type.join(site.state, site.clock, other.state, other.clock);
      site.clock = merge(site.clock, other.clock);
    }
  }
  return { sites, log };
}

/** The state of a replica that delivered, in causal order, every transaction `clock` covers. */
function deliveredUpTo(type: AnyCrdtType, log: readonly Txn[], clock: VectorClock): unknown {
  let state = type.initial();
  for (const txn of log) if (covered(txn, clock)) state = type.apply(state, txn.effect, txn.origin);
  return state;
}

const choiceArb: fc.Arbitrary<Choice> = fc.record({
  op: fc.nat(20),
  elements: fc.array(fc.nat(ELEMENTS.length - 1), { minLength: 1, maxLength: 3 }),
  amount: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(MAX, -MAX, Math.floor(MAX / 2), 2 ** 52)),
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('op' as const), at: fc.nat(2), choice: choiceArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), at: fc.nat(2), pick: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), at: fc.nat(2), from: fc.nat(2) }) },
);

describe('join: installing a state is a join, never a replacement', () => {
  for (const name of TYPE_NAMES) {
    const type = crdtType(name);

    it(`${name}: join equals delivering both histories, and is commutative and idempotent`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 3 }), fc.array(actionArb, { maxLength: 40 }), (siteCount, actions) => {
          const { sites, log } = play(type, siteCount, actions);
          for (const x of sites) {
            // Every site's state is what its clock says it delivered (joins included).
            assert.deepEqual(type.encode(x.state), type.encode(deliveredUpTo(type, log, x.clock)));
            for (const y of sites) {
              const before = [type.encode(x.state), type.encode(y.state)];
              const joined = type.join(x.state, x.clock, y.state, y.clock);
              const expected = deliveredUpTo(type, log, merge(x.clock, y.clock));
              assert.deepEqual(type.encode(joined), type.encode(expected), `${x.id} ⊔ ${y.id}`);
              assert.deepEqual(type.value(joined), type.value(expected));
              const swapped = type.join(y.state, y.clock, x.state, x.clock);
              assert.deepEqual(type.encode(swapped), type.encode(joined), 'commutative');
              assert.deepEqual(type.encode(type.join(joined, merge(x.clock, y.clock), y.state, y.clock)), type.encode(joined));
              assert.deepEqual([type.encode(x.state), type.encode(y.state)], before, 'arguments unchanged');
            }
            assert.deepEqual(type.encode(type.join(x.state, x.clock, x.state, x.clock)), type.encode(x.state), 'idempotent');
            const empty = type.join(x.state, x.clock, type.initial(), {});
            assert.deepEqual(type.encode(empty), type.encode(x.state), 'joining an empty history changes nothing');
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  describe('counter_pn states decoded from version 1 (a bare total)', () => {
    it('a state whose history contains the other one is kept whole', () => {
      const migrated = counterPn.apply(counterPn.decode(10), 2, 'B');
      const fresh = counterPn.initial();
      const clock = { A: 5, B: 6 };
      assert.equal(counterPn.value(counterPn.join(fresh, {}, migrated, clock)), 12);
      assert.equal(counterPn.value(counterPn.join(migrated, clock, fresh, {})), 12);
      // Both migrated at other points: the later history wins whole, no contribution counted twice.
      const behind = counterPn.apply(counterPn.decode(9), 1, 'B');
      assert.equal(counterPn.value(counterPn.join(behind, { A: 5, B: 5 }, migrated, clock)), 12);
    });

    it("concurrent histories keep one legacy total, the local one first, and every origin's contribution", () => {
      const local = counterPn.apply(counterPn.decode(10), 1, 'A');
      const remote = counterPn.apply(counterPn.decode(10), 2, 'B');
      const joined = counterPn.join(local, { A: 6, B: 5 }, remote, { A: 5, B: 6 });
      assert.deepEqual(counterPn.encode(joined), { [LEGACY_TOTAL_KEY]: 10, A: 1, B: 2 });
      const newcomer = counterPn.apply(counterPn.initial(), 4, 'N');
      assert.equal(counterPn.value(counterPn.join(newcomer, { N: 1 }, remote, { A: 5, B: 6 })), 16);
    });
  });

  it('a remote clock that covers an add the remote state lacks removes it (the state must be causally closed)', () => {
    const set = crdtType('set_aw');
    const local = set.decode([['x', ['A:1:0']]]);
    const joined = set.join(local, { A: 1 }, set.initial(), { A: 1 });
    assert.deepEqual(set.value(joined), []);
  });
});
