import assert from 'node:assert/strict';
import { CounterPnSbState, counterPnSb } from '../../../src/core/crdt/counterPnSb';
import { InvalidInputError, RejectedOperationError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { assertEffectAccepted, assertEffectsRejected } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

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
      const once = counterPnSb.apply(counterPnSb.initial(), effect, 'A');
      const twice = counterPnSb.apply(counterPnSb.clone(once), effect, 'A');
      assert.deepEqual(twice, once);
      assert.equal(counterPnSb.value(twice), 3);
    });

    it('ignores an older total arriving after a newer one', () => {
      let s = counterPnSb.apply(counterPnSb.initial(), { half: 'n', replica: 'A', total: 5 }, 'A');
      s = counterPnSb.apply(s, { half: 'n', replica: 'A', total: 2 }, 'A');
      assert.equal(counterPnSb.value(s), -5);
    });

    it('joins by pointwise maximum, whatever the clocks', () => {
      const a = state({ A: 3, B: 1 }, { A: 1 });
      const b = state({ B: 4, C: 2 }, { C: 7 });
      assert.deepEqual(counterPnSb.join(a, { A: 4, B: 1 }, b, { B: 4, C: 9 }), state({ A: 3, B: 4, C: 2 }, { A: 1, C: 7 }));
    });

    it('joins commutatively and idempotently, without changing its arguments', () => {
      const a = state({ A: 3 }, { B: 2 });
      const b = state({ A: 1, B: 5 }, { B: 4 });
      const [ca, cb] = [
        { A: 3, B: 2 },
        { A: 1, B: 9 },
      ];
      assert.deepEqual(counterPnSb.join(a, ca, b, cb), counterPnSb.join(b, cb, a, ca));
      assert.deepEqual(counterPnSb.join(a, ca, a, ca), a);
      assert.deepEqual(a, state({ A: 3 }, { B: 2 }));
      assert.deepEqual(b, state({ A: 1, B: 5 }, { B: 4 }));
    });

    it('joining two replicas states equals exchanging their transactions', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 3);
      await run(b, counter, 'decrement', 2);
      await run(b, counter, 'increment', 6);
      const [stateA, stateB] = [a, b].map((r) => counterPnSb.decode(r.replica.inspect(counter)));
      const joined = counterPnSb.join(stateA, a.replica.clock, stateB, b.replica.clock);
      syncAll([a, b]);
      assert.deepEqual(counterPnSb.encode(joined), a.replica.inspect(counter));
      assert.deepEqual(counterPnSb.encode(joined), b.replica.inspect(counter));
    });
  });

  describe('safe integer range', () => {
    const MAX = Number.MAX_SAFE_INTEGER;

    it('refuses at the origin an increment whose total would pass the largest safe integer', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment', MAX);
      await assertRefused(a, [{ ...counter, op: 'increment', args: [1] }], RejectedOperationError, /safe integer range/);
      await run(a, counter, 'decrement', 5);
      assert.equal(await valueAt(a, counter), MAX - 5);
    });

    it('refuses a second maximal increment from the same replica (the reproduction of the hardening issue)', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', MAX);
      await assertRefused(a, [{ ...counter, op: 'increment', args: [MAX] }], RejectedOperationError);
      sync(a, b);
      assert.equal(await valueAt(b, counter), MAX);
    });

    it('refuses an update that would push the value it sees out of range', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'decrement', MAX);
      sync(a, b);
      await assertRefused(b, [{ ...counter, op: 'decrement', args: [1] }], RejectedOperationError);
      await run(b, counter, 'increment', 7);
      assert.equal(await valueAt(b, counter), 7 - MAX);
    });

    it('reads concurrent totals that add up beyond the range as the bound, exactly once back in range', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', MAX);
      await run(b, counter, 'increment', 3);
      syncAll([a, b]);
      for (const r of [a, b]) assert.equal(await valueAt(r, counter), MAX);
      await run(a, counter, 'decrement', 10);
      syncAll([a, b]);
      for (const r of [a, b]) assert.equal(await valueAt(r, counter), MAX - 7);
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
      { p: { 'not an id': 1 }, n: {} },
      { p: { A: 2 ** 60 }, n: {} },
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
      { half: 'p', replica: 'other', total: 2 ** 60 },
      { half: 'p', replica: 'other', total: Infinity },
    ]);
    assertEffectAccepted('counter_pn_sb', { half: 'p', replica: 'other', total: 4 });
  });
});
