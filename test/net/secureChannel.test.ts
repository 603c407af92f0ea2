import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net, { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import WebSocket, { WebSocketServer } from 'ws';
import { MinidoteClient } from '../../src/net/client';
import { Connection } from '../../src/net/connection';
import { AuthenticationError } from '../../src/net/handshake';
import {
  FrameAuthenticationError,
  KeyExhaustedError,
  KeyMaterial,
  SEAL_OVERHEAD,
  SecureChannel,
  deriveLinkKeys,
} from '../../src/net/secureChannel';
import { runCli } from '../cli/cliProcess';
import { tempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitFor';
import { Cluster, TestNode, key } from './cluster';

const SECRET = 'tap-test team secret 9f2c7e1b';

const material = (overrides: Partial<KeyMaterial> = {}): KeyMaterial => ({
  secret: SECRET,
  role: 'connector',
  protocol: 3,
  listenerNonce: 'a1'.repeat(24),
  connectorNonce: 'c3'.repeat(24),
  transcript: ['{"t":"challenge"}', '{"t":"hello"}', '{"t":"welcome"}'],
  ...overrides,
});

/** The two ends of one link, as the connector and the listener derive them. */
function channelPair(): { connector: SecureChannel; listener: SecureChannel } {
  return {
    connector: new SecureChannel(deriveLinkKeys(material({ role: 'connector' }))),
    listener: new SecureChannel(deriveLinkKeys(material({ role: 'listener' }))),
  };
}

const text = (s: string) => Buffer.from(s, 'utf8');

describe('net/secureChannel: key derivation', () => {
  it('gives the connector and the listener the same two keys, swapped', () => {
    const connector = deriveLinkKeys(material({ role: 'connector' }));
    const listener = deriveLinkKeys(material({ role: 'listener' }));
    assert.deepEqual(connector.send, listener.receive);
    assert.deepEqual(connector.receive, listener.send);
    assert.equal(connector.send.length, 32);
  });

  it('gives each direction its own key', () => {
    const keys = deriveLinkKeys(material());
    assert.notDeepEqual(keys.send, keys.receive);
  });

  it('gives other keys for another nonce of either side, another secret, protocol or handshake transcript', () => {
    const base = deriveLinkKeys(material());
    const variants: Partial<KeyMaterial>[] = [
      { listenerNonce: 'a2'.repeat(24) },
      { connectorNonce: 'c4'.repeat(24) },
      { secret: `${SECRET}!` },
      { protocol: 4 },
      { transcript: ['{"t":"challenge"}', '{"t":"hello","displayName":"x"}', '{"t":"welcome"}'] },
      // Length prefixes keep a shifted boundary between messages from giving the same hash.
      { transcript: ['{"t":"challenge"}{"t":"hello"}', '', '{"t":"welcome"}'] },
    ];
    for (const variant of variants) {
      const keys = deriveLinkKeys(material(variant));
      assert.notDeepEqual(keys.send, base.send, JSON.stringify(variant));
      assert.notDeepEqual(keys.receive, base.receive, JSON.stringify(variant));
    }
  });
});

describe('net/secureChannel: sealed frames', () => {
  it('opens every frame in order, text and binary, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 300 })), { maxLength: 20 }), (messages) => {
        const { connector, listener } = channelPair();
        for (const [binary, payload] of messages) {
          const kind = binary ? 'binary' : 'text';
          const frame = connector.seal(kind, payload);
          assert.equal(frame.length, payload.length + SEAL_OVERHEAD);
          const opened = listener.open(frame);
          assert.equal(opened.kind, kind);
          assert.deepEqual(new Uint8Array(opened.payload), payload);
        }
      }),
    );
  });

  it('never sends the same message twice as the same bytes', () => {
    const { connector } = channelPair();
    const first = connector.seal('text', text('{"t":"clock","clock":{}}'));
    const second = connector.seal('text', text('{"t":"clock","clock":{}}'));
    assert.notDeepEqual(first, second);
  });

  it('refuses a frame with any bit flipped', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (message, at, bit) => {
        const { connector, listener } = channelPair();
        const frame = connector.seal('text', text(message));
        frame[at % frame.length] ^= 1 << bit;
        assert.throws(() => listener.open(frame), FrameAuthenticationError);
      }),
    );
  });

  it('refuses a replayed, a reordered and a dropped-then-later frame', () => {
    const replay = channelPair();
    const f1 = replay.connector.seal('text', text('one'));
    replay.listener.open(f1);
    assert.throws(() => replay.listener.open(f1), FrameAuthenticationError);

    const reorder = channelPair();
    reorder.connector.seal('text', text('one'));
    const second = reorder.connector.seal('text', text('two'));
    assert.throws(() => reorder.listener.open(second), FrameAuthenticationError);

    // A frame that went missing and is sent again later: the one after it is refused already, and
    // so is the late one.
    const dropped = channelPair();
    const lost = dropped.connector.seal('text', text('one'));
    const next = dropped.connector.seal('text', text('two'));
    assert.throws(() => dropped.listener.open(next), FrameAuthenticationError);
    assert.throws(() => dropped.listener.open(lost), FrameAuthenticationError);
  });

  it('refuses a frame reflected back to its sender, one under another key, and one too short to be sealed', () => {
    const { connector, listener } = channelPair();
    assert.throws(() => connector.open(connector.seal('text', text('mine'))), FrameAuthenticationError);
    const stranger = new SecureChannel(deriveLinkKeys(material({ secret: 'another team entirely 123' })));
    assert.throws(() => listener.open(stranger.seal('text', text('hello'))), FrameAuthenticationError);
    assert.throws(() => channelPair().listener.open(Buffer.alloc(SEAL_OVERHEAD - 1)), FrameAuthenticationError);
  });

  it('stops sealing when a key reaches its frame or byte limit', () => {
    const frames = new SecureChannel(deriveLinkKeys(material()), { frames: 2, bytes: 1e9 });
    frames.seal('text', text('a'));
    frames.seal('text', text('b'));
    assert.throws(() => frames.seal('text', text('c')), KeyExhaustedError);
    const bytes = new SecureChannel(deriveLinkKeys(material()), { frames: 1e9, bytes: 100 });
    bytes.seal('binary', Buffer.alloc(90));
    assert.throws(() => bytes.seal('binary', Buffer.alloc(20)), KeyExhaustedError);
  });
});

