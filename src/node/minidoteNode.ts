import { WaitingTransaction } from '../core/causalBuffer';
import { Disposable, Emitter } from '../core/emitter';
import { InvalidInputError, UnavailableError, errorMessage } from '../core/errors';
import { Json } from '../core/json';
import { ReadResult, Replica, ReplicaChange, ReplicaSnapshot } from '../core/replica';
import { ObjectKey, Transaction, Update } from '../core/transaction';
import { VectorClock, entry, leq } from '../core/vectorClock';
import { BackoffOptions, DEFAULT_BACKOFF } from '../net/backoff';
import { ClientHandler, serveClient } from '../net/clientSession';
import { Connection, Log } from '../net/connection';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../net/messages';
import { OutboundPeer } from '../net/outboundPeer';
import { DEFAULT_TIMING, PeerSession, ReplicationHost, SessionTiming } from '../net/peerSession';
import { isLoopbackHost, parsePeerUrl } from '../net/peerUrl';
import { Listener, listen } from '../net/server';
import { FsyncPolicy, Storage, StorageStats, openStorage } from '../storage';
import { RecentTransactions, DeliveredTransaction } from './recentTransactions';
import { minimumClock } from './retention';

export type { DeliveredTransaction };

export interface NodeOptions {
  readonly dataDir: string;
  readonly id?: string;
  readonly displayName?: string;
  readonly fsync?: FsyncPolicy;
  readonly listen?: { readonly host: string; readonly port: number };
  readonly peers?: readonly string[];
  readonly secret?: string;
  readonly log?: Log;
  readonly maxMessageBytes?: number;
  readonly timing?: Partial<SessionTiming>;
  readonly backoff?: BackoffOptions;
  readonly snapshotEvery?: number;
}

export interface PeerStatus {
  readonly id: string | null;
  readonly url: string | null;
  readonly direction: 'outbound' | 'inbound';
  readonly connected: boolean;
  readonly state: 'connecting' | 'connected' | 'reconnecting' | 'closed';
  readonly displayName: string | null;
  readonly lastSeen: number | null;
  readonly clock: VectorClock | null;
  readonly lastError: string | null;
}

export interface NodeStatus {
  readonly id: string;
  readonly displayName: string;
  readonly clock: VectorClock;
  readonly listening: string | null;
  readonly peers: PeerStatus[];
  readonly waiting: WaitingTransaction[];
  readonly storage: StorageStats;
}

interface OutboundEntry {
  readonly link: OutboundPeer;
  session: PeerSession | undefined;
}

/** One running Minidote node: a replica, its storage, and its links to peers and clients. */
export class MinidoteNode {
  private readonly outbound = new Map<string, OutboundEntry>();
  private readonly inbound = new Set<PeerSession>();
  private readonly peerEvents = new Emitter<void>();
  private readonly recent = new RecentTransactions(200);
  private readonly timing: SessionTiming;
  private readonly host: ReplicationHost;
  private listener: Listener | undefined;
  private secret: string | undefined;
  private closed = false;
  /** The highest sequence number of this replica that any peer has reported. */
  private ownSeqAtPeers = 0;

  private constructor(
    readonly replica: Replica,
    readonly storage: Storage,
    readonly displayName: string,
    private readonly options: NodeOptions,
    private readonly log: Log,
  ) {
    this.secret = options.secret;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.host = {
      id: replica.id,
      clock: () => this.replica.clock,
      transactionsSince: (clock) => this.storage.transactionsSince(clock),
      snapshot: () => this.replica.exportState(),
      receive: (txn) => this.replica.receive(txn),
      installSnapshot: (snapshot) => this.installSnapshot(snapshot),
    };
    replica.onChange((change) => this.onReplicaChange(change));
  }

