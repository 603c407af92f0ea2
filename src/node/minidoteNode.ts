import { WaitingTransaction } from '../core/causalBuffer';
import { Disposable, Emitter } from '../core/emitter';
import { Json } from '../core/json';
import { ReadResult, Replica, ReplicaChange, ReplicaSnapshot } from '../core/replica';
import { joinSnapshots, snapshotOverclaim } from '../core/snapshotJoin';
import { ObjectKey, Update } from '../core/transaction';
import { VersionConflict } from '../core/transactionVersions';
import { VectorClock, leq } from '../core/vectorClock';
import { BackoffOptions, DEFAULT_BACKOFF } from '../net/backoff';
import { Log } from '../net/connection';
import { LocalIdentity } from '../net/handshake';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../net/messages';
import { DEFAULT_TIMING, SessionTiming } from '../net/peerSession';
import { ClientTls, ServerTls } from '../net/tls';
import { FsyncPolicy, RecoveryReport, Storage, StorageStats, openStorage } from '../storage';
import { NodeListener } from './nodeListener';
import { LastChange, ObjectActivity } from './objectActivity';
import { LoggedTransactions, ObjectHistory, TransactionRef, objectHistory, valueAsOf } from './objectHistory';
import { PeerLinks, PeerStatus } from './peerLinks';
import { DeliveredTransaction, RECENT_TRANSACTIONS_KEPT, RecentTransactions } from './recentTransactions';
import { DirectoryFile, ReplicaDirectory, ReplicaPresence, loadReplicaNames, presence } from './replicaDirectory';

export type { DeliveredTransaction, LastChange, ObjectHistory, PeerStatus, ReplicaPresence, TransactionRef };

export interface NodeOptions {
  readonly dataDir: string;
  readonly id?: string;
  readonly displayName?: string;
  readonly fsync?: FsyncPolicy;
  readonly listen?: { readonly host: string; readonly port: number };
  readonly peers?: readonly string[];
  readonly secret?: string;
  /** Listen on wss:// with this certificate and key (the team secret still authenticates). */
  readonly tls?: ServerTls;
  /** Trust for wss:// peers: a CA bundle instead of the system's roots. */
  readonly peerTls?: ClientTls;
  readonly log?: Log;
  readonly maxMessageBytes?: number;
  readonly timing?: Partial<SessionTiming>;
  readonly backoff?: BackoffOptions;
  readonly snapshotEvery?: number;
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

/**
 * One running Minidote node: composes a replica, its storage, its peer links and its listener.
 * Everything from outside (extension, CLI clients, peers) goes through here.
 */
export class MinidoteNode {
  private readonly peerEvents = new Emitter<void>();
  private readonly recent = new RecentTransactions(RECENT_TRANSACTIONS_KEPT);
  private readonly links: PeerLinks;
  private readonly listener: NodeListener;
  private readonly activity: ObjectActivity;
  private readonly names: ReplicaDirectory;
  private readonly namesFile: DirectoryFile;
  private secret: string | undefined;
  private closed = false;

  private constructor(
    readonly replica: Replica,
    readonly storage: Storage,
    readonly displayName: string,
    options: NodeOptions,
    private readonly log: Log,
  ) {
    this.secret = options.secret;
    this.names = new ReplicaDirectory(replica.id, loadReplicaNames(storage.dir, log));
    this.namesFile = new DirectoryFile(storage.dir, this.names, log);
    this.activity = new ObjectActivity(() => this.logged().transactions);
    this.links = new PeerLinks({
      replica,
      displayName,
      timing: { ...DEFAULT_TIMING, ...options.timing },
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      log,
      names: this.names,
      tls: options.peerTls,
      secret: () => this.secret,
      transactionsSince: (clock) => storage.transactionsSince(clock),
      transactionCostSince: (clock) => storage.transactionCostSince(clock),
      setRetention: (clock) => storage.setRetention(clock),
      logTogether: (work) => storage.appendTogether(work),
      installSnapshot: (snapshot, from) => this.installSnapshot(snapshot, from),
    });
    this.links.onChanged(() => this.peerEvents.emit());
    this.listener = new NodeListener({
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      tls: options.tls,
      clients: {
        read: (keys, clock, timeoutMs, signal) => this.read(keys, clock, timeoutMs, signal),
        update: (updates, clock, timeoutMs, signal) => this.update(updates, clock, timeoutMs, signal),
        status: () => this.clientStatus(),
      },
      log,
      identity: () => this.identity(),
      onPeer: (conn, hello) => this.links.accept(conn, hello.id as string, hello.displayName, hello.clock ?? {}),
      onChanged: () => this.peerEvents.emit(),
    });
    replica.onChange((change) => {
      if (change.kind === 'transaction') {
        this.recent.add(change.transaction, change.local);
        this.activity.delivered(change.transaction);
        this.links.broadcast(change.transaction);
      } else this.links.resyncAll();
    });
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
    return this.listener.url;
  }

