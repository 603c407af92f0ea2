import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TypeName } from '../../src/core/crdt/crdtType';
import { crdtType } from '../../src/core/crdt/registry';
import { RejectedOperationError } from '../../src/core/errors';
import { Json, canonicalJson, sortedUnique } from '../../src/core/json';
import { Replica } from '../../src/core/replica';
import { ObjectKey, Transaction } from '../../src/core/transaction';
import { VectorClock, compare, merge, normalize } from '../../src/core/vectorClock';

/*
 * Random multi-replica executions in the style of antidote_crdt's crdt_properties: random
 * operations at random replicas, random offers of transactions (duplicates and out-of-order
 * included; `receive` buffers), then full delivery. Replicas must converge, and the value must
 * equal a specification computed from the operation history and its causal order alone.
 *
 * The seed is fixed so CI is reproducible; set MINIDOTE_SEED to explore others. fast-check prints
 * the seed and the shrunk counterexample on failure.
 */
const seed = Number(process.env.MINIDOTE_SEED ?? 20_260_101);
const params = { seed, numRuns: 400 };

const MAX_STEPS = 60;
const MAX_REPLICAS = 4;
const KEYS = ['k0', 'k1'];

interface Operation {
  readonly op: string;
  readonly args: Json[];
}

/** One operation of the history, located in its transaction (ops in one batch are ordered by index). */
interface Event extends Operation {
  readonly clock: VectorClock;
  readonly txn: number;
  readonly index: number;
}

function happenedBefore(x: Event, y: Event): boolean {
  return x.txn === y.txn ? x.index < y.index : compare(x.clock, y.clock) === 'before';
}

interface TypeModel {
  readonly type: TypeName;
  readonly operation: fc.Arbitrary<Operation>;
  /** Whether the type may refuse a well-formed operation (such batches are skipped). */
  readonly mayRefuse?: boolean;
  /** The expected value of one object, from every operation applied to it. */
  spec(events: readonly Event[]): Json;
}

const element = fc.constantFrom<Json>('a', 'b', 'c');
const elements = fc.uniqueArray(element, { minLength: 1, maxLength: 3 });
const one = (op: string) => element.map((e): Operation => ({ op, args: [e] }));
const many = (op: string) => elements.map((args): Operation => ({ op, args }));
const bare = (op: string) => fc.constant<Operation>({ op, args: [] });

function amountsSum(events: readonly Event[]): number {
  let total = 0;
  for (const e of events) {
    const n = e.args.length === 0 ? 1 : (e.args[0] as number);
    total += e.op === 'increment' ? n : -n;
  }
  return total;
}

function counterOperation(amount: fc.Arbitrary<number>): fc.Arbitrary<Operation> {
  return fc.record({
    op: fc.constantFrom('increment', 'decrement'),
    args: fc.option(amount, { nil: undefined }).map((n): Json[] => (n === undefined ? [] : [n])),
  });
}

/** The elements an operation names, for the set types. */
function touches(e: Event, element: string): boolean {
  return e.args.some((arg) => canonicalJson(arg) === element);
}

const adds = (e: Event) => e.op === 'add' || e.op === 'add_all';
const removes = (e: Event) => e.op === 'remove' || e.op === 'remove_all';

function allElements(events: readonly Event[]): string[] {
  return [...new Set(events.flatMap((e) => e.args.map(canonicalJson)))];
}

const models: TypeModel[] = [
  {
    type: 'counter_pn',
    operation: counterOperation(fc.integer({ min: -5, max: 5 })),
    spec: amountsSum,
  },
  {
    type: 'counter_pn_sb',
    operation: counterOperation(fc.integer({ min: 1, max: 5 })),
    spec: amountsSum,
  },
  {
    type: 'set_aw',
    operation: fc.oneof(one('add'), many('add_all'), one('remove'), many('remove_all'), bare('reset')),
    // Present iff some add of the element is not causally before a remove (or reset) of it.
    spec: (events) =>
      sortedUnique(
        allElements(events)
          .filter((el) =>
            events.some(
              (a) =>
                adds(a) &&
                touches(a, el) &&
                !events.some((r) => (r.op === 'reset' || (removes(r) && touches(r, el))) && happenedBefore(a, r)),
            ),
          )
          .map((el) => JSON.parse(el) as Json),
      ),
  },
  {
    type: 'set_2p',
    operation: fc.oneof(one('add'), many('add_all'), one('remove'), many('remove_all')),
    mayRefuse: true,
    // Added somewhere, and never removed by an operation that had seen it added.
    spec: (events) =>
      sortedUnique(
        allElements(events)
          .filter((el) => {
            const addsOf = events.filter((a) => adds(a) && touches(a, el));
            const removedAfterAdd = events.some(
              (r) => removes(r) && touches(r, el) && addsOf.some((a) => happenedBefore(a, r)),
            );
            return addsOf.length > 0 && !removedAfterAdd;
          })
          .map((el) => JSON.parse(el) as Json),
      ),
  },
  {
    type: 'register_mv',
    operation: fc.oneof(
      fc.constantFrom<Json>('x', 'y', 1).map((v): Operation => ({ op: 'assign', args: [v] })),
      bare('reset'),
    ),
    // The values of the assigns that no later assign or reset has seen.
    spec: (events) =>
      sortedUnique(
        events.filter((a) => a.op === 'assign' && !events.some((o) => happenedBefore(a, o))).map((a) => a.args[0]),
      ),
  },
  {
    type: 'flag_ew',
    operation: fc.oneof(bare('enable'), bare('disable'), bare('reset')),
    // On iff some enable is not causally before any disable or reset.
    spec: (events) =>
      events.some((en) => en.op === 'enable' && !events.some((d) => d.op !== 'enable' && happenedBefore(en, d))),
  },
];

