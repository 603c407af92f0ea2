/**
 * Every detail of the wire format the hostile tests rely on, in one place: an authenticated "evil
 * peer" that sends messages of its choosing (binary, as protocol 4 speaks after the handshake,
 * including bodies the real encoder would refuse to write), a listener that completes the
 * handshake and hangs up, browser-like and stalled upgrades, and builders for transactions,
 * effects and snapshots.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ByteWriter } from '../../src/core/codec/byteWriter';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { newNames, writeObject, writeReplicaId } from '../../src/core/codec/nameTable';
import { encodeSnapshot } from '../../src/core/codec/snapshotCoding';
import { Effect, ObjectKey, Transaction } from '../../src/core/transaction';
import { ReplicaSnapshot } from '../../src/core/replica';
import { VectorClock } from '../../src/core/vectorClock';
import { Connection } from '../../src/net/connection';
import { acceptHandshake, offerHandshake } from '../../src/net/handshake';
import { WelcomeMessage } from '../../src/net/messages';

const quiet = (): void => undefined;

export interface EvilPeerOptions {
  readonly id: string;
  /** The clock its hello claims (default: knows nothing). */
  readonly clock?: VectorClock;
  readonly secret: string | undefined;
}

/**
 * A real peer connection (real ws client, the real handshake as role 'peer') that then sends
 * whatever it is told to, and notices when the node closes the link. Its encoder numbers the
 * messages of the link as a real peer's would, so the node reads (or refuses) their content.
 */
export class EvilPeer {
  readonly encoder = new LinkEncoder();

  private constructor(
    readonly conn: Connection,
    readonly welcome: WelcomeMessage,
    /** Resolves with the reason once the link is closed (by either side). */
    readonly closed: Promise<string>,
  ) {}

  static async connect(url: string, options: EvilPeerOptions): Promise<EvilPeer> {
    const socket = new WebSocket(url);
    const conn = new Connection(socket, `evil peer ${options.id}`, quiet);
    const closed = new Promise<string>((resolve) => conn.onClose(resolve));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const welcome = await offerHandshake(conn, {
      role: 'peer',
      id: options.id,
      displayName: options.id,
      clock: () => options.clock ?? {},
      secret: options.secret,
    });
    // What the node sends (catch-up, heartbeats) is read and dropped.
    conn.listenBinary(quiet);
    return new EvilPeer(conn, welcome, closed);
  }

  get isClosed(): boolean {
    return this.conn.closed;
  }

  /** A text message: after the handshake, a protocol violation. */
  sendText(text: string): void {
    this.conn.sendText(text);
  }

  send(messages: readonly Uint8Array[]): void {
    for (const message of messages) this.conn.sendBytes(message);
  }

  sendTxns(txns: readonly Transaction[]): void {
    this.send(this.encoder.transactions(txns, 512 * 1024));
  }

  sendClock(clock: VectorClock): void {
    this.send(this.encoder.clock(clock));
  }

  /** A whole snapshot, in pieces when it is large. */
  sendSnapshot(snapshot: ReplicaSnapshot): void {
    this.send(this.encoder.snapshot(encodeSnapshot(snapshot)));
  }

  /** A message with a body of our own making (kind byte first): see `forgedTransaction`. */
  sendRaw(body: Uint8Array): void {
    this.send(this.encoder.raw(body));
  }

  /**
   * Sends pieces of a message that never ends (none is the last), `pieceBytes` each, until
   * `totalBytes` went out or the node closed the link; paced so that the bytes pile up at the node,
   * not here. Returns how many bytes were sent.
   */
  async floodSnapshotParts(totalBytes: number, pieceBytes = 1024 * 1024): Promise<number> {
    let sent = 0;
    const data = new Uint8Array(pieceBytes);
    while (sent < totalBytes && !this.isClosed) {
      const piece = this.encoder.piece(data, false);
      this.conn.sendBytes(piece);
      sent += piece.length;
      await this.drained(4 * pieceBytes);
    }
    return sent;
  }

  /** Resolves once at most `bytes` are still queued in this process (or the link closed). */
  async drained(bytes = 0): Promise<void> {
    while (!this.isClosed && this.conn.bufferedAmount > bytes) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Whether the link is closed within `ms`. */
  closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(this.isClosed), ms))]);
  }

  /** Keeps the link busy without a heartbeat: an empty `txns` message every `ms`. Returns the stop. */
  keepAlive(ms: number): () => void {
    const timer = setInterval(() => this.sendTxns([]), ms);
    return () => clearInterval(timer);
  }

  close(): void {
    this.conn.close();
  }
}

/** `"deep"` inside `depth` arrays: a value nested that deep. */
export function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `depth` arrays nested around a string, as JSON text (for the CLI). */
export function nestedArrayText(depth: number): string {
  return `${'['.repeat(depth)}"deep"${']'.repeat(depth)}`;
}

/**
 * The body of a `txns` message (protocol 4) holding one transaction of `origin` at `seq`, whose
 * only effect on `place` has the compact form `effectBytes`, whatever they say: what no encoder
 * writes, for the node to refuse. It names everything in full, as the first message of a link
 * does, so it must be sent on a fresh EvilPeer (the node closes the link once it is refused).
 */