  static async open(options: NodeOptions): Promise<MinidoteNode> {
    const log = options.log ?? (() => undefined);
    const { storage, replica } = await openStorage(options.dataDir, {
      id: options.id,
      fsync: options.fsync,
      snapshotEvery: options.snapshotEvery,
      report: (message) => log('warn', message),
    });
    const node = new MinidoteNode(replica, storage, options.displayName ?? replica.id, options, log);
    try {
      if (options.listen) await node.listen(options.listen.host, options.listen.port);
      node.setPeers(options.peers ?? []);
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  get id(): string {
    return this.replica.id;
  }

  get listenUrl(): string | undefined {
    return this.listener?.url;
  }

  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number): Promise<ReadResult> {
    return this.replica.read(keys, clock, timeoutMs);
  }

  /**
   * If a peer has seen later transactions of this replica than its own storage holds (it was
   * restored from an old backup, or lost unsynced writes under fsync "never"), a new transaction
   * would reuse a sequence number peers already know, and replicas would diverge for good. So the
   * update first waits until those transactions have come back from the peers.
   */
  async update(updates: Update[], clock?: VectorClock, timeoutMs?: number): Promise<VectorClock> {
    const own = { [this.id]: this.ownSeqAtPeers };
    if (!leq(own, this.replica.clock)) {
      try {
        await this.replica.waitFor(own, timeoutMs);
      } catch (error) {
        throw new UnavailableError(
          `peers know transactions of replica ${this.id} up to ${this.ownSeqAtPeers} that its storage lost ` +
            `(restored from an old backup?); updates wait until they are back: ${errorMessage(error)}`,
        );
      }
    }
    return this.replica.update(updates, clock, timeoutMs);
  }

  async listen(host: string, port: number): Promise<string> {
    if (!isLoopbackHost(host) && this.secret === undefined) {
      throw new InvalidInputError(
        `refusing to listen on ${host} without a team secret: anyone on the network could read and change the store; ` +
          'set a secret (--secret-file, or "Minidote: Set Team Secret") or listen on 127.0.0.1',
      );
    }
    await this.stopListening();
    const clients: ClientHandler = {
      read: (keys, clock, timeoutMs) => this.read(keys, clock, timeoutMs),
      update: (updates, clock, timeoutMs) => this.update(updates, clock, timeoutMs),
      status: () => this.clientStatus(),
    };
    this.listener = await listen(
      host,
      port,
      this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      {
        identity: () => this.identity(),
        onPeer: (conn, hello) => this.startInbound(conn, hello.id as string, hello.displayName, hello.clock ?? {}),
        onClient: (conn) => serveClient(conn, clients, this.log),
      },
      this.log,
    );
    this.peerEvents.emit();
    return this.listener.url;
  }

  async stopListening(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return;
    for (const session of this.inbound) session.close();
    await listener.close();
    this.peerEvents.emit();
  }

  connectPeer(url: string): void {
    const target = parsePeerUrl(url);
    if (this.outbound.has(target) || this.closed) return;
    const entry: OutboundEntry = {
      session: undefined,
      link: new OutboundPeer(
        target,
        () => ({ role: 'peer', id: this.id, displayName: this.displayName, clock: () => this.replica.clock, secret: this.secret }),
        this.options.backoff ?? DEFAULT_BACKOFF,
        {
          onConnected: (conn, welcome) => {
            entry.session = this.startSession(conn, welcome.id, welcome.displayName, welcome.clock);
            const session = entry.session;
            conn.onClose(() => {
              entry.session = undefined;
              this.onSessionClosed(session);
            });
          },
          onStateChange: () => this.peerEvents.emit(),
        },
        this.log,
      ),
    };
    this.outbound.set(target, entry);
    this.peerEvents.emit();
  }

  disconnectPeer(url: string): void {
    const target = parsePeerUrl(url);
    const entry = this.outbound.get(target);
    if (!entry) return;
    this.outbound.delete(target);
    entry.link.stop();
    this.peerEvents.emit();
  }

  /** Replaces the configured outbound peers; unchanged ones keep their connection. */
  setPeers(urls: readonly string[]): void {
    const wanted = new Set(urls.map(parsePeerUrl));
    for (const url of this.outbound.keys()) if (!wanted.has(url)) this.disconnectPeer(url);
    for (const url of wanted) this.connectPeer(url);
  }

  /** New connections use the new secret; existing ones are re-established under it. */
  setSecret(secret: string | undefined): void {
    if (secret === this.secret) return;
    this.secret = secret;
    for (const session of this.inbound) session.close();
    for (const { link } of this.outbound.values()) link.restart();
  }

  status(): NodeStatus {
    const peers: PeerStatus[] = [];
    for (const [url, { link, session }] of this.outbound) {
      peers.push({
        id: session?.peerId ?? null,
        url,
        direction: 'outbound',
        connected: session !== undefined,
        state: link.state,
        displayName: session?.displayName ?? null,
        lastSeen: session?.lastSeen ?? null,
        clock: session?.peerClock ?? null,
        lastError: link.lastError,
      });
    }
    for (const session of this.inbound) {
      peers.push({
        id: session.peerId,
        url: null,
        direction: 'inbound',
        connected: true,
        state: 'connected',
        displayName: session.displayName,
        lastSeen: session.lastSeen,
        clock: session.peerClock,
        lastError: null,
      });
    }
    return {
      id: this.id,
      displayName: this.displayName,
      clock: this.replica.clock,
      listening: this.listener?.url ?? null,
      peers,
      waiting: this.replica.waitingTransactions(),
      storage: this.storage.stats(),
    };
  }

  /** What `minidote status` prints: the causal buffer as a count, since it can hold whole transactions. */
  private clientStatus(): Json {
    const { waiting, ...rest } = this.status();
    return { ...rest, waiting: waiting.length } as unknown as Json;
  }

  onDidChange(listener: (change: ReplicaChange) => void): Disposable {
    return this.replica.onChange(listener);
  }

  onPeersChanged(listener: () => void): Disposable {
    return this.peerEvents.on(listener);
  }

  recentTransactions(): DeliveredTransaction[] {
    return this.recent.list();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { link } of this.outbound.values()) link.stop();
    this.outbound.clear();
    await this.stopListening();
    await this.storage.close();
  }

