import assert from 'node:assert/strict';
import { LEGACY_TOTAL_KEY, counterPn } from '../../../src/core/crdt/counterPn';
import { InvalidInputError, RejectedOperationError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { assertEffectAccepted, assertEffectsRejected } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

const counter = keyOf('counter_pn');

describe('counter_pn', () => {
  describe('reference cases', () => {
    it('inc 1, inc 2, inc 1, dec 1 → 3', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'increment', 2);
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'decrement', 1);
      assert.equal(await valueAt(a, counter), 3);
    });

    it('inc −7, dec −5 → −2', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment', -7);
      await run(a, counter, 'decrement', -5);
      assert.equal(await valueAt(a, counter), -2);
    });
  });

  it('starts at 0', async () => {
    const [a] = replicas('A');
    assert.equal(await valueAt(a, counter), 0);
  });

  it('counts 1 when no amount is given', async () => {
    const [a] = replicas('A');
    await run(a, counter, 'increment');
    await run(a, counter, 'increment');
    await run(a, counter, 'decrement');
    assert.equal(await valueAt(a, counter), 1);
  });

  it('adds up concurrent updates at three replicas, in any delivery order', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, counter, 'increment', 5);
    await run(b, counter, 'decrement', 2);
    await run(c, counter, 'increment', 10);
    await run(c, counter, 'decrement', 1);
    syncAll([c, b, a]);
    for (const r of [a, b, c]) assert.equal(await valueAt(r, counter), 12);
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['a string amount', 'increment', ['x']],
      ['a fractional amount', 'increment', [1.5]],
      ['a boolean amount', 'decrement', [true]],
      ['a null amount', 'decrement', [null]],
      ['an unsafe integer', 'increment', [2 ** 60]],
      ['two amounts', 'increment', [1, 2]],
      ['an unknown operation', 'add', [1]],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, counter, 'increment', 4);
        await assertRefused(a, [{ ...counter, op, args }], InvalidInputError);
        assert.equal(await valueAt(a, counter), 4);
      });
    }

    it('names the operation and the bad amount in the message', async () => {
      const [a] = replicas('A');
      await assertRefused(a, [{ ...counter, op: 'increment', args: ['x'] }], InvalidInputError, /increment.*"x"/);
    });
  });

  it('round-trips its state through encode/decode', async () => {
    const [a] = replicas('A');
    await run(a, counter, 'increment', 41);
    await run(a, counter, 'decrement', -1);
    assertEncodeRoundTrip(a, counter);
  });

  it('refuses to decode malformed states', () => {
    const malformed: Json[] = ['3', 1.5, null, [], { A: 1.5 }, { A: '1' }, { 'not an id': 1 }, { A: 2 ** 60 }];
    for (const bad of malformed) assert.throws(() => counterPn.decode(bad), InvalidInputError, JSON.stringify(bad));
  });

  it("keeps each origin's contribution, encoded by origin", async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, counter, 'increment', 5);
    await run(b, counter, 'decrement', 2);
    await run(a, counter, 'decrement', 1);
    syncAll([a, b]);
    for (const r of [a, b]) assert.deepEqual(r.replica.inspect(counter), { A: 4, B: -2 });
  });

  it('decodes the bare integer that version 1 stored, under the legacy key', () => {
    const state = counterPn.decode(42);
    assert.equal(counterPn.value(state), 42);
    assert.deepEqual(counterPn.encode(state), { [LEGACY_TOTAL_KEY]: 42 });
    const later = counterPn.apply(state, -2, 'A');
    assert.equal(counterPn.value(later), 40);
    assert.deepEqual(counterPn.decode(counterPn.encode(later)), later);
  });

  it('works for a replica whose id is also an Object.prototype property name', async () => {
    const [r, s] = replicas('constructor', 'toString');
    await run(r, counter, 'increment', 2);
    await run(s, counter, 'increment', 3);
    syncAll([r, s]);
    assert.equal(await valueAt(r, counter), 5);
    assert.deepEqual(r.replica.inspect(counter), { constructor: 2, toString: 3 });
  });

  describe('safe integer range', () => {
    const MAX = Number.MAX_SAFE_INTEGER;

    it('refuses at the origin an increment past the largest safe integer, and changes nothing', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment', MAX);
      await assertRefused(a, [{ ...counter, op: 'increment', args: [1] }], RejectedOperationError, /safe integer range/);
      assert.equal(await valueAt(a, counter), MAX);
    });

    it('refuses at the origin a decrement past the smallest safe integer', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'decrement', MAX);
      await assertRefused(a, [{ ...counter, op: 'decrement', args: [1] }], RejectedOperationError, /safe integer range/);
      await assertRefused(a, [{ ...counter, op: 'increment', args: [-MAX] }], RejectedOperationError);
      assert.equal(await valueAt(a, counter), -MAX);
    });

    it('refuses an update that would push the total it sees out of range, even when its own part stays in', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', MAX);
      sync(a, b);
      await assertRefused(b, [{ ...counter, op: 'increment', args: [1] }], RejectedOperationError);
      await run(b, counter, 'decrement', MAX);
      assert.equal(await valueAt(b, counter), 0);
    });

    it('reads concurrent contributions that add up beyond the range as the bound, equally everywhere', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', MAX);
      await run(b, counter, 'increment', MAX);
      await run(b, counter, 'decrement', 10);
      syncAll([a, b]);
      for (const r of [a, b]) {
        assert.equal(await valueAt(r, counter), MAX);
        assert.deepEqual(r.replica.inspect(counter), { A: MAX, B: MAX - 10 });
      }
      // The sum is exact, not rounded: bringing it back into range gives the exact value.
      await run(a, counter, 'decrement', MAX);
      syncAll([a, b]);
      for (const r of [a, b]) assert.equal(await valueAt(r, counter), MAX - 10);
    });

    it("clamps a forged effect that overflows its origin's contribution instead of throwing", () => {
      let state = counterPn.apply(counterPn.initial(), MAX, 'A');
      state = counterPn.apply(state, MAX, 'A');
      assert.equal(counterPn.value(state), MAX);
      assert.ok(Number.isSafeInteger(state.get('A')));
      state = counterPn.apply(state, -MAX, 'A');
      assert.equal(counterPn.value(state), 0);
    });
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('counter_pn', ['3', 1.5, null, true, [1], { n: 1 }, 2 ** 60, Infinity, Number.NaN]);
    assertEffectAccepted('counter_pn', -3);
  });
});
