import WebSocket from 'ws';
import { InvalidInputError, MinidoteError, UnavailableError } from '../core/errors';
import { Json } from '../core/json';
import { ObjectKey, Update } from '../core/transaction';
import { VectorClock, parseClock } from '../core/vectorClock';
import { Connection } from './connection';
import { offerHandshake } from './handshake';
import { ClientResponse } from './messages';
import { MAX_ASSEMBLED_BYTES } from './pieces';
import { parsePeerUrl } from './peerUrl';
import { SEAL_OVERHEAD } from './secureChannel';
import { ClientTls, describeConnectError, tlsConnectOptions } from './tls';

export interface ClientOptions {
  readonly secret?: string;
  /** Bounds the connection attempt and the handshake. */
  readonly timeoutMs?: number;
  /** Trust for a wss:// node. */
  readonly tls?: ClientTls;
}

export class RemoteError extends MinidoteError {}

/**
 * Largest answer a client takes: a read of one large object may exceed the node's message limit
 * (which bounds what the node accepts, not what it answers), up to what peers may replicate.
 */
export const MAX_RESPONSE_BYTES = MAX_ASSEMBLED_BYTES;

/** A command-line or script client of one node. */
export class MinidoteClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (body: Json) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly conn: Connection,
    readonly nodeId: string,
  ) {
    conn.listen(ClientResponse, (response) => {
      const waiter = this.pending.get(response.id);
      if (!waiter) return;
      this.pending.delete(response.id);
      if (response.ok) waiter.resolve(response.body);
      else waiter.reject(new RemoteError(response.error.kind, response.error.message));
    });
    conn.onClose((reason) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new UnavailableError(`connection to the node closed: ${reason}`));
      }
      this.pending.clear();
    });
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<MinidoteClient> {
    const target = parsePeerUrl(url);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const socket = new WebSocket(target, {
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_RESPONSE_BYTES + SEAL_OVERHEAD,
      ...tlsConnectOptions(options.tls),
    });
    // Listen before the socket opens: the node's challenge can arrive together with the upgrade.
    const conn = new Connection(socket, target, () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(new UnavailableError(`cannot connect to ${target}: ${describeConnectError(target, error)}`)));
    });
    const welcome = await offerHandshake(conn, { role: 'client', secret: options.secret }, timeoutMs);
    return new MinidoteClient(conn, welcome.id);
  }

  /** A request may outlive the connection timeout (a clock wait); the node enforces that bound. */
  private request(message: Record<string, Json | undefined>): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.conn.send({ ...message, id });
    });
  }

  async read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number): Promise<{ values: Json[]; clock: VectorClock }> {
    const body = await this.request({ t: 'read', keys: keys as unknown as Json, clock, timeoutMs });
    const rec = body as { values?: unknown; clock?: unknown };
    if (!Array.isArray(rec.values)) throw new InvalidInputError('node answered a read without values');
    return { values: rec.values as Json[], clock: parseClock(rec.clock) };
  }

  async update(updates: Update[], clock?: VectorClock, timeoutMs?: number): Promise<VectorClock> {
    const body = await this.request({ t: 'update', updates: updates as unknown as Json, clock, timeoutMs });
    return parseClock((body as { clock?: unknown }).clock);
  }

  status(): Promise<Json> {
    return this.request({ t: 'status' });
  }

  close(): void {
    this.conn.close();
  }
}