  private identity() {
    return { id: this.id, displayName: this.displayName, clock: () => this.replica.clock, secret: this.secret };
  }

  private startInbound(conn: Connection, peerId: string, displayName: string | undefined, clock: VectorClock): void {
    const session = this.startSession(conn, peerId, displayName ?? peerId, clock);
    this.inbound.add(session);
    conn.onClose(() => {
      this.inbound.delete(session);
      this.onSessionClosed(session);
    });
  }

  /**
   * Live broadcast goes over one link per peer: when two teammates each list the other, both
   * links stay up (for anti-entropy and failover) but a transaction travels once, and never back
   * to the peer it came from over either link.
   */
  private broadcast(txn: Transaction): void {
    const byPeer = new Map<string, PeerSession[]>();
    for (const session of this.sessions()) {
      const links = byPeer.get(session.peerId);
      if (links) links.push(session);
      else byPeer.set(session.peerId, [session]);
    }
    for (const links of byPeer.values()) if (!links.some((link) => link.knows(txn))) links[0].offer(txn);
  }

  /** What was in flight on a closed link may be lost: another link to the same peer refills it. */
  private onSessionClosed(closed: PeerSession): void {
    for (const session of this.sessions()) if (session.peerId === closed.peerId) session.sync(session.peerClock, false);
    this.peerEvents.emit();
  }

  private startSession(conn: Connection, peerId: string, displayName: string, clock: VectorClock): PeerSession {
    this.log('info', `${conn.label}: replicating with ${peerId}`);
    this.noteOwnSeq(clock);
    const session = new PeerSession(conn, peerId, displayName, clock, this.host, this.timing, this.log, () =>
      this.onPeerActivity(),
    );
    this.peerEvents.emit();
    return session;
  }

  private sessions(): PeerSession[] {
    const out = [...this.inbound];
    for (const { session } of this.outbound.values()) if (session) out.push(session);
    return out;
  }

  private onReplicaChange(change: ReplicaChange): void {
    if (change.kind === 'transaction') {
      this.recent.add(change.transaction, change.local);
      this.broadcast(change.transaction);
    } else {
      // A snapshot replaced the state: peers may now lack things our log cannot give them.
      for (const session of this.sessions()) session.sync(session.peerClock);
    }
  }

  /** Keeps the log records a known peer still needs (DESIGN.md, Storage). */
  private noteOwnSeq(peerClock: VectorClock): void {
    const seen = entry(peerClock, this.id);
    if (seen > this.ownSeqAtPeers) {
      this.ownSeqAtPeers = seen;
      if (seen > entry(this.replica.clock, this.id)) {
        this.log('warn', `peers know transactions of ${this.id} up to ${seen}, this storage only up to ${entry(this.replica.clock, this.id)}: catching up before new updates`);
      }
    }
  }

  private onPeerActivity(): void {
    const sessions = this.sessions();
    for (const session of sessions) this.noteOwnSeq(session.peerClock);
    this.storage.setRetention(sessions.length > 0 ? minimumClock(sessions.map((s) => s.peerClock)) : undefined);
    this.peerEvents.emit();
  }

  /**
   * Installs a snapshot from a peer without losing what only we have: our own log records not
   * covered by it are replayed on top, and the merged state becomes our new snapshot.
   */
  private installSnapshot(snapshot: ReplicaSnapshot): void {
    if (leq(snapshot.clock, this.replica.clock)) return;
    const ours: Transaction[] | undefined = this.storage.transactionsSince(snapshot.clock);
    if (ours === undefined && !leq(this.replica.clock, snapshot.clock)) {
      this.log('warn', 'received a snapshot that lacks transactions our compacted log cannot replay; waiting for the peer to catch up first');
      return;
    }
    const merged = new Replica(this.id);
    merged.importState(snapshot);
    for (const txn of ours ?? []) merged.replay(txn);
    const state = merged.exportState();
    this.replica.importState(state);
    this.storage.writeSnapshot(state).catch((error: unknown) => this.log('error', `could not write the received snapshot: ${String(error)}`));
  }
}
