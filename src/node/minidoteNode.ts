import { WaitingTransaction } from '../core/causalBuffer';
import { Disposable, Emitter } from '../core/emitter';
import { UnavailableError } from '../core/errors';
import { Json } from '../core/json';
import { ReadResult, ReceiveOutcome, Replica, ReplicaChange, ReplicaSnapshot } from '../core/replica';
import { joinSnapshots, snapshotOverclaim } from '../core/snapshotJoin';
import { ObjectKey, Transaction, Update } from '../core/transaction';
import { VersionConflict } from '../core/transactionVersions';
import { VectorClock, entry, leq } from '../core/vectorClock';
import { BackoffOptions, DEFAULT_BACKOFF } from '../net/backoff';
import { ClientHandler, serveClient } from '../net/clientSession';
import { Connection, Log } from '../net/connection';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../net/messages';
import { OutboundPeer } from '../net/outboundPeer';
import { DEFAULT_TIMING, PeerSession, ReplicationHost, SessionTiming } from '../net/peerSession';
import { parsePeerUrl } from '../net/peerUrl';
import { Listener, listen } from '../net/server';
import { FsyncPolicy, Storage, StorageStats, openStorage } from '../storage';
import { checkListenPolicy } from './listenPolicy';
import { OwnSequenceGuard } from './ownSequenceGuard';
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
  /** Second versions of known transactions that were refused: a replica rewrote its history. */
  readonly conflicts: readonly VersionConflict[];
}

