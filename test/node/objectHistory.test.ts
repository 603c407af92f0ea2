import assert from 'node:assert/strict';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { newestLogged } from '../../src/node/objectHistory';
import { Cluster, key } from '../net/cluster';
import { tempDir } from '../support/tempDir';

const freeze = key('flag_ew', 'ops', 'deploy-freeze');
const theme = key('register_mv', 'config', 'theme');
const cart = key('set_aw', 'shop', 'cart');

describe('who changed what, and the history of an object', function () {
  this.timeout(30_000);
  const cluster = new Cluster();
  const dirs: { cleanup(): void }[] = [];
  const open = (dataDir: string) => MinidoteNode.open({ dataDir, id: 'alice', displayName: 'Alice', fsync: 'never' });

  afterEach(async () => {
    await cluster.closeAll();
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('knows the last change to each object, with its author, time and operation, also after a restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let node = await open(dir.path);
    await node.update([{ ...cart, op: 'add', args: ['apples'] }]);
    const before = Date.now();
    await node.update([
      { ...freeze, op: 'enable' },
      { ...cart, op: 'remove', args: ['apples'] },
    ]);
    const last = node.lastChange(freeze);
    assert.equal(last?.origin, 'alice');
    assert.equal(last?.op, 'enabled');
    assert.ok(last && last.at >= before);
    assert.deepEqual(last?.clock, { alice: 2 });
    assert.equal(node.lastChange(cart)?.op, 'removed "apples"');
    assert.equal(node.lastChange(theme), undefined, 'never written');
    await node.update([{ ...freeze, op: 'disable' }]);
    assert.equal(node.lastChange(freeze)?.op, 'disabled', 'a delivery after the first question updates it');
    await node.close();

    node = await open(dir.path);
    assert.equal(node.lastChange(freeze)?.op, 'disabled', 'restored from the log');
    assert.equal(node.lastChange(cart)?.op, 'removed "apples"');
    assert.equal(node.displayNameOf('alice'), 'Alice');
    assert.equal(node.displayNameOf('zed'), 'zed', 'an unknown replica shows as its id');
    await node.close();
  });

  it('names both writers of concurrent changes, and who is known to the node by name', async () => {
    const alice = await cluster.start('alice', { displayName: 'Alice' });
    const bob = await cluster.start('bob', { displayName: 'Bob' });
    await alice.node.update([{ ...freeze, op: 'enable' }]);
    await bob.node.update([{ ...freeze, op: 'enable' }]);
    await bob.node.update([{ ...freeze, op: 'disable' }]);
    bob.node.connectPeer(alice.url);
    await cluster.converged([freeze]);
    assert.equal(alice.node.value(freeze), true, 'enable wins');
    const last = alice.node.lastChange(freeze);
    assert.ok(last);
    // Alice delivered her own enable first, then Bob's two changes: his disable had not seen her enable.
    assert.equal(last.origin, 'bob');
    assert.equal(last.op, 'disabled');
    assert.deepEqual(
      last.concurrent.map((c) => [c.origin, c.op]),
      [['alice', 'enabled']],
    );
    assert.equal(alice.node.displayNameOf('bob'), 'Bob');
    await alice.node.update([{ ...freeze, op: 'disable' }]);
    assert.deepEqual(alice.node.lastChange(freeze)?.concurrent, [], 'a change that saw them all ends the conflict');
  });

  it('lists the transactions that touched an object, newest first, and replays its value as of each', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const node = await open(dir.path);
    await node.update([{ ...theme, op: 'assign', args: ['dark'] }]);
    await node.update([{ ...cart, op: 'add', args: ['milk'] }]);
    await node.update([{ ...theme, op: 'assign', args: ['light'] }]);
    await node.update([{ ...theme, op: 'assign', args: ['solarized'] }]);
    const history = node.history(theme);
    assert.equal(history.unavailableBefore, null);
    assert.deepEqual(
      history.entries.map((e) => [e.op, e.clock]),
      [
        ['assigned "solarized"', { alice: 4 }],
        ['assigned "light"', { alice: 3 }],
        ['assigned "dark"', { alice: 1 }],
      ],
    );
    assert.deepEqual(node.valueAsOf(theme, { origin: 'alice', seq: 1 }), ['dark']);
    assert.deepEqual(node.valueAsOf(theme, { origin: 'alice', seq: 3 }), ['light']);
    assert.equal(node.valueAsOf(theme, { origin: 'alice', seq: 2 }), undefined, 'that transaction did not touch the theme');
    assert.equal(node.valueAsOf(theme, { origin: 'alice', seq: 9 }), undefined, 'no such transaction');
    await node.close();
  });

  it('says history is unavailable before the oldest state once the log was compacted, instead of guessing', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let node = await open(dir.path);
    await node.update([{ ...theme, op: 'assign', args: ['dark'] }]);
    await node.writeSnapshot();
    await node.update([{ ...theme, op: 'assign', args: ['light'] }]);
    await node.writeSnapshot();
    await node.close();
    node = await open(dir.path);
    await node.update([{ ...theme, op: 'assign', args: ['solarized'] }]);
    const history = node.history(theme);
    assert.deepEqual(history.unavailableBefore, { alice: 2 });
    assert.deepEqual(
      history.entries.map((e) => e.op),
      ['assigned "solarized"'],
    );
    assert.equal(node.valueAsOf(theme, { origin: 'alice', seq: 3 }), undefined, 'no replay without the state it starts from');
    assert.equal(node.lastChange(theme)?.op, 'assigned "solarized"', 'deliveries since the start are still known');
    await node.close();
  });
});

describe('newestLogged', () => {
  const txn = (origin: string, clock: Record<string, number>) => ({ origin, clock, at: 0, effects: [] });
  const log = [txn('a', { a: 1 }), txn('b', { a: 1, b: 1 }), txn('a', { a: 2, b: 1 }), txn('c', { c: 1 })];

  it('keeps the newest transactions, and a base that covers the ones left out', () => {
    const kept = newestLogged({ base: null, transactions: log }, 2);
    assert.deepEqual(kept.transactions, log.slice(2));
    assert.deepEqual(kept.base, { a: 1, b: 1 });
    assert.deepEqual(newestLogged({ base: { z: 4 }, transactions: log }, 1).base, { z: 4, a: 2, b: 1 });
  });

  it('keeps the base as it is when nothing is left out', () => {
    const kept = newestLogged({ base: null, transactions: log }, 10);
    assert.equal(kept.base, null);
    assert.deepEqual(kept.transactions, log);
  });
});
