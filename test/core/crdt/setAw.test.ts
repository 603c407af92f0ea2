import assert from 'node:assert/strict';
import { setAw } from '../../../src/core/crdt/setAw';
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

const set = keyOf('set_aw');

describe('set_aw', () => {
  describe('reference cases', () => {
    it('add foo → [foo]', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add', 'foo');
      assert.deepEqual(await valueAt(a, set), ['foo']);
    });

    it('add foo, remove foo → []', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add', 'foo');
      await run(a, set, 'remove', 'foo');
      assert.deepEqual(await valueAt(a, set), []);
    });

    it('add_all [foo, li, manu], remove_all [foo, li] → [manu]', async () => {
      const [a] = replicas('A');
      await run(a, set, 'add_all', 'foo', 'li', 'manu');
      await run(a, set, 'remove_all', 'foo', 'li');
      assert.deepEqual(await valueAt(a, set), ['manu']);
    });

    it('concurrent add foo at B while A removes its own earlier foo → [foo] everywhere', async () => {
      const [a, b, c] = replicas('A', 'B', 'C');
      await run(a, set, 'add', 'foo');
      await run(a, set, 'remove', 'foo');
      await run(b, set, 'add', 'foo');
      syncAll([a, b, c]);
      for (const r of [a, b, c]) assert.deepEqual(await valueAt(r, set), ['foo'], r.replica.id);
    });
  });

  it('starts empty', async () => {
    const [a] = replicas('A');
    assert.deepEqual(await valueAt(a, set), []);
  });

  it('treats removing an absent element as a no-op', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add', 'x');
    await run(a, set, 'remove', 'nope');
    await run(a, set, 'remove_all', 'nope', 'never');
    assert.deepEqual(await valueAt(a, set), ['x']);
  });

  it('keeps a concurrent add when B removes what it observed', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, set, 'add', 'x');
    sync(a, b);
    await run(b, set, 'remove', 'x');
    await run(a, set, 'add', 'x');
    syncAll([a, b]);
    for (const r of [a, b]) assert.deepEqual(await valueAt(r, set), ['x']);
  });

  it('removes an element when the remove observed every add', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, set, 'add', 'x');
    await run(b, set, 'add', 'x');
    syncAll([a, b, c]);
    await run(c, set, 'remove', 'x');
    syncAll([a, b, c]);
    for (const r of [a, b, c]) assert.deepEqual(await valueAt(r, set), []);
  });

  it('reset removes every observed element, but not a concurrent add', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, set, 'add_all', 'x', 'y');
    sync(a, b);
    await run(b, set, 'reset');
    await run(a, set, 'add', 'z');
    assert.deepEqual(await valueAt(b, set), []);
    syncAll([a, b]);
    for (const r of [a, b]) assert.deepEqual(await valueAt(r, set), ['z']);
  });

  it('holds JSON elements, sorted by canonical JSON text, without duplicates', async () => {
    const [a] = replicas('A');
    await run(a, set, 'add_all', { y: 1, x: 2 }, 2, 'b', 'b', [1]);
    await run(a, set, 'add', { x: 2, y: 1 });
    assert.deepEqual(await valueAt(a, set), ['b', 2, [1], { y: 1, x: 2 }]);
    await run(a, set, 'remove', { x: 2, y: 1 });
    assert.deepEqual(await valueAt(a, set), ['b', 2, [1]]);
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['add without an element', 'add', []],
      ['add with two elements', 'add', ['a', 'b']],
      ['remove without an element', 'remove', []],
      ['add_all without elements', 'add_all', []],
      ['remove_all without elements', 'remove_all', []],
      ['reset with an argument', 'reset', ['a']],
      ['an unknown operation', 'clear', []],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, set, 'add', 'kept');
        await assertRefused(a, [{ ...set, op, args }], InvalidInputError);
      });
    }
  });

  it('round-trips its state through encode/decode', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, set, 'add_all', 'x', { n: 1 });
    await run(b, set, 'add', 'x');
    syncAll([a, b]);
    assertEncodeRoundTrip(a, set);
  });

  it('refuses to decode malformed states', () => {
    for (const bad of [null, {}, [['x']], [['x', 'tag']], [['x', [1]]]] as Json[]) {
      assert.throws(() => setAw.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('set_aw', [
      null,
      [],
      { add: ['x'], rm: [] },
      { tag: 1, add: ['x'], rm: [] },
      { tag: 't', add: 'x', rm: [] },
      { tag: 't', add: [], rm: {} },
      { tag: 't', add: [], rm: [['x']] },
      { tag: 't', add: [], rm: [['x', 't1']] },
      { tag: 't', add: [], rm: [['x', [2]]] },
      { tag: 't', add: [], rm: ['x'] },
    ]);
  });
});
