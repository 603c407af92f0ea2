import assert from 'node:assert/strict';
import { flagEw } from '../../../src/core/crdt/flagEw';
import { InvalidInputError } from '../../../src/core/errors';
import { Json } from '../../../src/core/json';
import { OWN_TAG, assertEffectAccepted, assertEffectsRejected } from './effects';
import { assertEncodeRoundTrip, assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from '../helpers';

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
    for (const bad of [null, true, {}, [1], [null], ['t'], ['A:0:0'], ['A:1:0:0']] as Json[]) {
      assert.throws(() => flagEw.decode(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('rejects malformed effects', () => {
    assertEffectsRejected('flag_ew', [
      null,
      true,
      [],
      {},
      { rm: 'A:1:0' },
      { rm: [1] },
      { rm: ['t'] },
      { rm: [], enable: 1 },
      { rm: [], enable: null },
    ]);
    assertEffectAccepted('flag_ew', { rm: ['A:1:0'], enable: OWN_TAG });
    assertEffectAccepted('flag_ew', { rm: ['A:1:0'] });
  });

  it('refuses an enable whose tag another replica or another transaction would mint', () => {
    assertEffectsRejected('flag_ew', [
      { rm: [], enable: 'A:1:0' },
      { rm: [], enable: 'other:7:0' },
      { rm: [], enable: 't' },
    ]);
  });

  describe('join', () => {
    it('keeps enables the other side has not seen, drops those it has seen and disabled', () => {
      const local = new Set(['A:1:0', 'A:2:0']);
      const remote = new Set(['B:1:0']);
      const joined = flagEw.join(local, { A: 2 }, remote, { A: 1, B: 1 });
      assert.deepEqual(flagEw.encode(joined), ['A:2:0', 'B:1:0']);
      assert.deepEqual([...local], ['A:1:0', 'A:2:0']);
    });

    it('turns the flag off when the other side disabled every enable this side has', () => {
      const joined = flagEw.join(new Set(['A:1:0']), { A: 1 }, new Set(), { A: 1, B: 1 });
      assert.equal(flagEw.value(joined), false);
    });
  });
});
