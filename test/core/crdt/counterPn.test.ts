import assert from 'node:assert/strict';
import { counterPn } from '../../../src/core/crdt/counterPn';
import { InvalidInputError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import {
  assertEffectsRejected,
  assertEncodeRoundTrip,
  assertRefused,
  keyOf,
  replicas,
  run,
  syncAll,
  valueAt,
} from '../helpers';

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

  it('refuses to decode a state that is not an integer', () => {
    for (const bad of ['3', 1.5, null, [], {}]) assert.throws(() => counterPn.decode(bad), InvalidInputError);
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('counter_pn', ['3', 1.5, null, true, [1], { n: 1 }]);
  });
});
