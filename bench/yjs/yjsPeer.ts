import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { BenchOp } from '../ops';
import { BenchStore, ProgressClock } from '../store';
import { BenchValues } from '../values';
import { applyYjsOp, yjsValues } from './yjsModel';

/**
 * The message types of the baseline's wire protocol, which is y-protocols' sync protocol reduced
 * to its two messages: a state vector ("what I have", sent by both sides when a socket opens) and an
 * update (the answer to a state vector, and every live change). One WebSocket binary message each,
 * as Minidote sends one text message per transaction batch.
 */
const STATE_VECTOR = 0;
const UPDATE = 1;

function frame(type: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

/**
 * A Yjs replica that replicates like a y-websocket server: it answers state vectors with what the
 * other side lacks and relays every update to every other socket. No authentication and no
 * validation beyond what Y.applyUpdate does (Minidote does both).
 *
 * Used well: the updates of one event-loop turn go out as one message per socket, merged with
 * Y.mergeUpdates, as Minidote sends one `txns` message per turn. Each operation stays its own
 * transaction, as in Minidote.
 */
export class YjsPeer implements BenchStore {
  readonly doc = new Y.Doc();
  private readonly sockets = new Set<WebSocket>();
  private readonly outbound = new Map<string, WebSocket>();
  private server: WebSocketServer | undefined;
  /** This turn's updates, each with the socket it came from (undefined: local). */
  private pending: { update: Uint8Array; origin: unknown }[] = [];

  constructor() {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ update, origin });
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    for (const socket of this.sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      const updates = pending.filter((p) => p.origin !== socket).map((p) => p.update);
      if (updates.length > 0) socket.send(frame(UPDATE, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates)));
    }
  }

  get id(): string {
    return String(this.doc.clientID);
  }

  async write(ops: readonly BenchOp[]): Promise<void> {
    for (const op of ops) applyYjsOp(this.doc, op);
  }

  progress(): ProgressClock {
    const out: ProgressClock = {};
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.doc))) out[String(client)] = clock;
    return out;
  }

  covers(target: ProgressClock): boolean {
    for (const [client, clock] of Object.entries(target)) if (Y.getState(this.doc.store, Number(client)) < clock) return false;
    return true;
  }

  onChange(listener: () => void): () => void {
    this.doc.on('update', listener);
    return () => this.doc.off('update', listener);
  }

  values(): BenchValues {
    return yjsValues(this.doc);
  }

  async listen(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => this.attach(socket));
    this.server = server;
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  connect(url: string): void {
    const socket = new WebSocket(url);
    this.outbound.set(url, socket);
    socket.once('open', () => this.attach(socket));
  }

  disconnect(url: string): void {
    this.outbound.get(url)?.close();
    this.outbound.delete(url);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.doc.destroy();
  }

  private attach(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data: Buffer) => {
      const payload = data.subarray(1);
      if (data[0] === STATE_VECTOR) socket.send(frame(UPDATE, Y.encodeStateAsUpdate(this.doc, payload)));
      else if (data[0] === UPDATE) Y.applyUpdate(this.doc, payload, socket);
    });
    socket.send(frame(STATE_VECTOR, Y.encodeStateVector(this.doc)));
  }
}
