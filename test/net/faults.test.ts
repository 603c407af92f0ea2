import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectKey } from '../../src/core/transaction';
import { Cluster, TestNode, key, subscribeAll } from './cluster';
import { FaultProxy, NO_FAULTS } from './faultProxy';
import { waitUntil } from '../support/waitFor';

const SEED = Number(process.env.MINIDOTE_SEED ?? 20261127);
const counter = key('counter_pn', 'faults', 'hits');
const set = key('set_aw', 'faults', 'seen');

interface Ring {
  nodes: TestNode[];
  proxies: FaultProxy[];
}

/** Three nodes in a ring, every link through a fault-injecting proxy. */
async function ring(cluster: Cluster, prefix: string, seed: number): Promise<Ring> {
  const nodes = [await cluster.start(`${prefix}A`), await cluster.start(`${prefix}B`), await cluster.start(`${prefix}C`)];
  const proxies: FaultProxy[] = [];
  for (const [i, { node }] of nodes.entries()) {
    const proxy = await FaultProxy.start(nodes[(i + 1) % nodes.length].url, seed + i);
    proxies.push(proxy);
    node.connectPeer(proxy.url);
  }
  // Writes must travel the faulty links live, not only in the first exchange after connecting.
  await waitUntil(() => nodes.every(({ node }) => node.status().peers.filter((p) => p.connected).length === 2), {
    subscribe: (wake) => subscribeAll(nodes, wake),
  });
  return { nodes, proxies };
}

/**
 * Two snapshots in a row: compaction keeps the log since the older of the two newest snapshots, so
 * this drops the whole history without depending on when the automatic snapshots ran.
 */
async function compactNow({ node }: TestNode): Promise<void> {
  await node.storage.writeSnapshot();
  await node.storage.writeSnapshot();
}

