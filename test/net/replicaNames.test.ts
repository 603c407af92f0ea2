import assert from 'node:assert/strict';
import { MinidoteNode, ReplicaPresence } from '../../src/node/minidoteNode';
import { waitUntil } from '../support/waitFor';
import { Cluster, TestNode, subscribeAll } from './cluster';

/** Display names and presence across links: through a hub, along a chain, and across restarts. */
describe('net: replica names everywhere', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  beforeEach(() => (cluster = new Cluster()));
  afterEach(() => cluster.closeAll());

  const seenFrom = (node: MinidoteNode, id: string): ReplicaPresence | undefined => node.replicas().find((r) => r.id === id);

  async function until(nodes: TestNode[], condition: () => boolean, describe: () => unknown): Promise<void> {
    await waitUntil(condition, { describe: () => JSON.stringify(describe()), subscribe: (wake) => subscribeAll(nodes, wake) });
  }

  it('A and C, each connected only to a hub, learn each other’s names and see each other online through it', async () => {
    const hub = await cluster.start('hub', { displayName: 'Team hub' });
    const a = await cluster.start('ada-laptop', { displayName: 'Ada', peers: [hub.url] });
    const c = await cluster.start('cy-desktop', { displayName: 'Cy', peers: [hub.url] });
    const all = [hub, a, c];
    await until(
      all,
      () =>
        seenFrom(a.node, 'cy-desktop')?.online === 'via-peer' &&
        seenFrom(c.node, 'ada-laptop')?.online === 'via-peer' &&
        a.node.displayNameOf('cy-desktop') === 'Cy' &&
        c.node.displayNameOf('ada-laptop') === 'Ada',
      () => [a.node.replicas(), c.node.replicas()],
    );
    assert.deepEqual(seenFrom(a.node, 'cy-desktop')?.via, [{ id: 'hub', displayName: 'Team hub' }]);
    assert.deepEqual(seenFrom(c.node, 'ada-laptop')?.via, [{ id: 'hub', displayName: 'Team hub' }]);
    assert.equal(seenFrom(a.node, 'cy-desktop')?.seenBy, 'hub');
    assert.equal(seenFrom(a.node, 'hub')?.online, 'direct');
    assert.equal(a.node.displayNameOf('hub'), 'Team hub');
    // A and C never connected to each other.
    assert.ok(!a.node.status().peers.some((p) => p.id === 'cy-desktop'));

    // C leaves: A sees it offline, last seen by the hub when its link closed.
    const leftAt = Date.now();
    await cluster.stop(c);
    await until(
      [hub, a],
      () => seenFrom(a.node, 'cy-desktop')?.online === 'offline' && (seenFrom(a.node, 'cy-desktop')?.lastSeen ?? 0) >= leftAt - 1000,
      () => a.node.replicas(),
    );
    assert.equal(a.node.displayNameOf('cy-desktop'), 'Cy');
  });

  it('names travel along a chain A–B–C–D, and a renamed replica’s new name replaces the old one', async () => {
    const a = await cluster.start('chain-a', { displayName: 'Ann' });
    const b = await cluster.start('chain-b', { displayName: 'Ben', peers: [a.url] });
    const c = await cluster.start('chain-c', { displayName: 'Cat', peers: [b.url] });
    const d = await cluster.start('chain-d', { displayName: 'Dan', peers: [c.url] });
    const all = [a, b, c, d];
    await until(
      all,
      () => d.node.displayNameOf('chain-a') === 'Ann' && a.node.displayNameOf('chain-d') === 'Dan',
      () => [a.node.replicas(), d.node.replicas()],
    );
    assert.equal(seenFrom(d.node, 'chain-a')?.seenBy, 'chain-b');

    // D comes back under another name: the name seen last wins, at the other end of the chain too.
    await cluster.stop(d);
    const renamed = await cluster.start('chain-d', { dir: d.dir, displayName: 'Dana', peers: [c.url] });
    await until(
      [a, b, c, renamed],
      () => a.node.displayNameOf('chain-d') === 'Dana',
      () => a.node.replicas(),
    );
  });

  it('names survive a restart of the node, offline with when they were last seen', async () => {
    const hub = await cluster.start('restart-hub', { displayName: 'Hub' });
    const a = await cluster.start('restart-a', { displayName: 'Ada', peers: [hub.url] });
    const c = await cluster.start('restart-c', { displayName: 'Cy', peers: [hub.url] });
    await until(
      [hub, a, c],
      () => a.node.displayNameOf('restart-c') === 'Cy',
      () => a.node.replicas(),
    );
    await cluster.stop(a);
    const closedAt = Date.now();
    await cluster.stop(hub);
    await cluster.stop(c);

    const again = await cluster.start('restart-a', { dir: a.dir, displayName: 'Ada' });
    assert.equal(again.node.displayNameOf('restart-c'), 'Cy');
    assert.equal(again.node.displayNameOf('restart-hub'), 'Hub');
    const hubSeen = seenFrom(again.node, 'restart-hub');
    assert.equal(hubSeen?.online, 'offline');
    assert.equal(hubSeen?.seenBy, 'restart-a');
    assert.ok(
      hubSeen?.lastSeen !== null && hubSeen!.lastSeen! <= closedAt && hubSeen!.lastSeen! > closedAt - 30_000,
      JSON.stringify(hubSeen),
    );
    assert.equal(seenFrom(again.node, 'restart-c')?.online, 'offline');
  });

  it('a peer cannot rename this replica, and control characters in a handshake name are not shown', async () => {
    const a = await cluster.start('self-a', { displayName: 'Ada' });
    const b = await cluster.start('self-b', { displayName: 'Bob\u202e\u001b[2J', peers: [a.url] });
    await until(
      [a, b],
      () => seenFrom(a.node, 'self-b')?.online === 'direct',
      () => a.node.replicas(),
    );
    assert.equal(a.node.displayNameOf('self-b'), 'Bob [2J');
    assert.equal(a.node.status().peers[0].displayName, 'Bob [2J');
    assert.equal(a.node.displayNameOf('self-a'), 'Ada');
    assert.equal(seenFrom(a.node, 'self-a'), undefined);
  });
});
