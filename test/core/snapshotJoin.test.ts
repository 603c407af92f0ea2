import assert from 'node:assert/strict';
import { joinSnapshots, snapshotOverclaim } from '../../src/core/snapshotJoin';
import { Replica } from '../../src/core/replica';
import { keyOf, replicas, run, sync } from './helpers';

const awSet = keyOf('set_aw');
const counter = keyOf('counter_pn');
const flag = keyOf('flag_ew');

function withState(id: string, snapshot: ReturnType<Replica['exportState']>): Replica {
  const replica = new Replica(id);
  replica.importState(snapshot);
  return replica;
}

describe('joinSnapshots', () => {
  it('keeps what only the receiver has when the snapshot does not cover it', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, awSet, 'add', 'from-a');
    await run(b, awSet, 'add', 'only-b');
    await run(b, counter, 'increment', 5);
    const joined = withState('B', joinSnapshots(b.replica.exportState(), a.replica.exportState()));
    assert.deepEqual(joined.value(awSet), ['from-a', 'only-b']);
    assert.equal(joined.value(counter), 5);
    assert.deepEqual(joined.clock, { A: 1, B: 2 });
  });

  it('an empty snapshot that claims more history removes only what its clock covers', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, awSet, 'add', 'x');
    sync(a, b);
    await run(b, awSet, 'add', 'y');
    await run(b, flag, 'enable');
    await run(b, counter, 'increment', 7);
    const forged = { clock: { A: 1, evil: 3 }, objects: [] };
    const joined = withState('B', joinSnapshots(b.replica.exportState(), forged));
    // A's add of x is covered: as far as the join can tell, the sender saw it and removed it.
    assert.deepEqual(joined.value(awSet), ['y']);
    assert.equal(joined.value(flag), true);
    assert.equal(joined.value(counter), 7);
  });

  it('applies removals the snapshot has seen and the receiver has not', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, awSet, 'add', 'gone');
    await run(a, awSet, 'add', 'kept');
    sync(a, b);
    await run(a, awSet, 'remove', 'gone');
    const joined = withState('B', joinSnapshots(b.replica.exportState(), a.replica.exportState()));
    assert.deepEqual(joined.value(awSet), ['kept']);
  });

  it('is the same whichever side joins', async () => {
    const [a, b] = replicas('A', 'B');
    await run(a, awSet, 'add', 'p');
    await run(b, awSet, 'add', 'q');
    await run(a, counter, 'increment', 2);
    await run(b, counter, 'decrement', 9);
    const ab = joinSnapshots(a.replica.exportState(), b.replica.exportState());
    const ba = joinSnapshots(b.replica.exportState(), a.replica.exportState());
    for (const key of [awSet, counter]) assert.deepEqual(withState('X', ab).value(key), withState('X', ba).value(key));
  });

  it('refuses a snapshot that lists one object twice', () => {
    const object = { ...awSet, state: [] };
    assert.throws(() => joinSnapshots({ clock: {}, objects: [] }, { clock: { A: 1 }, objects: [object, object] }), /twice/);
  });
});

describe('snapshotOverclaim', () => {
  it('names a claim on more of our own history than we issued, and accepts the rest', () => {
    assert.match(snapshotOverclaim('B', { B: 2 }, { B: 3 }) ?? '', /up to 3, but it has only issued 2/);
    assert.equal(snapshotOverclaim('B', { B: 2 }, { B: 2, A: 9 }), undefined);
    assert.equal(snapshotOverclaim('B', {}, { A: 9 }), undefined);
  });
});
