import assert from 'node:assert/strict';
import { CounterPnSbState, counterPnSb } from '../../../src/core/crdt/counterPnSb';
import { InvalidInputError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import {
  assertEffectsRejected,
  assertEncodeRoundTrip,
  assertRefused,
  keyOf,
  replicas,
  run,
  sync,
  syncAll,
  valueAt,
} from '../helpers';

const counter = keyOf('counter_pn_sb');

function state(p: Record<string, number>, n: Record<string, number>): CounterPnSbState {
  return { p, n };
}

describe('counter_pn_sb', () => {
  describe('reference cases', () => {
    it('inc 1, inc 2, inc 1, dec 1 → 3', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'increment', 2);
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'decrement', 1);
      assert.equal(await valueAt(a, counter), 3);
    });
  });

  it('starts at 0 and counts 1 when no amount is given', async () => {
    const [a] = replicas('A');
    assert.equal(await valueAt(a, counter), 0);
    await run(a, counter, 'increment');
    await run(a, counter, 'increment');
    await run(a, counter, 'decrement');
    assert.equal(await valueAt(a, counter), 1);
  });

  it('keeps per-replica increment and decrement totals', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, counter, 'increment', 2);
    await run(a, counter, 'increment', 3);
    await run(b, counter, 'decrement', 4);
    syncAll([a, b]);
    for (const r of [a, b]) {
      assert.deepEqual(r.replica.inspect(counter), { p: { A: 5 }, n: { B: 4 } });
      assert.equal(await valueAt(r, counter), 1);
    }
  });

  it('adds up concurrent updates at three replicas, in any delivery order', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, counter, 'increment', 5);
    await run(b, counter, 'decrement', 2);
    sync(a, b);
    await run(b, counter, 'increment', 1);
    await run(c, counter, 'increment', 10);
    syncAll([c, b, a]);
    for (const r of [a, b, c]) assert.equal(await valueAt(r, counter), 14);
  });

  it('works for a replica whose id is also an Object.prototype property name', async () => {
    const [r] = replicas('constructor');
    await run(r, counter, 'increment', 2);
    await run(r, counter, 'increment', 3);
    await run(r, counter, 'decrement', 1);
    assert.equal(await valueAt(r, counter), 4);
    assert.deepEqual(r.replica.inspect(counter), { p: { constructor: 5 }, n: { constructor: 1 } });
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['increment 0', 'increment', [0]],
      ['decrement 0', 'decrement', [0]],
      ['a negative amount', 'increment', [-3]],
      ['a string amount', 'increment', ['x']],
      ['a fractional amount', 'decrement', [0.5]],
      ['two amounts', 'increment', [1, 2]],
      ['an unknown operation', 'reset', []],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, counter, 'increment', 4);
        await assertRefused(a, [{ ...counter, op, args }], InvalidInputError);
        assert.equal(await valueAt(a, counter), 4);
      });
    }

    it('says the amount must be positive', async () => {
      const [a] = replicas('A');
      await assertRefused(a, [{ ...counter, op: 'increment', args: [0] }], InvalidInputError, /> 0/);
    });
  });

  describe('state-based behaviour', () => {
    it('applies an effect idempotently', () => {
      const effect = { half: 'p', replica: 'A', total: 3 };
      const once = counterPnSb.apply(counterPnSb.initial(), effect);
      const twice = counterPnSb.apply(counterPnSb.clone(once), effect);
      assert.deepEqual(twice, once);
      assert.equal(counterPnSb.value(twice), 3);
    });

    it('ignores an older total arriving after a newer one', () => {
      let s = counterPnSb.apply(counterPnSb.initial(), { half: 'n', replica: 'A', total: 5 });
      s = counterPnSb.apply(s, { half: 'n', replica: 'A', total: 2 });
      assert.equal(counterPnSb.value(s), -5);
    });

    it('merges by pointwise maximum', () => {
      const merge = counterPnSb.merge;
      assert.ok(merge);
      const a = state({ A: 3, B: 1 }, { A: 1 });
      const b = state({ B: 4, C: 2 }, { C: 7 });
      assert.deepEqual(merge(a, b), state({ A: 3, B: 4, C: 2 }, { A: 1, C: 7 }));
    });

    it('merges commutatively and idempotently, without changing its arguments', () => {
      const merge = counterPnSb.merge;
      assert.ok(merge);
      const a = state({ A: 3 }, { B: 2 });
      const b = state({ A: 1, B: 5 }, { B: 4 });
      assert.deepEqual(merge(a, b), merge(b, a));
      assert.deepEqual(merge(a, a), a);
      assert.deepEqual(a, state({ A: 3 }, { B: 2 }));
      assert.deepEqual(b, state({ A: 1, B: 5 }, { B: 4 }));
    });

    it('merging two replicas states equals exchanging their transactions', async () => {
      const merge = counterPnSb.merge;
      assert.ok(merge);
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 3);
      await run(b, counter, 'decrement', 2);
      await run(b, counter, 'increment', 6);
      const [stateA, stateB] = [a, b].map((r) => counterPnSb.decode(r.replica.inspect(counter)));
      const merged = merge(stateA, stateB);
      syncAll([a, b]);
      assert.deepEqual(counterPnSb.encode(merged), a.replica.inspect(counter));
      assert.deepEqual(counterPnSb.encode(merged), b.replica.inspect(counter));
    });
  });

  it('round-trips its state through encode/decode', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, counter, 'increment', 7);
    await run(b, counter, 'decrement', 2);
    syncAll([a, b]);
    assertEncodeRoundTrip(a, counter);
  });

  it('refuses to decode malformed states', () => {
    const malformed: Json[] = [
      null,
      3,
      [],
      { p: {} },
      { p: { A: -1 }, n: {} },
      { p: { A: 'x' }, n: {} },
      { p: {}, n: [] },
    ];
    for (const bad of malformed) {
      assert.throws(() => counterPnSb.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('counter_pn_sb', [
      null,
      3,
      { half: 'x', replica: 'other', total: 1 },
      { half: 'p', total: 1 },
      { half: 'p', replica: 7, total: 1 },
      { half: 'n', replica: 'other', total: -1 },
      { half: 'n', replica: 'other', total: 1.5 },
      { half: 'p', replica: 'other' },
      // Well formed, but "other" may not raise A's entry.
      { half: 'p', replica: 'A', total: 1 },
    ]);
  });
});
