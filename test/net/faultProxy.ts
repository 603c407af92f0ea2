import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Per-message fault probabilities, decided by a seeded random source so runs repeat. */
export interface Faults {
  drop: number;
  duplicate: number;
  /** Hold a message back and release it after the next one. */
  reorder: number;
  /** Extra delay (ms) applied to a message with probability `delay`. */
  delay: number;
  delayMs: number;
}

export const NO_FAULTS: Faults = { drop: 0, duplicate: 0, reorder: 0, delay: 0, delayMs: 0 };

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

/**
 * A WebSocket proxy on 127.0.0.1 between two real nodes. It forwards messages and injects faults
 * (drop, duplicate, reorder, delay), and can partition (cut every connection and refuse new ones)
 * and heal.
 */
export class FaultProxy {
  faults: Faults = NO_FAULTS;
  /** How many messages each fault touched, so a test can show its faults really happened. */
  readonly injected = { dropped: 0, duplicated: 0, reordered: 0, delayed: 0 };
  private partitioned = false;
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    private readonly target: string,
    private readonly random: () => number,
  ) {
    server.on('connection', (client) => this.bridge(client));
  }

  static async start(target: string, seed: number): Promise<FaultProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return new FaultProxy(server, `ws://127.0.0.1:${port}`, target, seededRandom(seed));
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
    const upstream = new WebSocket(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const pendingToServer: string[] = [];
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
      for (const text of pendingToServer.splice(0)) upstream.send(text);
    });
    const toServer = this.pipe(upstream, HANDSHAKE_MESSAGES.toServer, pendingToServer);
    const toClient = this.pipe(client, HANDSHAKE_MESSAGES.toClient, []);
    client.on('message', (data) => toServer(data.toString()));
    upstream.on('message', (data) => toClient(data.toString()));
  }

  private pipe(destination: WebSocket, cleanMessages: number, pending: string[]): (text: string) => void {
    let seen = 0;
    let held: string | undefined;
    const send = (text: string) => {
      if (destination.readyState === WebSocket.OPEN) destination.send(text);
      else if (destination.readyState === WebSocket.CONNECTING) pending.push(text);
    };
    return (text) => {
      if (seen++ < cleanMessages) {
        send(text);
        return;
      }
      const f = this.faults;
      if (this.random() < f.drop) {
        this.injected.dropped++;
        return;
      }
      const copies = this.random() < f.duplicate ? 2 : 1;
      if (copies === 2) this.injected.duplicated++;
      const deliver = () => {
        for (let i = 0; i < copies; i++) send(text);
        if (held !== undefined) {
          const late = held;
          held = undefined;
          send(late);
        }
      };
      if (held === undefined && this.random() < f.reorder) {
        this.injected.reordered++;
        held = text;
        return;
      }
      if (this.random() < f.delay) {
        this.injected.delayed++;
        setTimeout(deliver, f.delayMs * this.random());
      } else deliver();
    };
  }
}