// ---- A tap on the TCP stream -------------------------------------------------------------------

type Way = 'toServer' | 'toClient';
type Tamper = 'flip' | 'reorder';

interface ParsedFrame {
  readonly opcode: number;
  /** Where the payload starts in the frame. */
  readonly payloadAt: number;
  readonly mask: Buffer | undefined;
}

/** The length of the WebSocket frame at the start of `buffer`, or undefined if it is not all there. */
function frameLength(buffer: Buffer): number | undefined {
  if (buffer.length < 2) return undefined;
  let length = buffer[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    at = 10;
  }
  if (buffer[1] & 0x80) at += 4;
  return buffer.length >= at + length ? at + length : undefined;
}

function parseFrame(frame: Buffer): ParsedFrame {
  const short = frame[1] & 0x7f;
  let at = short === 126 ? 4 : short === 127 ? 10 : 2;
  const mask = frame[1] & 0x80 ? frame.subarray(at, at + 4) : undefined;
  if (mask) at += 4;
  return { opcode: frame[0] & 0x0f, payloadAt: at, mask };
}

/** The same frame with its (unmasked) payload replaced. */
function reframe(frame: Buffer, payload: Buffer): Buffer {
  const { mask } = parseFrame(frame);
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (mask ? 4 : 0));
  header[0] = frame[0];
  header[1] = (mask ? 0x80 : 0) | (length < 126 ? length : length < 65536 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(length, 2);
  if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2);
  const body = Buffer.from(payload);
  if (mask) {
    mask.copy(header, 2 + extended);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  }
  return Buffer.concat([header, body]);
}

function payloadOf(frame: Buffer): Buffer {
  const { mask, payloadAt } = parseFrame(frame);
  const body = Buffer.from(frame.subarray(payloadAt));
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  return body;
}

/**
 * One direction of one relayed link: passes the HTTP upgrade through (pointing its Host at the
 * target, as a reverse proxy would), then whole WebSocket frames, which the tap may alter.
 */
class Direction {
  private pending = Buffer.alloc(0);
  private inHeaders = true;
  private held: Buffer | undefined;
  lastDataFrame: Buffer | undefined;
  dataFrames = 0;

