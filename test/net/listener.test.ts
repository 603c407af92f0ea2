import assert from 'node:assert/strict';
import { Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { UnavailableError } from '../../src/core/errors';
import { Replica } from '../../src/core/replica';
import { MinidoteClient } from '../../src/net/client';
import { Connection } from '../../src/net/connection';
import { LocalIdentity } from '../../src/net/handshake';
import { Challenge, PROTOCOL_VERSION, Refusal } from '../../src/net/messages';
import { Listener } from '../../src/net/server';
import { hostRuleFor, upgradeRefusal } from '../../src/net/upgradePolicy';
import { ListenerLimits } from '../../src/net/admission';
import { ClientHandler, serveClient } from '../../src/net/clientSession';
import { MemoryHost, closedWith, connectAs, identityOf, listenForTest, openConnection, quiet, testLog } from './sessionHarness';

/** A listener that counts what reaches the node: identities asked for, and authenticated sockets. */
class CountingListener {
  handshakesStarted = 0;
  readonly clients: Connection[] = [];
  readonly peers: Connection[] = [];
  readonly logged: string[] = [];
  listener!: Listener;
  private readonly identity: LocalIdentity = identityOf(new MemoryHost(new Replica('listening')));

  async start(limits: Partial<ListenerLimits> = {}, handler?: ClientHandler): Promise<this> {
    this.listener = await listenForTest(
      {
        identity: () => {
          this.handshakesStarted++;
          return this.identity;
        },
        onPeer: (conn) => this.peers.push(conn),
        onClient: (conn) => {
          this.clients.push(conn);
          if (handler) serveClient(conn, handler, quiet);
        },
      },
      limits,
      (level, message) => {
        this.logged.push(message);
        testLog(level, message);
      },
    );
    return this;
  }

  get url(): string {
    return this.listener.url;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }
}

/** Opens a WebSocket with extra upgrade options; resolves with the HTTP status of a refusal, or 101. */
function upgradeStatus(url: string, options: WebSocket.ClientOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => {
      socket.terminate();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', (error) => reject(error));
  });
}

/** A raw TCP socket to the listener, with a promise for its end. */
async function rawSocket(url: string): Promise<{ socket: Socket; closed: Promise<void>; isClosed: () => boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let closedFlag = false;
  socket.on('error', () => undefined);
  // Read (and ignore) what the server sends, so that its end is noticed.
  socket.resume();
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedFlag = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed, isClosed: () => closedFlag };
}

