import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Connection } from '../../src/net/connection';
import { Challenge, PROTOCOL_VERSION, Refusal } from '../../src/net/messages';
import { waitUntil } from '../support/waitFor';
import { Cluster, TestNode, key, subscribeAll } from './cluster';
import { openConnection } from './sessionHarness';

const counter = key('counter_pn', 'relay', 'hits');

/** A listener that speaks the handshake of an older release: its challenge names `protocol`. */
async function olderListener(protocol: number): Promise<{ url: string; closeReasons: string[]; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const closeReasons: string[] = [];
  server.on('connection', (socket) => {
    socket.on('close', (_code, reason) => closeReasons.push(reason.toString()));
    socket.send(JSON.stringify({ t: 'challenge', protocol, nonce: 'ab'.repeat(16), auth: false }));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closeReasons,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/**
 * Counts the `txns` messages every connection of this process sends (in plain links the kind is
 * the byte after the length): what one operation costs in messages across the cluster.
 */
function countTransactionMessages(): { count(): number; restore(): void } {
  const original = Connection.prototype.sendBytes;
  let count = 0;
  Connection.prototype.sendBytes = function (this: Connection, bytes: Uint8Array) {
    let at = 0;
    while (bytes[at] & 0x80) at++;
    if (bytes[at + 1] === 1) count++;
    original.call(this, bytes);
  };
  return { count: () => count, restore: () => void (Connection.prototype.sendBytes = original) };
}

async function fullyConnected(nodes: readonly TestNode[]): Promise<void> {
  await waitUntil(
    () =>
      nodes.every(
        ({ node }) =>
          new Set(
            node
              .status()
              .peers.filter((p) => p.connected)
              .map((p) => p.id),
          ).size ===
          nodes.length - 1,
      ),
    {
      subscribe: (wake) => subscribeAll([...nodes], wake),
    },
  );
}

describe('net: protocol versions (binary replication since 4, replica names since 5)', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  beforeEach(() => {
    cluster = new Cluster();
  });
  afterEach(() => cluster.closeAll());

  for (const older of [1, 2, 3, 4]) {
    it(`refuses a peer of protocol ${older} that connects to it, naming both versions`, async () => {
      const node = await cluster.start(`new${older}`);
      const conn = await openConnection(node.url);
      const challenge = await conn.next(Challenge, 5_000, 'challenge');
      // What the older release checks first: it refuses a challenge of another version itself.
      assert.equal(challenge.protocol, PROTOCOL_VERSION);
      conn.send({ t: 'hello', protocol: older, role: 'peer', id: 'old', clock: {}, nonce: 'ab'.repeat(16) });
      const refusal = await conn.next(Refusal, 5_000, 'refusal');
      assert.match(
        refusal.error.message,
        new RegExp(`protocol version ${older} is not supported \\(this node speaks ${PROTOCOL_VERSION}\\)`),
      );
      assert.deepEqual(node.node.status().peers, []);
    });

    it(`refuses to replicate with a node of protocol ${older}, naming both versions on both sides`, async () => {
      const old = await olderListener(older);
      try {
        const node = await cluster.start(`dialer${older}`, { peers: [old.url] });
        const expected = new RegExp(`node speaks protocol ${older}, this program speaks ${PROTOCOL_VERSION}`);
        await waitUntil(() => expected.test(node.node.status().peers[0]?.lastError ?? ''), {
          describe: () => JSON.stringify(node.node.status().peers),
        });
        assert.equal(node.node.status().peers[0].connected, false);
        // The older side is told why in the close frame.
        await waitUntil(() => old.closeReasons.some((reason) => expected.test(reason)), {
          describe: () => JSON.stringify(old.closeReasons),
        });
      } finally {
        await old.close();
      }
    });
  }

  it('in a full mesh, each operation travels once to each peer: no relay to peers connected to its origin', async () => {
    const nodes = [await cluster.start('meshA'), await cluster.start('meshB'), await cluster.start('meshC'), await cluster.start('meshD')];
    for (const [i, { node }] of nodes.entries()) for (const other of nodes.slice(i + 1)) node.connectPeer(other.url);
    await fullyConnected(nodes);
    // Heartbeats tell each node who its peers are connected to.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const messages = countTransactionMessages();
    try {
      const OPS = 20;
      for (let i = 0; i < OPS; i++) {
        await nodes[i % nodes.length].node.update([{ ...counter, op: 'increment' }]);
        // One operation at a time: each travels alone.
        await cluster.converged([counter]);
      }
      assert.equal(nodes[0].node.replica.value(counter), OPS);
      assert.equal(messages.count(), OPS * (nodes.length - 1), 'messages for 20 operations in a mesh of 4');
    } finally {
      messages.restore();
    }
  });

  it('relays through a hub to spokes that are not connected to each other', async () => {
    const hub = await cluster.start('hub');
    const spokes = [
      await cluster.start('spokeA', { peers: [hub.url] }),
      await cluster.start('spokeB', { peers: [hub.url] }),
      await cluster.start('spokeC', { peers: [hub.url] }),
    ];
    await waitUntil(() => hub.node.status().peers.filter((p) => p.connected).length === spokes.length, {
      subscribe: (wake) => subscribeAll([hub, ...spokes], wake),
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const messages = countTransactionMessages();
    try {
      await spokes[0].node.update([{ ...counter, op: 'increment', args: [5] }]);
      await cluster.converged([counter]);
      assert.equal(spokes[2].node.replica.value(counter), 5);
      // The spoke to the hub, then the hub to the two other spokes.
      assert.equal(messages.count(), 3);
    } finally {
      messages.restore();
    }
  });
});