interface BatchOperation {
  readonly key: number;
  readonly operation: Operation;
}

type Step =
  | { readonly kind: 'update'; readonly at: number; readonly batch: readonly BatchOperation[] }
  | { readonly kind: 'offer'; readonly pick: number; readonly to: number };

interface Scenario {
  readonly replicaCount: number;
  readonly steps: readonly Step[];
  /** Per replica, sort keys giving the order in which the final delivery offers transactions. */
  readonly finalOrders: readonly (readonly number[])[];
}

function scenario(model: TypeModel): fc.Arbitrary<Scenario> {
  const replica = fc.nat({ max: MAX_REPLICAS - 1 });
  const update = fc.record({
    kind: fc.constant('update' as const),
    at: replica,
    batch: fc.array(fc.record({ key: fc.nat({ max: KEYS.length - 1 }), operation: model.operation }), {
      minLength: 1,
      maxLength: 3,
    }),
  });
  const offer = fc.record({ kind: fc.constant('offer' as const), pick: fc.nat(), to: replica });
  const step: fc.Arbitrary<Step> = fc.oneof({ arbitrary: update, weight: 1 }, { arbitrary: offer, weight: 3 });
  return fc.record({
    replicaCount: fc.integer({ min: 3, max: MAX_REPLICAS }),
    steps: fc.array(step, { minLength: 1, maxLength: MAX_STEPS, size: 'max' }),
    finalOrders: fc.array(fc.array(fc.nat(), { minLength: MAX_STEPS, maxLength: MAX_STEPS }), {
      minLength: MAX_REPLICAS,
      maxLength: MAX_REPLICAS,
    }),
  });
}

function keyAt(model: TypeModel, index: number): ObjectKey {
  return { bucket: 'prop', key: KEYS[index], type: model.type };
}

function objectKeys(model: TypeModel): ObjectKey[] {
  return KEYS.map((_, index) => keyAt(model, index));
}

/** Replicas that delivered the same transactions must hold the same internal state. */
function assertSameStateForSameClock(model: TypeModel, replicas: readonly Replica[]): void {
  const byClock = new Map<string, Replica>();
  for (const r of replicas) {
    const clock = canonicalJson(normalize(r.clock));
    const other = byClock.get(clock);
    if (!other) byClock.set(clock, r);
    else for (const key of objectKeys(model)) assert.deepEqual(r.inspect(key), other.inspect(key));
  }
}

async function execute(model: TypeModel, { replicaCount, steps, finalOrders }: Scenario): Promise<void> {
  const replicas = Array.from({ length: replicaCount }, (_, i) => new Replica(`r${i}`));
  const history: { txn: Transaction; ops: readonly BatchOperation[] }[] = [];

  for (const step of steps) {
    if (step.kind === 'update') {
      const at = replicas[step.at % replicaCount];
      const before = at.clock;
      const updates = step.batch.map(({ key, operation }) => ({ ...keyAt(model, key), ...operation }));
      let local: Transaction | undefined;
      const subscription = at.onChange((c) => {
        if (c.kind === 'transaction' && c.local) local = c.transaction;
      });
      try {
        await at.update(updates);
      } catch (error) {
        if (!(model.mayRefuse && error instanceof RejectedOperationError)) throw error;
        assert.deepEqual(at.clock, before, 'a refused batch must not tick the clock');
        continue;
      } finally {
        subscription.dispose();
      }
      assert.ok(local, 'an accepted batch must emit its transaction');
      history.push({ txn: local, ops: step.batch });
    } else if (history.length > 0) {
      replicas[step.to % replicaCount].receive(history[step.pick % history.length].txn);
    }
    assertSameStateForSameClock(model, replicas);
  }

  replicas.forEach((r, i) => {
    const order = history.map((_, t) => t).sort((x, y) => finalOrders[i][x] - finalOrders[i][y] || x - y);
    for (const t of order) r.receive(history[t].txn);
  });

  const everything = history.reduce<VectorClock>((clock, h) => merge(clock, h.txn.clock), {});
  for (const r of replicas) {
    assert.deepEqual(r.waitingTransactions(), []);
    assert.deepEqual(normalize(r.clock), normalize(everything));
  }
  const type = crdtType(model.type);
  objectKeys(model).forEach((key, k) => {
    const events: Event[] = history.flatMap(({ txn, ops }, t) =>
      ops.flatMap(({ key: opKey, operation }, index) =>
        opKey === k ? [{ ...operation, clock: txn.clock, txn: t, index }] : [],
      ),
    );
    const expected = model.spec(events);
    const encoded = replicas[0].inspect(key);
    assert.deepEqual(type.encode(type.decode(JSON.parse(JSON.stringify(encoded)) as Json)), encoded);
    for (const r of replicas) {
      assert.deepEqual(r.value(key), expected, `${r.id} ${key.key}`);
      assert.deepEqual(r.inspect(key), encoded);
    }
  });
}

describe('CRDT properties (random executions over 3+ replicas)', () => {
  for (const model of models) {
    it(`${model.type}: replicas converge to the specification under any causal delivery`, async () => {
      await fc.assert(
        fc.asyncProperty(scenario(model), (s) => execute(model, s)),
        params,
      );
    });
  }
});