  constructor(
    readonly way: Way,
    private readonly tap: TcpTap,
    readonly write: (bytes: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.inHeaders) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      let headers = this.pending.subarray(0, end + 4).toString('latin1');
      if (this.way === 'toServer') headers = headers.replace(/^Host: .*$/im, `Host: 127.0.0.1:${this.tap.targetPort}`);
      this.write(Buffer.from(headers, 'latin1'));
      this.pending = this.pending.subarray(end + 4);
      this.inHeaders = false;
    }
    for (let length = frameLength(this.pending); length !== undefined; length = frameLength(this.pending)) {
      const frame = Buffer.from(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
      this.forward(frame);
    }
  }

  private forward(frame: Buffer): void {
    const { opcode, payloadAt } = parseFrame(frame);
    const data = opcode === 1 || opcode === 2;
    if (!data) {
      this.write(frame);
      return;
    }
    if (opcode === 1 && this.way === 'toServer' && this.tap.rewriteToServer) {
      frame = reframe(frame, Buffer.from(this.tap.rewriteToServer(payloadOf(frame).toString('utf8')), 'utf8'));
    }
    this.lastDataFrame = frame;
    this.dataFrames++;
    this.tap.payloads.push(payloadOf(frame));
    const tamper = this.tap.takeTamper(this.way);
    if (tamper === 'flip') {
      frame[payloadAt + Math.floor((frame.length - payloadAt) / 2)] ^= 0x40;
      this.write(frame);
    } else if (tamper === 'reorder') {
      this.held = frame;
    } else {
      this.write(frame);
      if (this.held) {
        const late = this.held;
        this.held = undefined;
        this.write(late);
      }
    }
  }
}

/**
 * A TCP relay on 127.0.0.1 in front of a node: records every byte both ways, and on request flips
 * a byte of, holds back (reorders) or replays a WebSocket frame, or rewrites handshake text.
 */
class TcpTap {
  private readonly bytes: Buffer[] = [];
  /** The payload of every data frame, unmasked: what the WebSocket layer hides from a byte dump. */
  readonly payloads: Buffer[] = [];
  private readonly tampers: Record<Way, Tamper[]> = { toServer: [], toClient: [] };
  private readonly directions: Direction[] = [];
  private readonly sockets = new Set<net.Socket>();
  private lastByteAt = Date.now();
  /** Rewrites each text frame on its way to the node (only the handshake is text on an encrypted link). */
  rewriteToServer: ((text: string) => string) | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  static async start(targetUrl: string): Promise<TcpTap> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TcpTap(server, Number(new URL(targetUrl).port));
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Everything that crossed the tap, both ways: the bytes, then the unmasked frame payloads. */
  captured(): Buffer {
    return Buffer.concat([...this.bytes, ...this.payloads]);
  }

  arm(way: Way, tamper: Tamper): void {
    this.tampers[way].push(tamper);
  }

  takeTamper(way: Way): Tamper | undefined {
    return this.tampers[way].shift();
  }

  /** Data frames that went `way` on the newest link so far. */
  dataFrames(way: Way): number {
    return this.directions.filter((d) => d.way === way).at(-1)?.dataFrames ?? 0;
  }

  /** Sends the last data frame that went `way` once more, on the newest link. */
  replayLast(way: Way): void {
    const direction = this.directions.filter((d) => d.way === way).at(-1);
    assert.ok(direction?.lastDataFrame, `no frame went ${way} yet`);
    direction.write(direction.lastDataFrame);
  }

  /** Resolves once nothing crossed the tap for `ms`. */
  async quiet(ms: number): Promise<void> {
    await waitUntil(() => Date.now() - this.lastByteAt >= ms, { timeoutMs: 20_000 });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(socket);
      });
    }
    const toServer = new Direction('toServer', this, (bytes) => upstream.write(bytes));
    const toClient = new Direction('toClient', this, (bytes) => client.write(bytes));
    this.directions.push(toServer, toClient);
    const record = (direction: Direction) => (chunk: Buffer) => {
      this.bytes.push(chunk);
      this.lastByteAt = Date.now();
      direction.push(chunk);
    };
    client.on('data', record(toServer));
    upstream.on('data', record(toClient));
  }
}

// ---- Links through the tap ---------------------------------------------------------------------