describe('net: fault injection', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let proxies: FaultProxy[] = [];
  beforeEach(() => {
    cluster = new Cluster();
    proxies = [];
  });
  afterEach(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await cluster.closeAll();
  });

  async function expectAll(nodes: TestNode[], keys: ObjectKey[], expected: unknown[]): Promise<void> {
    await cluster.converged(keys, 30_000, nodes);
    for (const { node } of nodes) assert.deepEqual(keys.map((k) => node.replica.value(k)), expected);
  }

  it('converges under random drop, duplicate, reorder and delay, losing no acknowledged write', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          drop: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
          duplicate: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
          reorder: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
          delay: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
          delayMs: fc.integer({ min: 1, max: 40 }),
        }),
        fc.array(fc.record({ at: fc.nat(2), amount: fc.integer({ min: 1, max: 9 }) }), { minLength: 5, maxLength: 40 }),
        async (faults, ops) => {
          const r = await ring(cluster, `f${run++}`, SEED);
          proxies.push(...r.proxies);
          for (const p of r.proxies) p.faults = faults;
          for (const [i, op] of ops.entries()) {
            await r.nodes[op.at].node.update([
              { ...counter, op: 'increment', args: [op.amount] },
              { ...set, op: 'add', args: [`e${i}`] },
            ]);
            // Let the broadcast reach the faulty links while writes go on.
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          // Heartbeats keep flowing through the faults for a while: resends must cope with them too.
          await new Promise((resolve) => setTimeout(resolve, 500));
          for (const p of r.proxies) p.faults = NO_FAULTS;
          const dropped = r.proxies.reduce((n, p) => n + p.injected.dropped, 0);
          assert.ok(dropped > 0, 'the proxies dropped messages');
          const sum = ops.reduce((s, o) => s + o.amount, 0);
          const elements = ops.map((_, i) => `e${i}`).sort();
          await expectAll(r.nodes, [counter, set], [sum, elements]);
          await Promise.all(r.nodes.map((n) => cluster.stop(n)));
        },
      ),
      { seed: SEED, numRuns: 4, endOnFailure: true },
    );
  });

  it('partitions that later heal: both sides keep writing and converge', async () => {
    const r = await ring(cluster, 'part', SEED);
    proxies.push(...r.proxies);
    const [a, b, c] = r.nodes;
    await a.node.update([{ ...set, op: 'add', args: ['before'] }]);
    await cluster.converged([set]);
    // Cut A off from B and C (A dials B through proxy 0; C dials A through proxy 2).
    r.proxies[0].partition();
    r.proxies[2].partition();
    await a.node.update([{ ...set, op: 'remove', args: ['before'] }, { ...counter, op: 'increment', args: [10] }]);
    await b.node.update([{ ...set, op: 'add', args: ['during-b'] }, { ...counter, op: 'increment', args: [1] }]);
    await c.node.update([{ ...set, op: 'add', args: ['before'] }]);
    await cluster.converged([set, counter], 20_000, [b, c]);
    assert.equal(a.node.replica.value(counter), 10);
    r.proxies[0].heal();
    r.proxies[2].heal();
    // C's concurrent add of "before" wins over A's remove (add-wins).
    await expectAll(r.nodes, [set, counter], [['before', 'during-b'], 11]);
  });

  it('a replica down for a while comes back from its directory and catches up', async () => {
    const a = await cluster.start('downA');
    const b = await cluster.start('downB', { peers: [a.url] });
    await b.node.update([{ ...counter, op: 'increment', args: [1] }]);
    await cluster.converged([counter]);
    const dir = b.dir;
    await cluster.stop(b);
    for (let i = 0; i < 50; i++) await a.node.update([{ ...counter, op: 'increment', args: [2] }]);
    const back = await cluster.start('downB', { dir, peers: [a.url] });
    await expectAll([a, back], [counter], [101]);
  });

  it('bootstraps a new empty replica after thousands of transactions, from a snapshot', async function () {
    this.timeout(120_000);
    const a = await cluster.start('bootA', { snapshotEvery: 500 });
    const tags = key('set_aw', 'boot', 'tags');
    for (let i = 0; i < 3000; i++) {
      await a.node.update([{ ...counter, op: 'increment' }, { ...tags, op: 'add', args: [`t${i % 100}`] }]);
    }
    await compactNow(a);
    assert.ok(a.node.storage.stats().logRecords < 3000, `the log was compacted: ${JSON.stringify(a.node.storage.stats())}`);
    const fresh = await cluster.start('bootB', { peers: [a.url] });
    await expectAll([a, fresh], [counter], [3000]);
    assert.equal((fresh.node.replica.value(tags) as string[]).length, 100);
    // The new replica's own writes after bootstrap reach the old one.
    await fresh.node.update([{ ...counter, op: 'decrement', args: [5] }]);
    await expectAll([a, fresh], [counter], [2995]);
  });

  it('a replica that missed a long history catches up from a snapshot when that is smaller', async () => {
    const said: string[] = [];
    const a = await cluster.start('gapA', { log: (_level, message) => said.push(message) });
    const b = await cluster.start('gapB', { peers: [a.url] });
    await b.node.update([{ ...set, op: 'add', args: ['b-was-here'] }]);
    await expectAll([a, b], [set], [['b-was-here']]);
    const dir = b.dir;
    await cluster.stop(b);
    for (let i = 0; i < 1500; i++) await a.node.update([{ ...counter, op: 'increment' }]);
    const back = await cluster.start('gapB', { dir, peers: [a.url] });
    await expectAll([a, back], [counter, set], [1500, ['b-was-here']]);
    assert.ok(said.some((m) => /sent gapB a snapshot/.test(m)), 'the catch-up used a snapshot');
    // Its log was not compacted: a short gap still travels as transactions.
    await back.node.update([{ ...counter, op: 'decrement', args: [500] }]);
    await expectAll([a, back], [counter], [1000]);
  });

  it('a replica restored from an old backup gets its own transactions back before it writes again', async () => {
    const b = await cluster.start('backupB');
    const a = await cluster.start('backupA', { peers: [b.url] });
    for (let i = 0; i < 3; i++) await a.node.update([{ ...counter, op: 'increment' }]);
    await expectAll([a, b], [counter], [3]);
    await cluster.stop(a);
    // Same id, empty directory: the "backup" predates all its transactions. The link lets the
    // handshake through (so it learns what B has of it) but loses everything after it.
    const proxy = await FaultProxy.start(b.url, SEED);
    proxies.push(proxy);
    proxy.faults = { ...NO_FAULTS, drop: 1 };
    const restored = await cluster.start('backupA', { peers: [proxy.url] });
    await waitUntil(() => restored.node.status().peers.some((p) => p.connected), {
      subscribe: (wake) => subscribeAll([restored], wake),
    });
    const increment10 = [{ ...counter, op: 'increment', args: [10] }];
    await assert.rejects(restored.node.update(increment10, undefined, 300), /restored from an old backup/);
    assert.equal(restored.node.replica.value(counter), 0, 'nothing was written meanwhile');
    proxy.faults = NO_FAULTS;
    const clock = await restored.node.update(increment10);
    assert.equal(clock.backupA, 4, 'the new transaction follows the ones peers already had');
    await expectAll([restored, b], [counter], [13]);
  });

  it('a replica with its own unsent writes keeps them when it is bootstrapped from a snapshot', async () => {
    const a = await cluster.start('keepA', { snapshotEvery: 100 });
    const b = await cluster.start('keepB');
    await b.node.update([{ ...set, op: 'add', args: ['only-on-b'] }]);
    for (let i = 0; i < 400; i++) await a.node.update([{ ...counter, op: 'increment' }]);
    await compactNow(a);
    assert.ok(a.node.storage.stats().logRecords < 400, 'the log was compacted');
    b.node.connectPeer(a.url);
    await expectAll([a, b], [counter, set], [400, ['only-on-b']]);
  });
});
