import assert from 'node:assert/strict';
import { setAw } from '../../../src/core/crdt/setAw';
import { InvalidInputError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { MAX_JSON_DEPTH } from '../../../src/core/json';
import { OVERSIZED, OWN_TAG, assertEffectAccepted, assertEffectsRejected, nested, shortText } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

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
      ['an element nested 5000 levels deep', 'add', [nested(5000)]],
      [`an element nested ${MAX_JSON_DEPTH + 1} levels deep`, 'add_all', ['ok', nested(MAX_JSON_DEPTH + 1)]],
      ['an element over the size limit', 'add', [OVERSIZED]],
      ['a non-finite number', 'add', [Infinity]],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, set, 'add', 'kept');
        await assertRefused(a, [{ ...set, op, args }], InvalidInputError);
      });
    }
  });

  it(`accepts an element nested ${MAX_JSON_DEPTH} levels deep`, async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, set, 'add', nested(MAX_JSON_DEPTH));
    sync(a, b);
    assert.deepEqual(await valueAt(b, set), [nested(MAX_JSON_DEPTH)]);
  });

  it('round-trips its state through encode/decode', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, set, 'add_all', 'x', { n: 1 });
    await run(b, set, 'add', 'x');
    syncAll([a, b]);
    assertEncodeRoundTrip(a, set);
  });

  it('refuses to decode malformed states', () => {
    const malformed: Json[] = [
      null,
      {},
      [['x']],
      [['x', 'tag']],
      [['x', [1]]],
      [['x', ['A:1']]],
      [['x', ['A:01:0']]],
      [[nested(5000), ['A:1:0']]],
    ];
    for (const bad of malformed) {
      assert.throws(() => setAw.decode(bad), InvalidInputError, shortText(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('set_aw', [
      null,
      [],
      { add: ['x'], rm: [] },
      { tag: 1, add: ['x'], rm: [] },
      { tag: OWN_TAG, add: 'x', rm: [] },
      { tag: OWN_TAG, add: [], rm: {} },
      { tag: OWN_TAG, add: [], rm: [['x']] },
      { tag: OWN_TAG, add: [], rm: [['x', 'A:1:0']] },
      { tag: OWN_TAG, add: [], rm: [['x', [2]]] },
      { tag: OWN_TAG, add: [], rm: ['x'] },
      // Tags in a remove must be well formed.
      { tag: OWN_TAG, add: [], rm: [['x', ['t']]] },
      { tag: OWN_TAG, add: [], rm: [['x', ['A:1']]] },
      { tag: OWN_TAG, add: [], rm: [['x', ['has space:1:0']]] },
      // Elements must be bounded JSON.
      { tag: OWN_TAG, add: [nested(5000)], rm: [] },
      { tag: OWN_TAG, add: [nested(MAX_JSON_DEPTH + 1)], rm: [] },
      { tag: OWN_TAG, add: [OVERSIZED], rm: [] },
      { tag: OWN_TAG, add: [Infinity], rm: [] },
      { tag: OWN_TAG, add: [], rm: [[nested(5000), ['A:1:0']]] },
    ]);
    assertEffectAccepted('set_aw', { tag: OWN_TAG, add: ['x', nested(MAX_JSON_DEPTH)], rm: [['y', ['A:1:0']]] });
  });

  it('accepts a remove (as a reset makes) of an element stored before the size limit existed', async () => {
    const [a, b] = replicas('A', 'B');
    for (const r of [a, b]) r.replica.importState({ clock: { A: 1 }, objects: [{ ...set, state: [[OVERSIZED, ['A:1:0']]] }] });
    await run(a, set, 'reset');
    sync(a, b);
    for (const r of [a, b]) assert.deepEqual(await valueAt(r, set), []);
  });

  it('refuses an add whose tag another replica or another transaction would mint', () => {
    assertEffectsRejected('set_aw', [
      { tag: 'A:1:0', add: ['x'], rm: [] },
      { tag: 'other:2:0', add: ['x'], rm: [] },
      { tag: 'other-x:1:0', add: ['x'], rm: [] },
      { tag: 'other:1:', add: ['x'], rm: [] },
    ]);
  });

  describe('join', () => {
    const state = (entries: [Json, string[]][]) => setAw.decode(entries);
    const encoded = (s: ReturnType<typeof state>) => setAw.encode(s);

    it('keeps an add the other side has not seen, and drops one it has seen and removed', () => {
      const local = state([
        ['x', ['A:1:0']],
        ['y', ['A:2:0']],
      ]);
      const remote = state([['z', ['B:1:0']]]);
      // The remote side saw A:1 (and removed x) but not A:2.
      const joined = setAw.join(local, { A: 2 }, remote, { A: 1, B: 1 });
      assert.deepEqual(encoded(joined), [
        ['y', ['A:2:0']],
        ['z', ['B:1:0']],
      ]);
    });

    it('keeps tags present on both sides and merges the tags of one element', () => {
      const local = state([['x', ['A:1:0', 'A:2:0']]]);
      const remote = state([['x', ['A:1:0', 'B:1:0']]]);
      const joined = setAw.join(local, { A: 2 }, remote, { A: 1, B: 1 });
      assert.deepEqual(encoded(joined), [['x', ['A:1:0', 'A:2:0', 'B:1:0']]]);
    });

    it('does not change its arguments', () => {
      const local = state([['x', ['A:1:0']]]);
      const remote = state([['x', ['B:1:0']]]);
      const joined = setAw.join(local, { A: 1 }, remote, { B: 1 });
      setAw.apply(joined, { tag: 'C:1:0', add: ['x'], rm: [['x', ['A:1:0']]] }, 'C');
      assert.deepEqual(encoded(local), [['x', ['A:1:0']]]);
      assert.deepEqual(encoded(remote), [['x', ['B:1:0']]]);
    });
  });
});
