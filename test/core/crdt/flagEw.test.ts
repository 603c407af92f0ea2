import assert from 'node:assert/strict';
import { flagEw } from '../../../src/core/crdt/flagEw';
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

const flag = keyOf('flag_ew');

describe('flag_ew', () => {
  describe('reference cases', () => {
    it('new → false', async () => {
      const [a] = replicas('A');
      assert.equal(await valueAt(a, flag), false);
    });

    it('enable → true', async () => {
      const [a] = replicas('A');
      await run(a, flag, 'enable');
      assert.equal(await valueAt(a, flag), true);
    });

    it('reset → false', async () => {
      const [a] = replicas('A');
      await run(a, flag, 'enable');
      await run(a, flag, 'reset');
      assert.equal(await valueAt(a, flag), false);
    });

    it('concurrent enable at A and disable at B (B had seen an older enable) → true everywhere', async () => {
      const [a, b, c] = replicas('A', 'B', 'C');
      await run(a, flag, 'enable');
      sync(a, b);
      await run(a, flag, 'enable');
      await run(b, flag, 'disable');
      assert.equal(await valueAt(b, flag), false);
      syncAll([b, a, c]);
      for (const r of [a, b, c]) assert.equal(await valueAt(r, flag), true, r.replica.id);
    });
  });

  it('disable turns it off', async () => {
    const [a] = replicas('A');
    await run(a, flag, 'enable');
    await run(a, flag, 'disable');
    assert.equal(await valueAt(a, flag), false);
  });

  it('a disable that observed every enable turns it off everywhere', async () => {
    const [a, b, c] = replicas('A', 'B', 'C');
    await run(a, flag, 'enable');
    await run(b, flag, 'enable');
    syncAll([a, b, c]);
    await run(c, flag, 'disable');
    syncAll([a, b, c]);
    for (const r of [a, b, c]) assert.equal(await valueAt(r, flag), false);
  });

  it('an enable concurrent with a reset wins', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, flag, 'enable');
    sync(a, b);
    await run(b, flag, 'reset');
    await run(a, flag, 'enable');
    syncAll([a, b]);
    for (const r of [a, b]) assert.equal(await valueAt(r, flag), true);
  });

  describe('argument validation', () => {
    const cases: [string, string, Json[]][] = [
      ['enable with an argument', 'enable', [true]],
      ['disable with an argument', 'disable', ['x']],
      ['reset with an argument', 'reset', [1]],
      ['an unknown operation', 'toggle', []],
    ];
    for (const [what, op, args] of cases) {
      it(`refuses ${what} with InvalidInputError and changes nothing`, async () => {
        const [a] = replicas('A');
        await run(a, flag, 'enable');
        await assertRefused(a, [{ ...flag, op, args }], InvalidInputError);
        assert.equal(await valueAt(a, flag), true);
      });
    }
  });

  it('round-trips its state through encode/decode', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, flag, 'enable');
    await run(b, flag, 'enable');
    syncAll([a, b]);
    assertEncodeRoundTrip(a, flag);
  });

  it('refuses to decode malformed states', () => {
    for (const bad of [null, true, {}, [1], [null]] as Json[]) {
      assert.throws(() => flagEw.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('flag_ew', [
      null,
      true,
      [],
      {},
      { rm: 't' },
      { rm: [1] },
      { rm: [], enable: 1 },
      { rm: [], enable: null },
    ]);
  });
});