function upgradeRequest(url: string): string {
  const { host } = new URL(url);
  return (
    `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** The header of a masked client text frame announcing `length` payload bytes. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}

describe('net: the listener before authentication', function () {
  this.timeout(60_000);
  let node: CountingListener;
  afterEach(() => node?.listener.close());

  describe('upgrade policy (browsers and DNS rebinding)', () => {
    it('refuses an upgrade that carries an Origin header with HTTP 403, before any handshake', async () => {
      node = await new CountingListener().start();
      const refused = await upgradeStatus(node.url, { origin: 'https://attacker.example' });
      assert.equal(refused.status, 403);
      assert.match(refused.body, /browsers may not connect/);
      const nullOrigin = await upgradeStatus(node.url, { headers: { origin: 'null' } });
      assert.equal(nullOrigin.status, 403);
      assert.equal(node.handshakesStarted, 0);
    });

    it('refuses a Host that is not its loopback address (DNS rebinding), before any handshake', async () => {
      node = await new CountingListener().start();
      for (const host of [`attacker.example:${node.port}`, `localhost.attacker.example:${node.port}`, `10.0.0.1:${node.port}`]) {
        const refused = await upgradeStatus(node.url, { headers: { host } });
        assert.equal(refused.status, 403, host);
        assert.match(refused.body, /is not this node's loopback address/);
      }
      assert.equal(node.handshakesStarted, 0);
      assert.equal(node.clients.length + node.peers.length, 0);
    });

    it('accepts loopback names on any port (a port forward), and scripts that send no Origin', async () => {
      node = await new CountingListener().start();
      for (const host of [
        `127.0.0.1:${node.port}`,
        `localhost:${node.port}`,
        `LOCALHOST:${node.port}`,
        `[::1]:${node.port}`,
        `127.0.0.1:${node.port + 1}`,
        'localhost',
      ]) {
        assert.equal((await upgradeStatus(node.url, { headers: { host } })).status, 101, host);
      }
      const client = await MinidoteClient.connect(node.url);
      client.close();
      assert.equal(node.clients.length, 1);
    });

    it('on 0.0.0.0, :: or a LAN address any Host is accepted (the secret protects it), but never an Origin', () => {
      for (const bound of ['0.0.0.0', '::', '192.168.1.20']) {
        const rule = hostRuleFor(bound);
        assert.equal(upgradeRefusal({ host: 'team-box.example:7878' }, rule), undefined);
        assert.equal(upgradeRefusal({}, rule), undefined);
        assert.match(upgradeRefusal({ host: 'team-box.example:7878', origin: 'https://x.example' }, rule) ?? '', /Origin/);
      }
      const loopback = hostRuleFor('::1');
      assert.equal(upgradeRefusal({ host: 'localhost' }, loopback), undefined);
      assert.equal(upgradeRefusal({ host: '[::1]:80' }, loopback), undefined);
      assert.notEqual(upgradeRefusal({}, loopback), undefined);
    });

    it('refuses a peer speaking protocol 1, naming both versions', async () => {
      node = await new CountingListener().start();
      const conn = await openConnection(node.url);
      await conn.next(Challenge, 5_000, 'challenge');
      conn.send({ t: 'hello', protocol: 1, role: 'peer', id: 'old', clock: {}, nonce: 'ab'.repeat(16) });
      const refusal = await conn.next(Refusal, 5_000, 'refusal');
      assert.match(refusal.error.message, new RegExp(`protocol version 1 is not supported \\(this node speaks ${PROTOCOL_VERSION}\\)`));
      assert.equal(node.peers.length, 0);
    });
  });

  describe('bounded unauthenticated sockets', () => {
    it('cuts off sockets that send an unfinished large frame before authenticating, long before the handshake timeout', async () => {
      node = await new CountingListener().start({ preAuthBytes: 64 * 1024, handshakeTimeoutMs: 60_000, maxPendingHandshakes: 64 });
      const attackers = await Promise.all(Array.from({ length: 20 }, () => rawSocket(node.url)));
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      for (const { socket } of attackers) {
        socket.write(upgradeRequest(node.url));
        socket.write(frameHeader(DEFAULT_FRAME));
        // Far more than the budget, far less than the announced frame: the frame is never finished.
        for (let i = 0; i < 32; i++) socket.write(chunk);
      }
      await Promise.all(attackers.map((a) => a.closed));
      // Cut off for their bytes, not for their time.
      assert.ok(
        node.logged.some((line) => /sent more than 65536 bytes before authenticating/.test(line)),
        node.logged.join('\n'),
      );
      assert.ok(!node.logged.some((line) => /handshake within/.test(line)));
      assert.equal(node.handshakesStarted, 20);
      assert.equal(node.clients.length + node.peers.length, 0);
    });

    it('the byte budget ends with the handshake: an authenticated client may send a message far above it', async () => {
      const received: number[] = [];
      const handler: ClientHandler = {
        read: () => Promise.resolve({ values: [], clock: {} }),
        update: (updates) => {
          received.push(JSON.stringify(updates).length);
          return Promise.resolve({});
        },
        status: () => null,
      };
      node = await new CountingListener().start({ preAuthBytes: 16 * 1024 }, handler);
      const client = await MinidoteClient.connect(node.url);
      try {
        await client.update([{ bucket: 'b', key: 'k', type: 'register_mv', op: 'assign', args: ['v'.repeat(1024 * 1024)] }]);
        assert.ok(received[0] > 1024 * 1024);
      } finally {
        client.close();
      }
    });

    it('closes a socket that never completes its handshake after the handshake timeout (slow loris)', async () => {
      node = await new CountingListener().start({ handshakeTimeoutMs: 300 });
      // One stops in the middle of its HTTP request, one upgrades and never says hello.
      const halfRequest = await rawSocket(node.url);
      halfRequest.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const silent = await openConnection(node.url);
      await Promise.all([halfRequest.closed, closedWith(silent)]);
      assert.equal(node.clients.length + node.peers.length, 0);
    });

    it('refuses a connection beyond the cap while the others are open, and accepts again once one closes', async () => {
      node = await new CountingListener().start({ maxConnections: 5, maxPendingHandshakes: 5 });
      const clients = [];
      for (let i = 0; i < 5; i++) clients.push(await MinidoteClient.connect(node.url, { timeoutMs: 5_000 }));
      try {
        await assert.rejects(MinidoteClient.connect(node.url, { timeoutMs: 5_000 }), UnavailableError);
        assert.equal(node.clients.length, 5);
        const leaving = clients.shift() as MinidoteClient;
        const gone = closedWith(node.clients[0]);
        leaving.close();
        await gone;
        // The server counts the socket as closed once TCP closes, just after the WebSocket does.
        clients.push(await eventually(() => MinidoteClient.connect(node.url, { timeoutMs: 5_000 })));
      } finally {
        for (const client of clients) client.close();
      }
    });

    it('drops a socket at once while the pending-handshake cap is reached; authenticated ones do not count', async () => {
      node = await new CountingListener().start({ maxPendingHandshakes: 3, handshakeTimeoutMs: 60_000 });
      const authenticated = await connectAs(node.url, { role: 'client', secret: undefined });
      const pending = await Promise.all([0, 1, 2].map(() => rawSocket(node.url)));
      const extra = await rawSocket(node.url);
      await extra.closed;
      assert.deepEqual(
        pending.map((p) => p.isClosed()),
        [false, false, false],
      );
      assert.equal(authenticated.conn.closed, false);
      pending[0].socket.destroy();
      await pending[0].closed;
      // Once the server has seen it go, one more may start a handshake.
      const next = await eventually(() => connectAs(node.url, { role: 'client', secret: undefined }));
      assert.equal(next.conn.closed, false);
      next.conn.close();
      authenticated.conn.close();
      for (const p of pending) p.socket.destroy();
    });
  });
});

const DEFAULT_FRAME = 4 * 1024 * 1024 - 1024;

/** Retries `attempt` until it succeeds (the server frees a slot asynchronously); fails after `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
