import WebSocket from 'ws';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { Replica, ReplicaSnapshot } from '../../src/core/replica';
import { Transaction } from '../../src/core/transaction';
import { VectorClock, leq } from '../../src/core/vectorClock';
import { ListenerLimits } from '../../src/net/admission';
import { Connection, Log } from '../../src/net/connection';
import { ConnectorIdentity, LocalIdentity, offerHandshake } from '../../src/net/handshake';
import { DEFAULT_MAX_MESSAGE_BYTES, HelloMessage, WelcomeMessage } from '../../src/net/messages';
import { DEFAULT_TIMING, PeerSession, ReplicationHost } from '../../src/net/peerSession';
import { Listener, ListenerHandlers, listen } from '../../src/net/server';

/**
 * Runs the network layer on its own, without the node: a real listener on 127.0.0.1 and real
 * WebSocket connections, with replication hosts kept in memory.
 */
export const quiet: Log = () => undefined;
export const testLog: Log = process.env.MINIDOTE_TEST_LOG ? (level, message) => console.error(`${level} ${message}`) : quiet;

/** A ReplicationHost over a core Replica; `compacted` makes it answer catch-up with snapshots only. */
export class MemoryHost implements ReplicationHost {
  readonly history: Transaction[] = [];
  installed = 0;
  /** How often the session read transactions from the history (a log read in a node). */
  historyReads = 0;

  constructor(
    readonly replica: Replica,
    private readonly compacted = false,
  ) {
    replica.onChange((change) => {
      if (change.kind === 'transaction') this.history.push(change.transaction);
    });
  }

  get id(): string {
    return this.replica.id;
  }

  clock(): VectorClock {
    return this.replica.clock;
  }

  transactionsSince(clock: VectorClock): Transaction[] | undefined {
    this.historyReads++;
    return this.missing(clock);
  }

  /** What the missing transactions take on a fresh link. */
  transactionCostSince(clock: VectorClock): { records: number; bytes: number } | undefined {
    const missing = this.missing(clock);
    if (missing === undefined) return undefined;
    const messages = new LinkEncoder().transactions(missing, Infinity);
    return { records: missing.length, bytes: messages.reduce((sum, m) => sum + m.length, 0) };
  }

  private missing(clock: VectorClock): Transaction[] | undefined {
    if (this.compacted && !leq(this.replica.clock, clock)) return undefined;
    return this.history.filter((txn) => !leq(txn.clock, clock));
  }

  snapshot(): ReplicaSnapshot {
    return this.replica.exportState();
  }

  receive(txn: Transaction) {
    return this.replica.receive(txn);
  }

  logTogether(work: () => void): void {
    work();
  }

  installSnapshot(snapshot: ReplicaSnapshot): void {
    this.installed++;
    if (!leq(snapshot.clock, this.replica.clock)) this.replica.importState(snapshot);
  }
}

export function identityOf(host: ReplicationHost, secret?: string): LocalIdentity {
  return { id: host.id, displayName: host.id, clock: () => host.clock(), secret };
}

/** A listener whose handlers default to doing nothing with authenticated sockets. */
export function listenForTest(
  handlers: Partial<ListenerHandlers> & Pick<ListenerHandlers, 'identity'>,
  limits: Partial<ListenerLimits> = {},
  log: Log = testLog,
): Promise<Listener> {
  return listen(
    '127.0.0.1',
    0,
    DEFAULT_MAX_MESSAGE_BYTES,
    { onPeer: () => undefined, onClient: () => undefined, ...handlers },
    log,
    limits,
  );
}

/** A WebSocket connection to `url`, open, not yet authenticated. */
export async function openConnection(url: string, label = 'test connection'): Promise<Connection> {
  const socket = new WebSocket(url, { maxPayload: DEFAULT_MAX_MESSAGE_BYTES });
  const conn = new Connection(socket, label, testLog);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return conn;
}

/** An authenticated connection as a peer (or client) that can then send anything at all. */
export async function connectAs(url: string, identity: ConnectorIdentity): Promise<{ conn: Connection; welcome: WelcomeMessage }> {
  const conn = await openConnection(url);
  const welcome = await offerHandshake(conn, identity);
  return { conn, welcome };
}

export interface SessionPair {
  readonly listener: Listener;
  /** The session at the listening host. */
  readonly inbound: Promise<PeerSession>;
  /** The session at the connecting host. */
  readonly outbound: PeerSession;
  close(): Promise<void>;
}

/** Replicates `listening` and `connecting` over one real WebSocket through a real listener. */
export async function linkHosts(listening: MemoryHost, connecting: MemoryHost): Promise<SessionPair> {
  let resolveInbound: (session: PeerSession) => void = () => undefined;
  const inbound = new Promise<PeerSession>((resolve) => (resolveInbound = resolve));
  const listener = await listenForTest({
    identity: () => identityOf(listening),
    onPeer: (conn: Connection, hello: HelloMessage) =>
      resolveInbound(
        new PeerSession(
          conn,
          hello.id as string,
          hello.id as string,
          hello.clock ?? {},
          listening,
          DEFAULT_TIMING,
          testLog,
          () => undefined,
        ),
      ),
  });
  const { conn, welcome } = await connectAs(listener.url, {
    role: 'peer',
    id: connecting.id,
    clock: () => connecting.clock(),
    secret: undefined,
  });
  const outbound = new PeerSession(
    conn,
    welcome.id,
    welcome.displayName,
    welcome.clock,
    connecting,
    DEFAULT_TIMING,
    testLog,
    () => undefined,
  );
  return {
    listener,
    inbound,
    outbound,
    close: async () => {
      outbound.close();
      (await inbound).close();
      await listener.close();
    },
  };
}

/** Resolves with the reason once the connection is closed (by either side). */
export function closedWith(conn: Connection): Promise<string> {
  return new Promise((resolve) => conn.onClose(resolve));
}
