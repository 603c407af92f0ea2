import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Per-message fault probabilities, decided by seeded random sources so runs repeat. */
export interface Faults {
  drop: number;
  duplicate: number;
  /** Hold a message back and release it after the next one. */
  reorder: number;
  /** Extra delay (up to `delayMs` ms) applied to a message with probability `delay`. */
  delay: number;
  delayMs: number;
}

export const NO_FAULTS: Faults = { drop: 0, duplicate: 0, reorder: 0, delay: 0, delayMs: 0 };

export type FaultKind = 'drop' | 'duplicate' | 'reorder' | 'delay';

/** How many messages each fault touched, so a test can show that its faults really happened. */
export interface FaultCounts {
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
}

export function noFaultCounts(): FaultCounts {
  return { dropped: 0, duplicated: 0, reordered: 0, delayed: 0 };
}

export function addFaultCounts(a: FaultCounts, b: FaultCounts): FaultCounts {
  return {
    dropped: a.dropped + b.dropped,
    duplicated: a.duplicated + b.duplicated,
    reordered: a.reordered + b.reordered,
    delayed: a.delayed + b.delayed,
  };
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The handshake (challenge, hello, welcome) passes untouched; faults apply to replication after it. */
const HANDSHAKE_MESSAGES = { toClient: 2, toServer: 1 };

/** One WebSocket message as it crossed the proxy, forwarded as it came (text or binary). */
interface Message {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/**
 * A snapshot on the wire (protocol 4, core/codec/linkCodec.ts): a binary message whose kind, the
 * byte after the length, is a snapshot (3) or a piece of a large message (4).
 */
function isSnapshotMessage({ data, isBinary }: Message): boolean {
  if (!isBinary) return false;
  let at = 0;
  while (at < data.length && data[at] & 0x80) at++;
  const kind = data[at + 1];
  return kind === 3 || kind === 4;
}

/**
 * A WebSocket proxy on 127.0.0.1 between two real nodes. It forwards messages and injects faults
 * (drop, duplicate, reorder, delay), and can partition (cut every connection and refuse new ones)
 * and heal.
 *
 * Each direction of each bridged connection draws from its own generator, seeded from the proxy's
 * seed, the connection's number and the direction: what happens to one direction's messages does
 * not depend on how they interleave with the other's, so a seed replays the same faults.
 */
export class FaultProxy {
  faults: Faults = NO_FAULTS;
  readonly injected: FaultCounts = noFaultCounts();
  /** Snapshot messages that went through, and the faults that hit them. */
  readonly snapshots = { messages: 0, faults: noFaultCounts() };
  /** Faults forced on the next snapshot messages, one per message, before the random ones apply. */
  private readonly snapshotFaults: FaultKind[] = [];
  private partitioned = false;
  private connections = 0;
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    private readonly target: string,
    readonly seed: number,
  ) {
    server.on('connection', (client) => this.bridge(client));
  }

  static async start(target: string, seed: number): Promise<FaultProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return new FaultProxy(server, `ws://127.0.0.1:${port}`, target, seed);
  }

  /** Applies `kinds`, in order, to the next snapshot messages (whatever `faults` says). */
  forceOnSnapshots(...kinds: FaultKind[]): void {
    this.snapshotFaults.push(...kinds);
  }

  partition(): void {
    this.partitioned = true;
    for (const socket of this.sockets) socket.terminate();
  }

  heal(): void {
    this.partitioned = false;
  }

  async close(): Promise<void> {
    this.partition();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private bridge(client: WebSocket): void {
    if (this.partitioned) {
      client.terminate();
      return;
    }
    const connection = ++this.connections;
    const upstream = new WebSocket(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const pendingToServer: Message[] = [];
    const cut = () => {
      client.terminate();
      upstream.terminate();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', cut);
    upstream.on('close', cut);
    client.on('error', cut);
    upstream.on('error', cut);
    upstream.on('open', () => {
      for (const message of pendingToServer.splice(0)) upstream.send(message.data, { binary: message.isBinary });
    });
    const random = (direction: number) => seededRandom(Math.imul(this.seed, 2654435761) ^ (connection * 2 + direction));
    const toServer = this.pipe(upstream, HANDSHAKE_MESSAGES.toServer, pendingToServer, random(0));
    const toClient = this.pipe(client, HANDSHAKE_MESSAGES.toClient, [], random(1));
    client.on('message', (data, isBinary) => toServer({ data: data as Buffer, isBinary }));
    upstream.on('message', (data, isBinary) => toClient({ data: data as Buffer, isBinary }));
  }

  /** The fault for one message: a forced one for a snapshot, else drawn with the probabilities. */
  private decide(message: Message, random: () => number, canHold: boolean): { kind?: FaultKind; delayMs: number } {
    const f = this.faults;
    // Every draw happens whatever the outcome, so each message consumes the same amount of randomness.
    const draws = { drop: random(), duplicate: random(), reorder: random(), delay: random(), delayMs: random() };
    const forced = isSnapshotMessage(message) ? this.snapshotFaults.shift() : undefined;
    const delayMs = Math.max(1, f.delayMs) * draws.delayMs;
    if (forced) return { kind: forced === 'reorder' && !canHold ? 'delay' : forced, delayMs: Math.max(delayMs, 20) };
    if (draws.drop < f.drop) return { kind: 'drop', delayMs };
    if (draws.duplicate < f.duplicate) return { kind: 'duplicate', delayMs };
    if (canHold && draws.reorder < f.reorder) return { kind: 'reorder', delayMs };
    if (draws.delay < f.delay) return { kind: 'delay', delayMs };
    return { delayMs };
  }

  private count(kind: FaultKind, snapshot: boolean): void {
    const field = ({ drop: 'dropped', duplicate: 'duplicated', reorder: 'reordered', delay: 'delayed' } as const)[kind];
    this.injected[field]++;
    if (snapshot) this.snapshots.faults[field]++;
  }

  private pipe(destination: WebSocket, cleanMessages: number, pending: Message[], random: () => number): (message: Message) => void {
    let seen = 0;
    let held: Message | undefined;
    const send = (message: Message) => {
      if (destination.readyState === WebSocket.OPEN) destination.send(message.data, { binary: message.isBinary });
      else if (destination.readyState === WebSocket.CONNECTING) pending.push(message);
    };
    return (message) => {
      if (seen++ < cleanMessages) {
        send(message);
        return;
      }
      const snapshot = isSnapshotMessage(message);
      if (snapshot) this.snapshots.messages++;
      const { kind, delayMs } = this.decide(message, random, held === undefined);
      if (kind) this.count(kind, snapshot);
      if (kind === 'drop') return;
      if (kind === 'reorder') {
        held = message;
        return;
      }
      const deliver = () => {
        send(message);
        if (kind === 'duplicate') send(message);
        if (held !== undefined) {
          const late = held;
          held = undefined;
          send(late);
        }
      };
      if (kind === 'delay') setTimeout(deliver, delayMs);
      else deliver();
    };
  }
}