/** How long an update waits by default for its own history to come back from peers. */
const OWN_HISTORY_WAIT_MS = 10_000;

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
  private listener: Listener | undefined;
  private listenHost: string | undefined;
  private secret: string | undefined;
  private closed = false;
  private readonly ownHistory = new OwnSequenceGuard();
  private linkCount = 0;

  private constructor(
    readonly replica: Replica,
    readonly storage: Storage,
    readonly displayName: string,
    private readonly options: NodeOptions,
    private readonly log: Log,
  ) {
    this.secret = options.secret;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
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

  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    return this.replica.read(keys, clock, timeoutMs, signal);
  }

  /**
   * If a peer has seen later transactions of this replica than its own storage holds (it was
   * restored from an old backup, or lost unsynced writes under fsync "never"), a new transaction
   * would reuse a sequence number peers already know, and replicas would diverge for good. So the
   * update first waits until those transactions have come back from the peers.
   */
  async update(updates: Update[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<VectorClock> {
    await this.waitForOwnHistory(timeoutMs ?? OWN_HISTORY_WAIT_MS, signal);
    return this.replica.update(updates, clock, timeoutMs, signal);
  }

  async listen(host: string, port: number): Promise<string> {
    checkListenPolicy(host, this.secret);
    await this.stopListening();
    const clients: ClientHandler = {
      read: (keys, clock, timeoutMs, signal) => this.read(keys, clock, timeoutMs, signal),
      update: (updates, clock, timeoutMs, signal) => this.update(updates, clock, timeoutMs, signal),
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
    this.listenHost = host;
    this.peerEvents.emit();
    return this.listener.url;
  }

  async stopListening(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.listenHost = undefined;
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

  /**
   * New connections use the new secret; existing ones are re-established under it. Removing the
   * secret while listening beyond loopback is refused (nothing changes): stop listening first.
   */
  setSecret(secret: string | undefined): void {
    if (secret === this.secret) return;
    if (this.listenHost !== undefined) checkListenPolicy(this.listenHost, secret);
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
      conflicts: this.replica.conflicts(),
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

  /**
   * Each session gets its own view of the node, so that what a link brought can be told apart:
   * its waiting transactions go when it closes, and its claim about our own history is its own.
   */
  private startSession(conn: Connection, peerId: string, displayName: string, clock: VectorClock): PeerSession {
    this.log('info', `${conn.label}: replicating with ${peerId}`);
    const source = `link-${++this.linkCount}`;
    const link = {};
    const host: ReplicationHost = {
      id: this.id,
      clock: () => this.replica.clock,
      transactionsSince: (since) => this.storage.transactionsSince(since),
      snapshot: () => this.replica.exportState(),
      receive: (txn) => this.receiveFrom(link, source, conn.label, peerId, txn),
      installSnapshot: (snapshot) => this.installSnapshot(snapshot, `${peerId} (${conn.label})`),
    };
    this.noteClaim(link, clock);
    const session = new PeerSession(conn, peerId, displayName, clock, host, this.timing, this.log, () =>
      this.onPeerActivity(link, peerId),
    );
    conn.onClose(() => {
      this.replica.dropBufferedFrom(source);
      this.ownHistory.withdraw(link);
    });
    this.peerEvents.emit();
    return session;
  }

  private receiveFrom(link: object, source: string, label: string, peerId: string, txn: Transaction): ReceiveOutcome {
    const outcome = this.replica.receive(txn, source);
    if (txn.origin === this.id && outcome !== 'duplicate') this.ownHistory.progressed(link);
    if (outcome === 'conflict') {
      this.log('warn', `${label}: ${peerId} sent a second, different version of transaction ${txn.origin}:${txn.clock[txn.origin]}; refused (first version kept)`);
    }
    return outcome;
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

  /** A handshake that says the peer knows more of our own history than we have (see update). */
  private noteClaim(link: object, peerClock: VectorClock): void {
    const claimed = entry(peerClock, this.id);
    const own = entry(this.replica.clock, this.id);
    if (claimed <= own) return;
    this.ownHistory.claim(link, claimed);
    this.log('warn', `a peer says it knows transactions of ${this.id} up to ${claimed}, this storage only up to ${own}: catching up before new updates`);
  }

  private onPeerActivity(link: object, peerId: string): void {
    const withdrawn = this.ownHistory.heartbeat(link, entry(this.replica.clock, this.id));
    if (withdrawn !== undefined) {
      this.log('warn', `${peerId} claimed transactions of ${this.id} up to ${withdrawn} but has not sent them; ignoring the claim`);
    }
    const sessions = this.sessions();
    this.storage.setRetention(sessions.length > 0 ? minimumClock(sessions.map((s) => s.peerClock)) : undefined);
    this.peerEvents.emit();
  }

  /** Waits while a standing claim or a waiting transaction of ours says our storage lost history. */
  private async waitForOwnHistory(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const own = entry(this.replica.clock, this.id);
      const needed = Math.max(this.ownHistory.highest(), this.replica.holdsWaitingFrom(this.id) ? own + 1 : 0);
      if (needed <= own) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) {
        throw new UnavailableError(
          `peers know transactions of replica ${this.id} up to ${needed} that its storage lost ` +
            `(restored from an old backup?); updates wait until they are back, and they did not come back within ${timeoutMs} ms`,
        );
      }
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([
          this.replica.waitFor({ [this.id]: needed }, Math.min(remaining, OWN_HISTORY_WAIT_MS), stop.signal).catch(() => undefined),
          this.ownHistory.nextChange(stop.signal),
        ]);
      } finally {
        stop.abort();
        signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  /**
   * Installs a snapshot from a peer as a join with our state (docs/architecture.md, "Snapshots only
   * add knowledge"): nothing we have that its clock does not cover is lost. The joined state is on
   * disk before the replica takes it, so no later acknowledged write can depend on an unsaved install.
   */
  private installSnapshot(snapshot: ReplicaSnapshot, from: string): void {
    if (leq(snapshot.clock, this.replica.clock)) return;
    const overclaim = snapshotOverclaim(this.id, this.replica.clock, snapshot.clock);
    if (overclaim) {
      this.log('warn', `refused a snapshot from ${from}: ${overclaim}`);
      return;
    }
    const joined = joinSnapshots(this.replica.exportState(), snapshot);
    this.storage.installSnapshot(joined);
    this.replica.importState(joined);
  }
}