export function forgedTransaction(origin: string, seq: number, place: ObjectKey, effectBytes: readonly number[]): Uint8Array {
  const w = new ByteWriter();
  const names = newNames(true);
  w.u8(1);
  // The time as the link's base (0), one clock change: the origin's entry, from absent (-1) to seq.
  w.u8(1 << 2);
  writeReplicaId(w, names, origin);
  writeReplicaId(w, names, origin);
  w.svarint(seq + 1);
  w.uvarint(1);
  writeObject(w, names, place);
  for (const byte of effectBytes) w.u8(byte);
  return w.bytes();
}

// ---- Transactions and effects ------------------------------------------------------------------

/** The tag an origin mints for operation `index` of its transaction `seq`. */
export const tagOf = (origin: string, seq: number, index = 0): string => `${origin}:${seq}:${index}`;

/** Transaction `seq` of `origin`; `dependencies` are the other entries of its clock. */
export function transaction(origin: string, seq: number, effects: readonly Effect[], dependencies: VectorClock = {}, at = 0): Transaction {
  return { origin, clock: { ...dependencies, [origin]: seq }, at, effects };
}

type Place = Pick<ObjectKey, 'bucket' | 'key'>;

export const effect = {
  counterPn: (k: Place, delta: number): Effect => ({ bucket: k.bucket, key: k.key, type: 'counter_pn', effect: delta }),
  counterPnSb: (k: Place, replica: string, total: number): Effect => ({
    bucket: k.bucket,
    key: k.key,
    type: 'counter_pn_sb',
    effect: { half: 'p', replica, total },
  }),
  setAwAdd: (k: Place, tag: string, elements: readonly unknown[]): Effect => ({
    bucket: k.bucket,
    key: k.key,
    type: 'set_aw',
    effect: { tag, add: elements, rm: [] } as unknown as Effect['effect'],
  }),
  flagEnable: (k: Place, tag: string): Effect => ({ bucket: k.bucket, key: k.key, type: 'flag_ew', effect: { rm: [], enable: tag } }),
  registerAssign: (k: Place, tag: string, value: unknown): Effect => ({
    bucket: k.bucket,
    key: k.key,
    type: 'register_mv',
    effect: { rm: [], set: { value, tag } } as unknown as Effect['effect'],
  }),
};

// ---- A listener that completes the handshake as a node, then hangs up ---------------------------

export interface HangUpListener {
  readonly url: string;
  /** Sockets accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function handshakeThenHangUp(options: { id: string; secret: string | undefined }): Promise<HangUpListener> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  let accepted = 0;
  server.on('connection', (socket) => {
    accepted++;
    const conn = new Connection(socket, 'hang-up listener', quiet);
    acceptHandshake(conn, { id: options.id, displayName: options.id, clock: () => ({}), secret: options.secret }).then(
      () => conn.close(),
      () => conn.close(),
    );
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

// ---- Upgrades a node must refuse ---------------------------------------------------------------

export type UpgradeOutcome =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'closed'; readonly code: number }
  | { readonly kind: 'error'; readonly message: string };

/** Opens a WebSocket with extra upgrade headers and reports the first thing that happens. */
export function upgradeWith(url: string, headers: Readonly<Record<string, string>>, timeoutMs = 10_000): Promise<UpgradeOutcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: { ...headers } });
    const done = (outcome: UpgradeOutcome) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', quiet);
      socket.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'error', message: `nothing within ${timeoutMs} ms` }), timeoutMs);
    socket.on('message', (data) => done({ kind: 'message', text: data.toString() }));
    socket.on('unexpected-response', (_request, response) => done({ kind: 'refused', status: response.statusCode ?? 0 }));
    socket.on('close', (code) => done({ kind: 'closed', code }));
    socket.on('error', (error) => done({ kind: 'error', message: error.message }));
  });
}

/** A raw TCP socket that upgraded to WebSocket, then sent part of one huge frame and went silent. */
export interface StalledSocket {
  readonly socket: net.Socket;
  /** Whether the node answered the upgrade with 101. */
  readonly upgraded: boolean;
  /** When the node closed it (performance.now()), undefined while open. */
  closedAt(): number | undefined;
}

/**
 * Connects, upgrades (no Origin, the node's own Host), then sends the header of a masked text frame
 * announcing `frameBytes` and only `sentBytes` of its payload.
 */
export function stallInFrame(url: string, frameBytes: number, sentBytes: number): Promise<StalledSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let closedAt: number | undefined;
    let response = '';
    let settled = false;
    const settle = (upgraded: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ socket, upgraded, closedAt: () => closedAt });
    };
    socket.on('error', quiet);
    socket.on('close', () => {
      closedAt = performance.now();
      settle(false);
    });
    socket.on('connect', () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      if (settled) return;
      response += chunk.toString('latin1');
      if (!response.includes('\r\n\r\n')) return;
      const upgraded = response.startsWith('HTTP/1.1 101');
      if (upgraded) socket.write(Buffer.concat([frameHeader(frameBytes), randomBytes(sentBytes)]));
      settle(upgraded);
    });
  });
}

/** FIN + text opcode, masked, 64-bit length. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}
