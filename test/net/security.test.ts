import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Connection } from '../../src/net/connection';
import { offerHandshake } from '../../src/net/handshake';
import { MinidoteClient } from '../../src/net/client';
import { UnavailableError } from '../../src/core/errors';
import { Cluster, TestNode, key } from './cluster';
import { messageFrom, spoiledTransactions } from './peerWire';

const flag = key('flag_ew', 'ops', 'deploy-freeze');

/** A raw, authenticated peer connection that can then send anything at all. */
async function rawPeer(url: string, id: string, secret?: string): Promise<Connection> {
  const socket = new WebSocket(url);
  const conn = new Connection(socket, 'raw test peer', () => undefined);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  await offerHandshake(conn, { role: 'peer', id, clock: () => ({}), secret });
  return conn;
}

function closedWith(conn: Connection): Promise<string> {
  return new Promise((resolve) => conn.onClose(resolve));
}

describe('net: bad peers and authentication', function () {
  this.timeout(30_000);
  let cluster: Cluster;
  let a: TestNode;
  let b: TestNode;
  beforeEach(async () => {
    cluster = new Cluster();
    a = await cluster.start('secA', { secret: 'team-secret' });
    b = await cluster.start('secB', { secret: 'team-secret', peers: [a.url] });
  });
  afterEach(() => cluster.closeAll());

  const badMessages: [string, (conn: Connection) => void][] = [
    ['garbage text', (conn) => conn.sendText('this is not json {')],
    ['a binary frame that is not sealed', (conn) => conn.socket.send(Buffer.from([1, 2, 3]))],
    ['a JSON message, as peers spoke before protocol 4', (conn) => conn.send({ t: 'txns', txns: [] })],
    ['garbage bytes', (conn) => conn.sendBytes(Buffer.from([1, 2, 3]))],
    ['a message of an unknown kind', (conn) => conn.sendBytes(messageFrom([9, 0]))],
    [
      'a transaction whose effect is malformed',
      (conn) =>
        conn.sendBytes(
          // A flag effect ends with its enable marker (0 or 1) and the tag's index.
          spoiledTransactions(
            [{ origin: 'evil', clock: { evil: 1 }, at: 0, effects: [{ ...flag, effect: { rm: [], enable: 'evil:1:0' } }] }],
            (body) => {
              body[body.length - 2] = 7;
            },
          ),
        ),
    ],
    ['an oversized frame', (conn) => conn.sendText(JSON.stringify({ t: 'clock', clock: {}, pad: 'x'.repeat(5 * 1024 * 1024) }))],
  ];

  for (const [what, send] of badMessages) {
    it(`closes a peer that sends ${what}, leaves state untouched, and keeps replicating with others`, async () => {
      const before = a.node.replica.exportState();
      const conn = await rawPeer(a.url, 'evil', 'team-secret');
      const closed = closedWith(conn);
      send(conn);
      await closed;
      assert.deepEqual(a.node.replica.exportState(), before);
      await b.node.update([{ ...flag, op: 'enable' }]);
      await cluster.converged([flag]);
      assert.equal(a.node.replica.value(flag), true);
    });
  }

  it('refuses a peer with a wrong secret, and one with no secret', async () => {
    await assert.rejects(rawPeer(a.url, 'intruder', 'wrong'), /authentication failed|refused/);
    await assert.rejects(rawPeer(a.url, 'intruder'), /requires a team secret/);
  });

  it('a side with a secret refuses a node that has none (mutual authentication)', async () => {
    const open = await cluster.start('openC');
    await assert.rejects(rawPeer(open.url, 'secD', 'team-secret'), /has no team secret/);
    await assert.rejects(MinidoteClient.connect(open.url, { secret: 'team-secret' }), UnavailableError);
  });

  it('clients authenticate like peers', async () => {
    await assert.rejects(MinidoteClient.connect(a.url, { secret: 'nope' }), UnavailableError);
    const client = await MinidoteClient.connect(a.url, { secret: 'team-secret' });
    try {
      await client.update([{ ...flag, op: 'enable' }]);
      assert.deepEqual((await client.read([flag])).values, [true]);
    } finally {
      client.close();
    }
  });

  it('a web page cannot reach a loopback node without a secret: Origin and foreign Host are refused before the handshake', async () => {
    const open = await cluster.start('openBrowser');
    const port = new URL(open.url).port;
    for (const options of [{ origin: 'https://any-page.example' }, { headers: { host: `rebound.example:${port}` } }]) {
      const status = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(open.url, options);
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => {
          socket.terminate();
          resolve(101);
        });
        socket.once('error', reject);
      });
      assert.equal(status, 403, JSON.stringify(options));
    }
    assert.deepEqual(open.node.replica.clock, {});
    const client = await MinidoteClient.connect(open.url);
    client.close();
  });

  it('refuses to listen beyond loopback without a secret', async () => {
    const open = await cluster.start('openE');
    await assert.rejects(open.node.listen('0.0.0.0', 0), /without a team secret/);
  });
});
