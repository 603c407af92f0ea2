import fc from 'fast-check';
import { TYPE_NAMES, TypeName } from '../../../src/core/crdt/crdtType';
import { RejectedOperationError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { Replica } from '../../../src/core/replica';
import { Transaction, Update } from '../../../src/core/transaction';

/**
 * Transactions as replicas really make them: random operations of every type on a few replicas
 * that now and then deliver each other's transactions, so that effects name foreign tags too.
 */

/** Replica ids of every shape the pattern allows, a prototype name among them. */
export const REPLICA_IDS = ['alpha', 'constructor', 'B.b-b_9', `z${'9'.repeat(63)}`] as const;

/** JSON values with what a codec may get wrong: lone surrogates, -0, extreme doubles, deep nesting, odd keys. */
export const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  // Through JSON text, as values reach a replica: plain objects, "__proto__" an own key.
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as Json),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom<Json>(-0, 0.1, 1e300, -5e-324, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60),
  fc
    .dictionary(fc.constantFrom('__proto__', 'constructor', 'b', 'a', ''), fc.integer(), { maxKeys: 3 })
    .map((d) => JSON.parse(JSON.stringify(d)) as Json),
);

const name = fc.oneof(fc.constantFrom('b', 'k', 'ünï ✓', ''), fc.string({ unit: 'binary', maxLength: 6 }));

const step = fc.record({
  at: fc.nat(REPLICA_IDS.length - 1),
  type: fc.constantFrom(...TYPE_NAMES),
  key: fc.nat(2),
  bucket: name,
  choice: fc.nat(4),
  amount: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 40)),
  values: fc.array(jsonValue, { minLength: 1, maxLength: 3 }),
  deliverFrom: fc.option(fc.nat(REPLICA_IDS.length - 1), { nil: undefined }),
  batch: fc.boolean(),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function updateOf(s: Step, keys: readonly string[]): Update {
  const place = { bucket: s.bucket, key: keys[s.key], type: s.type as TypeName };
  const pick = <T>(options: readonly T[]): T => options[s.choice % options.length];
  switch (s.type) {
    case 'counter_pn':
    case 'counter_pn_sb':
      return { ...place, op: pick(['increment', 'decrement']), args: [s.amount] };
    case 'set_aw':
      return {
        ...place,
        ...pick([
          { op: 'add', args: [s.values[0]] },
          { op: 'add_all', args: s.values },
          { op: 'remove', args: [s.values[0]] },
          { op: 'remove_all', args: s.values },
          { op: 'reset', args: [] },
        ]),
      };
    case 'set_2p':
      return {
        ...place,
        ...pick([
          { op: 'add_all', args: s.values },
          { op: 'remove_all', args: s.values },
        ]),
      };
    case 'register_mv':
      return {
        ...place,
        ...pick([
          { op: 'assign', args: [s.values[0]] },
          { op: 'reset', args: [] },
        ]),
      };
    default:
      return { ...place, op: pick(['enable', 'disable', 'reset']), args: [] };
  }
}

/** Plays the steps on fresh replicas; returns every transaction made, in the order they were made. */
export async function transactionsOf(steps: readonly Step[]): Promise<Transaction[]> {
  // Mostly a few ms apart, as a writer's transactions are (the link's one-byte successor heads), now and then anywhere.
  let time = 1_700_000_000_000;
  const now = () =>
    Math.random() < 0.25 ? 1_700_000_000_000 + Math.floor(Math.random() * 5000) : (time += Math.floor(Math.random() * 80));
  const replicas = REPLICA_IDS.map((id) => new Replica(id, { now }));
  const made: Transaction[] = [];
  const byReplica = replicas.map((): Transaction[] => []);
  replicas.forEach((replica, i) =>
    replica.onChange((change) => {
      if (change.kind === 'transaction' && change.local) {
        made.push(change.transaction);
        byReplica[i].push(change.transaction);
      }
    }),
  );
  const keys = ['k0', 'k1', 'k2'];
  for (const [i, s] of steps.entries()) {
    const updates = s.batch && i > 0 ? [updateOf(s, keys), updateOf(steps[i - 1], keys)] : [updateOf(s, keys)];
    try {
      await replicas[s.at].update(updates);
    } catch (error) {
      if (!(error instanceof RejectedOperationError)) throw error;
    }
    if (s.deliverFrom !== undefined && s.deliverFrom !== s.at) for (const txn of byReplica[s.deliverFrom]) replicas[s.at].receive(txn);
  }
  return made;
}

export const histories = fc.array(step, { minLength: 1, maxLength: 25 });
