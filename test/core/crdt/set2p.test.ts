import assert from 'node:assert/strict';
import { set2p } from '../../../src/core/crdt/set2p';
import { InvalidInputError, RejectedOperationError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { OVERSIZED, assertEffectAccepted, assertEffectsRejected, nested } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

const set = keyOf('set_2p');

describe('set_2p', () => {
  describe('reference cases', () => {
    it('remove never-added → error', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add', 'other');
      const removeGhost = { ...set, op: 'remove', args: ['ghost'] };
      await assertRefused(a, [removeGhost], RejectedOperationError, /"ghost".*not in the set/);
    });

    it('re-add after remove → error', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add', 'x');
      await run(a, set, 'remove', 'x');
      await assertRefused(a, [{ ...set, op: 'add', args: ['x'] }], RejectedOperationError, /"x".*never be added again/);
      assert.deepEqual(await valueAt(a, set), []);
    });

    it('add_all [new1, removed, new2] after removed was removed → [new1, new2]', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add', 'removed');
      await run(a, set, 'remove', 'removed');
      await run(a, set, 'add_all', 'new1', 'removed', 'new2');
      assert.deepEqual(await valueAt(a, set), ['new1', 'new2']);
    });
  });

  it('adds, and accepts adding a present element again', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add', 'b');
    await run(a, set, 'add', 'a');
    await run(a, set, 'add', 'a');
    assert.deepEqual(await valueAt(a, set), ['a', 'b']);
  });

  it('remove_all skips elements that are not in the set', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add_all', 'a', 'b');
    await run(a, set, 'remove_all', 'a', 'absent');
    assert.deepEqual(await valueAt(a, set), ['b']);
    await run(a, set, 'add', 'absent');
    assert.deepEqual(await valueAt(a, set), ['absent', 'b']);
  });

  it('a remove wins over a concurrent add of the same element', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, set, 'add', 'x');
    sync(a, b);
    await run(a, set, 'remove', 'x');
    await run(b, set, 'add', 'x');
    syncAll([c, b, a]);
    for (const r of [a, b, c]) assert.deepEqual(await valueAt(r, set), [], r.replica.id);
    await assertRefused(b, [{ ...set, op: 'add', args: ['x'] }], RejectedOperationError);
  });

  it('refuses a whole batch whose single-element op is refused', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add', 'x');
    await run(a, set, 'remove', 'x');
    await assertRefused(
      a,
      [
        { ...set, op: 'add', args: ['fresh'] },
        { ...set, op: 'add', args: ['x'] },
      ],
      RejectedOperationError,
      /operation 2/,
    );
    assert.deepEqual(await valueAt(a, set), []);
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['add without an element', 'add', []],
      ['add with two elements', 'add', ['a', 'b']],
      ['remove with two elements', 'remove', ['a', 'b']],
      ['add_all without elements', 'add_all', []],
      ['remove_all without elements', 'remove_all', []],
      ['reset (not a set_2p operation)', 'reset', []],
      ['an element nested 5000 levels deep', 'add_all', ['ok', nested(5000)]],
      ['an element over the size limit', 'remove', [OVERSIZED]],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, set, 'add', 'a');
        await assertRefused(a, [{ ...set, op, args }], InvalidInputError);
      });
    }
  });

  it('round-trips its state through encode/decode', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add_all', 'x', 'y', { z: [1] });
    await run(a, set, 'remove', 'y');
    assertEncodeRoundTrip(a, set);
    assert.deepEqual(a.replica.inspect(set), { added: ['x', { z: [1] }], removed: ['y'] });
  });

  it('refuses to decode malformed states', () => {
    for (const bad of [null, [], { added: [] }, { added: 'x', removed: [] }, { added: [], removed: {} }] as Json[]) {
      assert.throws(() => set2p.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('set_2p', [
      null,
      [],
      { add: [] },
      { remove: [] },
      { add: 'x', remove: [] },
      { add: [], remove: 3 },
      { add: [nested(5000)], remove: [] },
      { add: [], remove: [nested(5000)] },
      { add: [OVERSIZED], remove: [] },
      { add: [], remove: [{ n: Infinity }] },
    ]);
    assertEffectAccepted('set_2p', { add: ['x'], remove: [{ n: 1 }] });
    // A remove names an element already held, which may predate the size limit.
    assertEffectAccepted('set_2p', { add: [], remove: [OVERSIZED] });
  });

  describe('join', () => {
    it('is the union of adds minus the union of removes', () => {
      const local = set2p.decode({ added: ['a', 'b'], removed: ['c'] });
      const remote = set2p.decode({ added: ['a', 'd'], removed: ['b'] });
      const joined = set2p.join(local, { A: 2 }, remote, { B: 2 });
      assert.deepEqual(set2p.encode(joined), { added: ['a', 'd'], removed: ['b', 'c'] });
      assert.deepEqual(set2p.encode(local), { added: ['a', 'b'], removed: ['c'] });
    });
  });
});
