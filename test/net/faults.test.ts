import assert from 'node:assert/strict';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import fc from 'fast-check';
import WebSocket, { WebSocketServer } from 'ws';
import { ObjectKey } from '../../src/core/transaction';
import { Cluster, TestNode, key, subscribeAll } from './cluster';
import { FaultCounts, FaultKind, FaultProxy, Faults, NO_FAULTS, addFaultCounts, noFaultCounts } from './faultProxy';
import { waitUntil } from '../support/waitFor';

/** Seeds fast-check and, through it, every proxy's fault generators: one value replays a run. */
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

function injectedBy(proxies: readonly FaultProxy[]): FaultCounts {
  return proxies.reduce((sum, p) => addFaultCounts(sum, p.injected), noFaultCounts());
}

describe('net: fault injection', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let proxies: FaultProxy[] = [];
  beforeEach(() => {
    cluster = new Cluster();
    proxies = [];
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`  fault injection: reproduce with MINIDOTE_SEED=${SEED} (fast-check and every proxy derive their faults from it)`);
    }
    await Promise.all(proxies.map((p) => p.close()));
    await cluster.closeAll();
  });

  async function expectAll(nodes: TestNode[], keys: ObjectKey[], expected: unknown[]): Promise<void> {
    await cluster.converged(keys, 30_000, nodes);
    for (const { node } of nodes)
      assert.deepEqual(
        keys.map((k) => node.replica.value(k)),
        expected,
      );
  }

  it('converges while drops, duplicates, reorders and delays go on, losing no acknowledged write', async function () {
    this.timeout(180_000);
    let run = 0;
    const probability = (max: number) => fc.double({ min: 0.1, max, noNaN: true });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          drop: probability(0.3),
          duplicate: probability(0.3),
          reorder: probability(0.3),
          delay: probability(0.5),
          delayMs: fc.integer({ min: 1, max: 40 }),
        }),
        fc.array(fc.record({ at: fc.nat(2), amount: fc.integer({ min: 1, max: 9 }) }), { minLength: 5, maxLength: 40 }),
        fc.nat(),
        async (faults: Faults, ops, proxySeed) => {
          const r = await ring(cluster, `f${run++}`, proxySeed);
          try {
            for (const p of r.proxies) p.faults = faults;
            for (const [i, op] of ops.entries()) {
              await r.nodes[op.at].node.update([
                { ...counter, op: 'increment', args: [op.amount] },
                { ...set, op: 'add', args: [`e${i}`] },
              ]);
              // Let the broadcast reach the faulty links while writes go on.
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            // The faults stay on: resends and heartbeats must get every write through them.
            const sum = ops.reduce((s, o) => s + o.amount, 0);
            const elements = ops.map((_, i) => `e${i}`).sort();
            await expectAll(r.nodes, [counter, set], [sum, elements]);
            const beforeConvergence = injectedBy(r.proxies);
            assert.ok(
              Object.values(beforeConvergence).some((n) => n > 0),
              'faults hit the writes on their way',
            );
            // Heartbeats keep crossing the faults: go on until every kind of fault has happened, and
            // the replicas must still agree.
            await waitUntil(() => Object.values(injectedBy(r.proxies)).every((n) => n > 0), {
              timeoutMs: 10_000,
              describe: () => `not every kind of fault happened: ${JSON.stringify(injectedBy(r.proxies))}`,
            });
            await expectAll(r.nodes, [counter, set], [sum, elements]);
          } finally {
            for (const p of r.proxies) await p.close();
            await Promise.all(r.nodes.map((n) => cluster.stop(n)));
          }
        },
      ),
      // Shrinking runs real clusters: bounded, it still reports the smallest failure found in time.
      { seed: SEED, numRuns: 4, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
    );
  });

  const bootstraps: { shape: string; batches: number; forced: FaultKind[] }[] = [
    // Lost whole, it must come again on the same link; duplicated, installed once.
    { shape: 'in one piece, lost and then duplicated', batches: 4, forced: ['drop', 'duplicate'] },
    // A faulty piece spoils the whole text: the link is dropped and the transfer starts again.
    // Each fault but the last spoils a transfer, so the next one meets the next fault.
    {
      shape: 'in several pieces, dropped, duplicated, reordered and delayed',
      batches: 40,
      forced: ['reorder', 'drop', 'reorder', 'duplicate', 'delay'],
    },
  ];
  for (const { shape, batches, forced } of bootstraps) {
    it(`a late replica bootstraps from a snapshot sent ${shape}, while faults go on`, async () => {
      const said: string[] = [];
      const a = await cluster.start('lateA', { snapshotEvery: 100, log: (_level, message) => said.push(message) });
      const tags = key('set_aw', 'late', 'tags');
      // 500 elements of ~60 bytes per batch: a snapshot piece holds 512 K characters.
      for (let batch = 0; batch < batches; batch++) {
        const names = Array.from({ length: 500 }, (_, i) => `tag-${String(batch * 500 + i).padStart(6, '0')}-${'x'.repeat(20)}`);
        await a.node.update([
          { ...counter, op: 'increment' },
          { ...tags, op: 'add_all', args: names },
        ]);
      }
      await compactNow(a);
      assert.ok(a.node.storage.stats().logRecords < batches, `the log was compacted: ${JSON.stringify(a.node.storage.stats())}`);
      const proxy = await FaultProxy.start(a.url, SEED);
      proxies.push(proxy);
      proxy.faults = { drop: 0.05, duplicate: 0.05, reorder: 0.05, delay: 0.2, delayMs: 30 };
      proxy.forceOnSnapshots(...forced);
      const late = await cluster.start('lateB', { peers: [proxy.url] });
      // Writes go on at the old replica during the transfer, through the same faults.
      for (let i = 0; i < 10; i++) await a.node.update([{ ...counter, op: 'increment', args: [10] }]);
      await expectAll([a, late], [counter], [batches + 100]);
      assert.equal((late.node.replica.value(tags) as string[]).length, batches * 500);
      const { messages, faults } = proxy.snapshots;
      const sent = said.filter((m) => /sent lateB a snapshot/.test(m)).length;
      const seen = `${messages} snapshot messages, ${sent} snapshots sent, faults on them: ${JSON.stringify(faults)}`;
      assert.ok(faults.dropped >= 1 && faults.duplicated >= 1, seen);
      if (forced.includes('reorder')) assert.ok(faults.reordered + faults.delayed >= 2, seen);
      assert.ok(sent >= 2, `the snapshot was sent again: ${seen}`);
      // The link keeps working under its faults after the bootstrap, both ways.
      await late.node.update([{ ...counter, op: 'decrement', args: [40] }]);
      await expectAll([a, late], [counter], [batches + 60]);
    });
  }

  it('partitions that later heal: both sides keep writing and converge', async () => {
    const r = await ring(cluster, 'part', SEED);
    proxies.push(...r.proxies);
    const [a, b, c] = r.nodes;
    await a.node.update([{ ...set, op: 'add', args: ['before'] }]);
    await cluster.converged([set]);
    // Cut A off from B and C (A dials B through proxy 0; C dials A through proxy 2).
    r.proxies[0].partition();
    r.proxies[2].partition();
    await a.node.update([
      { ...set, op: 'remove', args: ['before'] },
      { ...counter, op: 'increment', args: [10] },
    ]);
    await b.node.update([
      { ...set, op: 'add', args: ['during-b'] },
      { ...counter, op: 'increment', args: [1] },
    ]);
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
      await a.node.update([
        { ...counter, op: 'increment' },
        { ...tags, op: 'add', args: [`t${i % 100}`] },
      ]);
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
    assert.ok(
      said.some((m) => /sent gapB a snapshot/.test(m)),
      'the catch-up used a snapshot',
    );
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

describe('net: the fault proxy (test tool)', () => {
  const EACH_WAY = 60;

  /**
   * Sends EACH_WAY messages each way through a fresh proxy that drops half, one direction after
   * the other, and returns what arrived on each side.
   */
  async function exchange(seed: number, clientFirst: boolean): Promise<{ toServer: string[]; toClient: string[] }> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const proxy = await FaultProxy.start(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, seed);
    proxy.faults = { ...NO_FAULTS, drop: 0.5 };
    const accepted = once(server, 'connection');
    const client = new WebSocket(proxy.url);
    const [upstream] = (await accepted) as [WebSocket];
    if (client.readyState !== WebSocket.OPEN) await once(client, 'open');
    const arrived = { toServer: [] as string[], toClient: [] as string[] };
    upstream.on('message', (data) => arrived.toServer.push(data.toString()));
    client.on('message', (data) => arrived.toClient.push(data.toString()));
    const accounted = () => arrived.toServer.length + arrived.toClient.length + proxy.injected.dropped;
    const sendAll = async (socket: WebSocket, prefix: string) => {
      const target = accounted() + EACH_WAY;
      for (let i = 0; i < EACH_WAY; i++) socket.send(`${prefix}${i}`);
      await waitUntil(() => accounted() === target, { describe: () => `${accounted()} of ${target} messages accounted for` });
    };
    try {
      if (clientFirst) {
        await sendAll(client, 'c');
        await sendAll(upstream, 's');
      } else {
        await sendAll(upstream, 's');
        await sendAll(client, 'c');
      }
      return arrived;
    } finally {
      client.terminate();
      await proxy.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('gives each direction its own generator: a seed drops the same messages whichever direction goes first', async () => {
    const clientFirst = await exchange(7, true);
    const serverFirst = await exchange(7, false);
    assert.deepEqual(serverFirst, clientFirst);
    for (const got of Object.values(clientFirst)) assert.ok(got.length > 0 && got.length < EACH_WAY, `some dropped: ${got.length} arrived`);
    assert.notDeepEqual(await exchange(8, true), clientFirst, 'another seed, other faults');
  });
});
