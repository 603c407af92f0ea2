import assert from 'node:assert/strict';
import { Cluster, key } from './cluster';
import { waitUntil } from '../support/waitFor';

const counter = key('counter_pn', 'retention', 'hits');

describe('net: log retention for peers', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  beforeEach(() => (cluster = new Cluster()));
  afterEach(() => cluster.closeAll());

  it('stops keeping log records for a peer once its link closes', async () => {
    const a = await cluster.start('keepA');
    const b = await cluster.start('keepB', { peers: [a.url] });
    for (let i = 0; i < 10; i++) await a.node.update([{ ...counter, op: 'increment' }]);
    await cluster.converged([counter]);
    const departedAt = b.node.replica.clock;
    // A few heartbeats, so that A has told its storage what B still needs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.stop(b);
    await waitUntil(() => a.node.status().peers.every((p) => !p.connected));

    for (let i = 0; i < 100; i++) await a.node.update([{ ...counter, op: 'increment' }]);
    await a.node.storage.writeSnapshot();
    await a.node.storage.writeSnapshot();
    assert.equal(a.node.storage.transactionsSince(departedAt), undefined, 'the records B lacks were compacted away');
    assert.equal(a.node.storage.stats().logRecords, 0);
  });
});