/** Distinctive words written through the tap; none of them may be readable on the wire. */
const WORDS = {
  bucket: 'bucket-tapir-5521',
  setKey: 'key-launchplan-8803',
  registerKey: 'key-rocket-1177',
  cliKey: 'key-cli-ocelot-3930',
  elementA: 'element-zebra-4242',
  elementB: 'element-quokka-7070',
  value: 'value-narwhal-6161',
  cliElement: 'element-axolotl-2323',
};

const set = key('set_aw', WORDS.bucket, WORDS.setKey);
const register = key('register_mv', WORDS.bucket, WORDS.registerKey);
const cliSet = key('set_aw', WORDS.bucket, WORDS.cliKey);
const counter = key('counter_pn', 'tamper', 'hits');

/** A node's log, searchable by tests. */
function logCollector(): { lines: string[]; log: (level: string, message: string) => void } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level} ${message}`) };
}

describe('net: encrypted links seen from a tap on the TCP stream', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  let tap: TcpTap | undefined;
  const dir = tempDir('minidote-tap-');
  const secretFile = path.join(dir.path, 'team.secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  after(() => dir.cleanup());
  beforeEach(() => {
    cluster = new Cluster();
  });
  afterEach(async () => {
    await tap?.close();
    tap = undefined;
    await cluster.closeAll();
  });

  /** A and B replicate through the tap, each writes, and a CLI client writes and reads through it. */
  async function writeThroughTap(secret: string | undefined): Promise<Buffer> {
    const a = await cluster.start('tapA', { secret });
    tap = await TcpTap.start(a.url);
    const b = await cluster.start('tapB', { secret, peers: [tap.url] });
    await a.node.update([{ ...set, op: 'add', args: [WORDS.elementA] }]);
    await b.node.update([
      { ...set, op: 'add', args: [WORDS.elementB] },
      { ...register, op: 'assign', args: [WORDS.value] },
    ]);
    const secretArgs = secret === undefined ? [] : ['--secret-file', secretFile];
    const update = await runCli([
      'update',
      '--node',
      tap.url,
      ...secretArgs,
      'set_aw',
      WORDS.bucket,
      WORDS.cliKey,
      'add',
      WORDS.cliElement,
    ]);
    assert.equal(update.code, 0, update.stderr);
    await cluster.converged([set, register, cliSet]);
    const read = await runCli(['read', '--node', tap.url, ...secretArgs, 'register_mv', WORDS.bucket, WORDS.registerKey]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout).value, [WORDS.value]);
    assert.deepEqual(b.node.replica.value(cliSet), [WORDS.cliElement]);
    return tap.captured();
  }

  it('sees none of the keys, elements, values or the secret written through two peers and a CLI client', async () => {
    const wire = await writeThroughTap(SECRET);
    const seen = [wire.toString('latin1'), wire.toString('utf8')].join('\n');
    for (const word of [...Object.values(WORDS), SECRET]) assert.ok(!seen.includes(word), `"${word}" crossed the wire readable`);
    assert.ok(wire.length > 1000, `only ${wire.length} bytes crossed the tap`);
  });

  it('sees them all on a loopback link without a secret, which stays plain (so the tap does look)', async () => {
    const seen = (await writeThroughTap(undefined)).toString('utf8');
    for (const word of Object.values(WORDS)) assert.ok(seen.includes(word), `"${word}" was not seen in plain traffic`);
  });

  describe('a tampered client link closes, with the reason logged, and changes nothing', () => {
    let a: TestNode;
    let logs: { lines: string[]; log: (level: string, message: string) => void };
    let client: MinidoteClient;
    beforeEach(async () => {
      logs = logCollector();
      a = await cluster.start('tamperA', { secret: SECRET, log: logs.log });
      tap = await TcpTap.start(a.url);
      client = await MinidoteClient.connect(tap.url, { secret: SECRET });
      // The hello and the key confirmation have gone through: the next frame is a request.
      await waitUntil(() => tap?.dataFrames('toServer') === 2);
    });
    afterEach(() => client.close());

    const refusedFrame = () =>
      waitUntil(() => logs.lines.some((line) => /failed authentication/.test(line)), { describe: () => logs.lines.join('\n') });

    it('a flipped byte', async () => {
      tap?.arm('toServer', 'flip');
      await assert.rejects(client.update([{ ...counter, op: 'increment', args: [5] }]), /connection to the node closed/);
      await refusedFrame();
      assert.equal(a.node.replica.value(counter), 0);
    });

    it('a replayed frame', async () => {
      await client.update([{ ...counter, op: 'increment', args: [5] }]);
      assert.equal(a.node.replica.value(counter), 5);
      tap?.replayLast('toServer');
      await refusedFrame();
      assert.equal(a.node.replica.value(counter), 5);
    });

    it('a reordered frame', async () => {
      tap?.arm('toServer', 'reorder');
      const first = client.update([{ ...counter, op: 'increment', args: [1] }]);
      const second = client.update([{ ...counter, op: 'increment', args: [2] }]);
      const outcomes = await Promise.allSettled([first, second]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['rejected', 'rejected'],
      );
      await refusedFrame();
      assert.equal(a.node.replica.value(counter), 0);
    });
  });

  it('a flipped byte on a peer link closes it, and the peer does not take the altered transaction', async () => {
    const logs = logCollector();
    // No heartbeats and no quick reconnect: the next frame after arming is the transaction.
    const slow = { timing: { heartbeatMs: 60_000, deadAfterMs: 120_000 }, backoff: { baseMs: 60_000, capMs: 60_000 } };
    const a = await cluster.start('flipA', { secret: SECRET, ...slow });
    tap = await TcpTap.start(a.url);
    const b = await cluster.start('flipB', { secret: SECRET, ...slow, peers: [tap.url], log: logs.log });
    await waitUntil(() => b.node.status().peers.some((p) => p.connected));
    await tap.quiet(300);
    tap.arm('toClient', 'flip');
    await a.node.update([{ ...set, op: 'add', args: [WORDS.elementA] }]);
    await waitUntil(() => logs.lines.some((line) => /failed authentication/.test(line)), { describe: () => logs.lines.join('\n') });
    await waitUntil(() => !b.node.status().peers.some((p) => p.connected));
    assert.deepEqual(b.node.replica.value(set), []);
  });

  it('a relay that alters the handshake gets no link, though both proofs of the secret still check', async () => {
    const logs = logCollector();
    const a = await cluster.start('spliceA', { secret: SECRET, log: logs.log });
    tap = await TcpTap.start(a.url);
    tap.rewriteToServer = (text) => text.replace('"displayName":"spliceB"', '"displayName":"mallory"');
    const b = await cluster.start('spliceB', { secret: SECRET, peers: [tap.url] });
    await waitUntil(() => logs.lines.filter((line) => /encrypted link could not be set up/.test(line)).length >= 2, {
      describe: () => logs.lines.join('\n'),
    });
    assert.ok(!logs.lines.some((line) => /wrong or missing team secret/.test(line)), logs.lines.join('\n'));
    assert.deepEqual(a.node.status().peers, []);
    assert.equal(b.node.status().peers[0].connected, false);
  });

  it('refuses a wrong secret as before', async () => {
    const a = await cluster.start('wrongA', { secret: SECRET });
    await assert.rejects(
      MinidoteClient.connect(a.url, { secret: 'some other team secret 42' }),
      (error: unknown) => error instanceof AuthenticationError && /wrong or missing team secret/.test(error.message),
    );
    assert.deepEqual(a.node.status().peers, []);
  });
});

describe('net: a connection whose key is used up', () => {
  it('closes with the reason logged instead of reusing a nonce', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await new Promise((resolve) => socket.once('open', resolve));
    await accepted;
    const logged: string[] = [];
    const conn = new Connection(socket, 'used-up link', (_level, message) => logged.push(message));
    conn.secure(new SecureChannel(deriveLinkKeys(material()), { frames: 2, bytes: 1e9 }));
    const closed = new Promise<string>((resolve) => conn.onClose(resolve));
    conn.send({ t: 'clock', clock: {} });
    conn.send({ t: 'clock', clock: {} });
    assert.equal(conn.closed, false);
    conn.send({ t: 'clock', clock: {} });
    assert.match(await closed, /usage limit/);
    assert.ok(
      logged.some((line) => /used-up link: closing connection: .*usage limit/.test(line)),
      logged.join('\n'),
    );
    await new Promise((resolve) => server.close(resolve));
  });
});
