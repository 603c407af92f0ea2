import assert from 'node:assert/strict';
import { RejectedOperationError } from '../../src/core/errors';
import { Cluster, TestNode, key, subscribeAll } from './cluster';
import { waitUntil } from '../support/waitFor';

/** The ancestor's end-to-end scenarios, over real WebSockets on 127.0.0.1, with exact values. */
describe('net: end-to-end scenarios', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  beforeEach(() => (cluster = new Cluster()));
  afterEach(() => cluster.closeAll());

  /** A line or mesh: each later node dials the earlier ones given. */
  async function startLinked(ids: string[], links: (i: number) => number[] = (i) => [...Array(i).keys()]): Promise<TestNode[]> {
    const nodes: TestNode[] = [];
    for (const [i, id] of ids.entries()) {
      nodes.push(await cluster.start(id, { peers: links(i).map((j) => nodes[j].url) }));
    }
    return nodes;
  }

  it('collaborative document: 3 replicas converge on register, editor set and counter', async () => {
    const [a, b, c] = await startLinked(['docA', 'docB', 'docC']);
    const title = key('register_mv', 'doc', 'title');
    const editors = key('set_aw', 'doc', 'editors');
    const edits = key('counter_pn', 'doc', 'edits');
    const t1 = await a.node.update([
      { ...title, op: 'assign', args: ['Draft'] },
      { ...editors, op: 'add', args: ['alice'] },
    ]);
    // Causally after t1 at B: overwrites "Draft".
    await b.node.update(
      [
        { ...title, op: 'assign', args: ['Plan'] },
        { ...editors, op: 'add', args: ['bob'] },
      ],
      t1,
    );
    await cluster.converged([title, editors]);
    // Concurrent: C and A assign without seeing each other (no session clock between them).
    await Promise.all([
      a.node.update([
        { ...title, op: 'assign', args: ['Plan v2'] },
        { ...edits, op: 'increment', args: [2] },
      ]),
      c.node.update([
        { ...editors, op: 'add', args: ['carol'] },
        { ...edits, op: 'increment', args: [3] },
      ]),
    ]);
    await cluster.converged([title, editors, edits]);
    for (const { node } of cluster.nodes) {
      assert.deepEqual(node.replica.value(title), ['Plan v2']);
      assert.deepEqual(node.replica.value(editors), ['alice', 'bob', 'carol']);
      assert.equal(node.replica.value(edits), 5);
    }
  });

  it('concurrent register assigns at two replicas keep both values everywhere', async () => {
    const [a, b] = await startLinked(['regA', 'regB'], () => []);
    const title = key('register_mv', 'doc', 'title');
    await a.node.update([{ ...title, op: 'assign', args: ['x'] }]);
    await b.node.update([{ ...title, op: 'assign', args: ['y'] }]);
    b.node.connectPeer(a.url);
    await cluster.converged([title]);
    assert.deepEqual(a.node.replica.value(title), ['x', 'y']);
  });

  it('shopping cart: inventory 100 -> -2 plus orders and carts, read-your-writes at another replica', async () => {
    const [a, b, c] = await startLinked(['shopA', 'shopB', 'shopC']);
    const inventory = key('counter_pn', 'shop', 'inventory');
    const orders = key('counter_pn', 'shop', 'orders');
    const cart1 = key('set_aw', 'carts', 'alice');
    const cart2 = key('set_aw', 'carts', 'bob');
    await a.node.update([{ ...inventory, op: 'increment', args: [100] }]);
    const commit = await b.node.update(
      [
        { ...inventory, op: 'decrement', args: [102] },
        { ...orders, op: 'increment' },
        { ...cart1, op: 'add_all', args: ['apple', 'pear'] },
      ],
      a.node.replica.clock,
    );
    await c.node.update([{ ...cart2, op: 'add', args: ['milk'] }]);
    // Read at C with B's commit clock: must see B's transaction (and A's, which it depends on).
    const read = await c.node.read([inventory, orders, cart1], commit);
    assert.deepEqual(read.values, [-2, 1, ['apple', 'pear']]);
    await cluster.converged([inventory, orders, cart1, cart2]);
    assert.deepEqual(a.node.replica.value(cart2), ['milk']);
  });

  it('feature flags: enable / disable / re-enable with session clocks; concurrent enable vs disable ends enabled', async () => {
    const [a, b] = await startLinked(['flagA', 'flagB']);
    const dark = key('flag_ew', 'features', 'dark_mode');
    let clock = await a.node.update([{ ...dark, op: 'enable' }]);
    assert.deepEqual((await b.node.read([dark], clock)).values, [true]);
    clock = await b.node.update([{ ...dark, op: 'disable' }], clock);
    assert.deepEqual((await a.node.read([dark], clock)).values, [false]);
    clock = await a.node.update([{ ...dark, op: 'enable' }], clock);
    assert.deepEqual((await b.node.read([dark], clock)).values, [true]);
    // Partition them, then enable at A while B disables the enable it had seen.
    b.node.disconnectPeer(a.url);
    await a.node.stopListening();
    await Promise.all([a.node.update([{ ...dark, op: 'enable' }]), b.node.update([{ ...dark, op: 'disable' }])]);
    assert.equal(b.node.replica.value(dark), false);
    const url = await a.node.listen('127.0.0.1', 0);
    b.node.connectPeer(url);
    await cluster.converged([dark]);
    assert.equal(a.node.replica.value(dark), true);
    assert.equal(b.node.replica.value(dark), true);
  });

  it('task board: two-phase todo/done sets and a counter; re-adding a removed task is rejected', async () => {
    const [a, b] = await startLinked(['boardA', 'boardB']);
    const todo = key('set_2p', 'board', 'todo');
    const done = key('set_2p', 'board', 'done');
    const count = key('counter_pn', 'board', 'completed');
    const c1 = await a.node.update([{ ...todo, op: 'add_all', args: ['design', 'build', 'ship'] }]);
    const c2 = await b.node.update(
      [
        { ...todo, op: 'remove', args: ['design'] },
        { ...done, op: 'add', args: ['design'] },
        { ...count, op: 'increment' },
      ],
      c1,
    );
    await a.node.replica.waitFor(c2);
    await assert.rejects(a.node.update([{ ...todo, op: 'add', args: ['design'] }]), RejectedOperationError);
    await cluster.converged([todo, done, count]);
    for (const { node } of cluster.nodes) {
      assert.deepEqual(node.replica.value(todo), ['build', 'ship']);
      assert.deepEqual(node.replica.value(done), ['design']);
      assert.equal(node.replica.value(count), 1);
    }
  });

  it('a line A-B-C converges through relay although A and C never talk', async () => {
    const [a, , c] = await startLinked(['lineA', 'lineB', 'lineC'], (i) => (i === 0 ? [] : [i - 1]));
    const set = key('set_aw', 'line', 'items');
    await a.node.update([{ ...set, op: 'add', args: ['from-a'] }]);
    await c.node.update([{ ...set, op: 'add', args: ['from-c'] }]);
    await cluster.converged([set]);
    assert.deepEqual(a.node.replica.value(set), ['from-a', 'from-c']);
    assert.ok(!a.node.status().peers.some((p) => p.id === 'lineC'));
  });

  it('two replicas that list each other keep both links, and lose nothing when one drops', async () => {
    const a = await cluster.start('mutualA');
    const b = await cluster.start('mutualB', { peers: [a.url] });
    a.node.connectPeer(b.url);
    const both = () => [a, b].every(({ node }) => node.status().peers.filter((p) => p.connected).length === 2);
    await waitUntil(both, { subscribe: (wake) => subscribeAll([a, b], wake) });
    const counter = key('counter_pn', 'mutual', 'n');
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).node.update([{ ...counter, op: 'increment' }]);
    await cluster.converged([counter]);
    // Drop A's own link to B: the inbound one from B carries on.
    a.node.disconnectPeer(b.url);
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).node.update([{ ...counter, op: 'increment' }]);
    await cluster.converged([counter]);
    assert.equal(a.node.replica.value(counter), 40);
  });

  it('social platform: 10 replicas with posts, tags, online users and a dark_mode flag converge', async function () {
    this.timeout(90_000);
    const ids = Array.from({ length: 10 }, (_, i) => `social${i}`);
    // A sparse mesh: each node dials up to two earlier ones, so most traffic is relayed.
    const nodes = await startLinked(ids, (i) => [i - 1, i - 3].filter((j) => j >= 0));
    const posts = key('counter_pn', 'social', 'posts');
    const tags = key('set_aw', 'social', 'tags');
    const online = key('set_aw', 'social', 'online');
    const dark = key('flag_ew', 'social', 'dark_mode');
    await Promise.all(
      nodes.map(({ node }, i) =>
        node.update([
          { ...posts, op: 'increment', args: [i + 1] },
          { ...tags, op: 'add', args: [`tag${i % 4}`] },
          { ...online, op: 'add', args: [node.id] },
          ...(i === 3 ? [{ ...dark, op: 'enable' }] : []),
        ]),
      ),
    );
    await Promise.all(nodes.slice(0, 5).map(({ node }) => node.update([{ ...online, op: 'remove', args: [node.id] }])));
    await cluster.converged([posts, tags, online, dark], 40_000);
    const expectedOnline = ids.slice(5).map((id) => id);
    for (const { node } of nodes) {
      assert.equal(node.replica.value(posts), 55);
      assert.deepEqual(node.replica.value(tags), ['tag0', 'tag1', 'tag2', 'tag3']);
      assert.deepEqual(node.replica.value(online), expectedOnline);
      assert.equal(node.replica.value(dark), true);
    }
  });
});
