import assert from 'node:assert/strict';
import { registerMv } from '../../../src/core/crdt/registerMv';
import { InvalidInputError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { OVERSIZED, OWN_TAG, assertEffectAccepted, assertEffectsRejected, nested } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

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
      ['a value nested 5000 levels deep', 'assign', [nested(5000)]],
      ['a value over the size limit', 'assign', [OVERSIZED]],
      ['a NaN value', 'assign', [Number.NaN]],
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
    const malformed: Json[] = [null, {}, ['x'], [{ value: 'x' }], [{ value: 'x', tag: 1 }], [{ tag: 'A:1:0' }], [{ value: 'x', tag: 't' }]];
    for (const bad of malformed) {
      assert.throws(() => registerMv.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('register_mv', [
      null,
      [],
      {},
      { rm: 'A:1:0' },
      { rm: [1] },
      { rm: ['t'] },
      { rm: [], set: 'x' },
      { rm: [], set: { value: 'x' } },
      { rm: [], set: { tag: OWN_TAG } },
      { rm: [], set: { value: 'x', tag: 3 } },
      { rm: [], set: { value: nested(5000), tag: OWN_TAG } },
      { rm: [], set: { value: OVERSIZED, tag: OWN_TAG } },
      { rm: [], set: { value: [Infinity], tag: OWN_TAG } },
    ]);
    assertEffectAccepted('register_mv', { rm: ['A:3:1'], set: { value: { deep: nested(10) }, tag: OWN_TAG } });
  });

  it('refuses an assign whose tag another replica or another transaction would mint', () => {
    assertEffectsRejected('register_mv', [
      { rm: [], set: { value: 'x', tag: 'A:1:0' } },
      { rm: [], set: { value: 'x', tag: 'other:0:0' } },
      { rm: [], set: { value: 'x', tag: 'other:11:0' } },
    ]);
  });

  describe('join', () => {
    it('keeps concurrent versions and drops the ones the other side overwrote', () => {
      const local = registerMv.decode([
        { value: 'old', tag: 'A:1:0' },
        { value: 'mine', tag: 'A:2:0' },
      ]);
      const remote = registerMv.decode([{ value: 'theirs', tag: 'B:1:0' }]);
      // B saw A:1 (and overwrote it), not A:2.
      const joined = registerMv.join(local, { A: 2 }, remote, { A: 1, B: 1 });
      assert.deepEqual(registerMv.value(joined), ['mine', 'theirs']);
      assert.deepEqual(registerMv.encode(registerMv.join(remote, { A: 1, B: 1 }, local, { A: 2 })), registerMv.encode(joined));
    });
  });
});
