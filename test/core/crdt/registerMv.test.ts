import assert from 'node:assert/strict';
import { registerMv } from '../../../src/core/crdt/registerMv';
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

const register = keyOf('register_mv');

describe('register_mv', () => {
  describe('reference cases', () => {
    it('assign a → [a]', async () => {
      const [a] = replicas('A');
      await run(a, register, 'assign', 'a');
      assert.deepEqual(await valueAt(a, register), ['a']);
    });

    it('reset → []', async () => {
      const [a] = replicas('A');
      await run(a, register, 'assign', 'a');
      await run(a, register, 'reset');
      assert.deepEqual(await valueAt(a, register), []);
    });

    it('concurrent assigns x at A and y at B → [x, y] everywhere', async () => {
      const [a, b, c] = replicas('A', 'B', 'C');
      await run(a, register, 'assign', 'x');
      await run(b, register, 'assign', 'y');
      syncAll([b, c, a]);
      for (const r of [a, b, c]) assert.deepEqual(await valueAt(r, register), ['x', 'y'], r.replica.id);
    });

    it('assign dark twice in sequence → [dark]', async () => {
      const [a] = replicas('A');
      await run(a, register, 'assign', 'dark');
      await run(a, register, 'assign', 'dark');
      assert.deepEqual(await valueAt(a, register), ['dark']);
    });
  });

  it('starts empty', async () => {
    const [a] = replicas('A');
    assert.deepEqual(await valueAt(a, register), []);
  });

  it('shows one value when the same value was assigned concurrently', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, register, 'assign', 'same');
    await run(b, register, 'assign', 'same');
    syncAll([a, b]);
    assert.deepEqual(await valueAt(a, register), ['same']);
    assert.equal((a.replica.inspect(register) as Json[]).length, 2);
  });

  it('an assign that observed concurrent values overwrites all of them', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, register, 'assign', 'x');
    await run(b, register, 'assign', 'y');
    syncAll([a, b, c]);
    await run(c, register, 'assign', 'z');
    syncAll([a, b, c]);
    for (const r of [a, b, c]) assert.deepEqual(await valueAt(r, register), ['z']);
  });

  it('an assign overwrites only the values it observed', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, register, 'assign', 'old');
    sync(a, b);
    await run(b, register, 'assign', 'mine');
    await run(a, register, 'assign', 'theirs');
    syncAll([a, b]);
    for (const r of [a, b]) assert.deepEqual(await valueAt(r, register), ['mine', 'theirs']);
  });

  it('holds JSON values, sorted by canonical JSON text', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, register, 'assign', { theme: 'dark' });
    await run(b, register, 'assign', 42);
    syncAll([a, b]);
    assert.deepEqual(await valueAt(a, register), [42, { theme: 'dark' }]);
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['assign without a value', 'assign', []],
      ['assign with two values', 'assign', ['a', 'b']],
      ['reset with an argument', 'reset', ['a']],
      ['an unknown operation', 'set', ['a']],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, register, 'assign', 'kept');
        await assertRefused(a, [{ ...register, op, args }], InvalidInputError);
      });
    }
  });

  it('round-trips its state through encode/decode', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, register, 'assign', 'x');
    await run(b, register, 'assign', { y: null });
    syncAll([a, b]);
    assertEncodeRoundTrip(a, register);
  });

  it('encodes equal states equally, whatever order the versions arrived in', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, register, 'assign', 'x');
    await run(b, register, 'assign', 'y');
    syncAll([a, b, c]);
    assert.deepEqual(a.replica.inspect(register), b.replica.inspect(register));
  });

  it('refuses to decode malformed states', () => {
    for (const bad of [null, {}, ['x'], [{ value: 'x' }], [{ value: 'x', tag: 1 }], [{ tag: 't' }]] as Json[]) {
      assert.throws(() => registerMv.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('register_mv', [
      null,
      [],
      {},
      { rm: 't' },
      { rm: [1] },
      { rm: [], set: 'x' },
      { rm: [], set: { value: 'x' } },
      { rm: [], set: { tag: 't' } },
      { rm: [], set: { value: 'x', tag: 3 } },
    ]);
  });
});