  /** The replica's delivered clock. */
  get clock(): VectorClock {
    return this.replica.clock;
  }

  get dataDir(): string {
    return this.storage.dir;
  }

  /** What recovery found when the node opened (cut records, records set aside, fallbacks). */
  get recovery(): RecoveryReport {
    return this.storage.recovery;
  }

  /** The current value of one object (its type's initial value when never written). */
  value(key: ObjectKey): Json {
    return this.replica.value(key);
  }

  listObjects(): ObjectKey[] {
    return this.replica.listObjects();
  }

  /** An object's internal state (tags, per-replica counts), for the panel. */
  inspect(key: ObjectKey): Json {
    return this.replica.inspect(key);
  }

  exportState(): ReplicaSnapshot {
    return this.replica.exportState();
  }

  /** Resolves once this replica has delivered everything in `clock` (see Replica.waitFor). */
  waitFor(clock: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    return this.replica.waitFor(clock, timeoutMs, signal);
  }

  /** Snapshots the state now and compacts the log (normally done every `snapshotEvery` records). */
  writeSnapshot(): Promise<void> {
    return this.storage.writeSnapshot();
  }

  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    return this.replica.read(keys, clock, timeoutMs, signal);
  }

  /** Waits first while peers say this replica's storage lost some of its own history (PeerLinks.waitForOwnHistory). */
  async update(updates: Update[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<VectorClock> {
    await this.links.waitForOwnHistory(timeoutMs ?? OWN_HISTORY_WAIT_MS, signal);
    return this.replica.update(updates, clock, timeoutMs, signal);
  }

  listen(host: string, port: number): Promise<string> {
    return this.listener.listen(host, port, this.secret);
  }

  async stopListening(): Promise<void> {
    this.links.closeInbound();
    await this.listener.stop();
  }

  connectPeer(url: string): void {
    if (!this.closed) this.links.connect(url);
  }

  disconnectPeer(url: string): void {
    this.links.disconnect(url);
  }

  /** Replaces the configured outbound peers; unchanged ones keep their connection. */
  setPeers(urls: readonly string[]): void {
    this.links.setPeers(urls);
  }

  /**
   * New connections use the new secret; existing ones are re-established under it. Removing the
   * secret while listening beyond loopback is refused (nothing changes): stop listening first.
   */
  setSecret(secret: string | undefined): void {
    if (secret === this.secret) return;
    this.listener.checkSecret(secret);
    this.secret = secret;
    this.links.restart();
  }

  status(): NodeStatus {
    return {
      id: this.id,
      displayName: this.displayName,
      clock: this.replica.clock,
      listening: this.listener.url ?? null,
      peers: this.links.statuses(),
      waiting: this.replica.waitingTransactions(),
      storage: this.storage.stats(),
      conflicts: this.replica.conflicts(),
    };
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

  /** Who changed an object last, with the concurrent changes it did not see; undefined when unknown. */
  lastChange(key: ObjectKey): LastChange | undefined {
    return this.activity.lastChange(key);
  }

  /** The logged transactions that touched an object, newest first (see ObjectHistory). */
  history(key: ObjectKey): ObjectHistory {
    return objectHistory(key, this.logged());
  }

  /** An object's value right after one logged transaction, replayed; undefined when it cannot be known. */
  valueAsOf(key: ObjectKey, at: TransactionRef): Json | undefined {
    return valueAsOf(key, at, this.logged());
  }

  /**
   * A replica's display name: from its handshake when it is connected directly, else as this node
   * last heard it (from peers, also through hubs and chains, kept across restarts), else its id.
   */
  displayNameOf(id: string): string {
    if (id === this.id) return this.displayName;
    return this.links.statuses().find((p) => p.id === id && p.connected)?.displayName ?? (this.names.get(id)?.displayName || id);
  }

  /** Every other replica this node knows of: online directly, through a peer, or last seen when. */
  replicas(): ReplicaPresence[] {
    return presence(this.names, this.links.reachability());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.links.close();
    await this.listener.stop();
    this.namesFile.close();
    await this.storage.close();
  }

  /**
   * The whole log when it still starts from the empty state; else what it holds since the snapshot
   * recovery started from; else (a snapshot was installed since) nothing before the current clock.
   */
  logged(): LoggedTransactions {
    const all = this.storage.transactionsSince({});
    if (all) return { base: null, transactions: all };
    const base = this.storage.recovery.snapshotClock ?? {};
    const since = this.storage.transactionsSince(base);
    return since ? { base, transactions: since } : { base: this.replica.clock, transactions: [] };
  }

  /** What `minidote status` prints: the causal buffer as a count, since it can hold whole transactions. */
  private clientStatus(): Json {
    const { waiting, ...rest } = this.status();
    return { ...rest, waiting: waiting.length } as unknown as Json;
  }

  private identity(): LocalIdentity {
    return { id: this.id, displayName: this.displayName, clock: () => this.replica.clock, secret: this.secret };
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
