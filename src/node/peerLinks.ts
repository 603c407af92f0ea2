import { Disposable, Emitter } from '../core/emitter';
import type { PeerStatus } from '../core/peerStatus';
import { UnavailableError } from '../core/errors';
import { cleanDisplayName } from '../core/replicaName';
import { ReceiveOutcome, Replica, ReplicaSnapshot } from '../core/replica';
import { Transaction } from '../core/transaction';
import { VectorClock, entry } from '../core/vectorClock';
import { BackoffOptions } from '../net/backoff';
import { Connection, Log } from '../net/connection';
import { ConnectorIdentity } from '../net/handshake';
import { OutboundPeer } from '../net/outboundPeer';
import { ClientTls } from '../net/tls';
import { PeerSession, ReplicationHost, SessionTiming } from '../net/peerSession';
import { parsePeerUrl } from '../net/peerUrl';
import { OwnSequenceGuard } from './ownSequenceGuard';
import { Reachability, ReplicaDirectory } from './replicaDirectory';
import { minimumClock } from './retention';

export type { PeerStatus };

/** What the links need from the node they belong to. */
export interface LinksContext {
  readonly replica: Replica;
  readonly displayName: string;
  readonly timing: SessionTiming;
  readonly backoff: BackoffOptions;
  readonly log: Log;
  /** The names of the replicas this node has heard of: the links keep it and spread it. */
  readonly names: ReplicaDirectory;
  /** Trust for wss:// peers. */
  readonly tls?: ClientTls;
  secret(): string | undefined;
  /** Delivered transactions not covered by `clock`, from the log; undefined once compacted away. */
  transactionsSince(clock: VectorClock): Transaction[] | undefined;
  /** How many transactions `transactionsSince(clock)` would return and their bytes, without reading them. */
  transactionCostSince(clock: VectorClock): { readonly records: number; readonly bytes: number } | undefined;
  /** The lowest clock a connected peer may still need from the log (undefined: no peer). */
  setRetention(clock: VectorClock | undefined): void;
  /** Runs `work` with the log records of the transactions it receives written together. */
  logTogether(work: () => void): void;
  installSnapshot(snapshot: ReplicaSnapshot, from: string): void;
}

interface OutboundEntry {
  readonly link: OutboundPeer;
  session: PeerSession | undefined;
}

/**
 * The node's replication links: configured outbound peers (kept connected with backoff) and
 * accepted inbound ones, each running a PeerSession. Broadcasts each delivered transaction over
 * one link per peer, refills what a closed link may have lost, keeps the log's retention clock,
 * and guards our own sequence numbers against reuse (see OwnSequenceGuard).
 */
export class PeerLinks {
  private readonly outbound = new Map<string, OutboundEntry>();
  private readonly inbound = new Set<PeerSession>();
  private readonly changes = new Emitter<void>();
  private readonly ownHistory: OwnSequenceGuard;
  private linkCount = 0;
  private closed = false;
  /** The sessions grouped by peer, made again only when a session starts or ends (see `broadcast`). */
  private byPeer: PeerSession[][] | undefined;

  constructor(private readonly context: LinksContext) {
    this.ownHistory = new OwnSequenceGuard(claimPatienceMs(context.timing), (seq) =>
      context.log('warn', `a peer claimed transactions of ${this.id} up to ${seq} but has not sent them; ignoring the claim`),
    );
    context.names.onChanged(() => this.changes.emit());
  }

  private get id(): string {
    return this.context.replica.id;
  }

  onChanged(listener: () => void): Disposable {
    return this.changes.on(listener);
  }

  connect(url: string): void {
    const target = parsePeerUrl(url);
    if (this.outbound.has(target) || this.closed) return;
    const { replica, displayName, backoff, log, tls } = this.context;
    const identity = (): ConnectorIdentity => ({
      role: 'peer',
      id: this.id,
      displayName,
      clock: () => replica.clock,
      secret: this.context.secret(),
    });
    const entry: OutboundEntry = {
      session: undefined,
      link: new OutboundPeer(
        target,
        identity,
        backoff,
        {
          onConnected: (conn, welcome) => {
            const session = this.startSession(conn, welcome.id, welcome.displayName, welcome.clock);
            entry.session = session;
            this.byPeer = undefined;
            conn.onClose(() => {
              entry.session = undefined;
              this.byPeer = undefined;
              this.onSessionClosed(session);
            });
          },
          onStateChange: () => this.changes.emit(),
        },
        log,
        tls,
      ),
    };
    this.outbound.set(target, entry);
    this.changes.emit();
  }

  disconnect(url: string): void {
    const target = parsePeerUrl(url);
    const entry = this.outbound.get(target);
    if (!entry) return;
    this.outbound.delete(target);
    if (entry.session) this.byPeer = undefined;
    entry.link.stop();
    this.changes.emit();
  }

  /** Replaces the configured outbound peers; unchanged ones keep their connection. */
  setPeers(urls: readonly string[]): void {
    const wanted = new Set(urls.map(parsePeerUrl));
    for (const url of this.outbound.keys()) if (!wanted.has(url)) this.disconnect(url);
    for (const url of wanted) this.connect(url);
  }

  accept(conn: Connection, peerId: string, displayName: string | undefined, clock: VectorClock): void {
    const session = this.startSession(conn, peerId, displayName, clock);
    this.inbound.add(session);
    this.byPeer = undefined;
    conn.onClose(() => {
      this.inbound.delete(session);
      this.byPeer = undefined;
      this.onSessionClosed(session);
    });
  }

  /** Every link is established again (after the secret changed). */
  restart(): void {
    this.closeInbound();
    for (const { link } of this.outbound.values()) link.restart();
  }

  closeInbound(): void {
    for (const session of this.inbound) session.close();
  }

  /**
   * Live broadcast goes over one link per peer: when two teammates each list the other, both
   * links stay up (for anti-entropy and failover) but a transaction travels once, and never back
   * to the peer it came from over either link. Another replica's transaction is relayed only to
   * peers that are not connected to its origin themselves (they say so in their heartbeats): in a
   * full mesh each transaction then travels once per peer instead of once per link; what a direct
   * link loses, anti-entropy sends (PeerSession.lostInTransit).
   */
  broadcast(txn: Transaction): void {
    const relayed = txn.origin !== this.id;
    // Called for every delivered transaction: the grouping is kept, not made per call.
    for (const links of this.sessionsByPeer()) {
      if (links.some((link) => link.knows(txn) || (relayed && link.isConnectedTo(txn.origin)))) continue;
      links[0].offer(txn);
    }
  }

  /** After a snapshot install: peers may now lack things our log cannot give them. */
  resyncAll(): void {
    for (const session of this.sessions()) session.sync(session.peerClock);
  }

  statuses(): PeerStatus[] {
    const peers: PeerStatus[] = [];
    for (const [url, { link, session }] of this.outbound) {
      peers.push({
        id: session?.peerId ?? null,
        url,
        direction: 'outbound',
        connected: session !== undefined,
        state: link.state,
        displayName: session ? shownName(session) : null,
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
        displayName: shownName(session),
        lastSeen: session.lastSeen,
        clock: session.peerClock,
        lastError: null,
      });
    }
    return peers;
  }

  /**
   * If a peer has seen later transactions of this replica than its own storage holds (restored
   * from an old backup, or unsynced writes lost under fsync "never"), a new transaction would reuse
   * a sequence number peers already know and replicas would diverge for good. So an update first
   * waits until those come back, for as long as a claim stands or one of them is waiting.
   */
  async waitForOwnHistory(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const { replica } = this.context;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const own = entry(replica.clock, this.id);
      const claim = this.ownHistory.standing(own);
      const needed = Math.max(claim?.seq ?? 0, replica.holdsWaitingFrom(this.id) ? own + 1 : 0);
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
        // Until the history is back, a claim changes, or the standing claim runs out of patience.
        const wakeAt = Math.min(remaining, claim ? claim.until - Date.now() : remaining);
        await Promise.race([
          replica.waitFor({ [this.id]: needed }, Math.max(0, wakeAt), stop.signal).catch(() => undefined),
          this.ownHistory.nextChange(stop.signal),
        ]);
      } finally {
        stop.abort();
        signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Who is connected to us directly, and which direct peers say they are connected to whom. */
  reachability(): Reachability {
    const direct = new Set<string>();
    const via = new Map<string, string[]>();
    for (const session of this.sessions()) {
      direct.add(session.peerId);
      for (const id of session.reportedNeighbors()) {
        if (id === this.id) continue;
        const through = via.get(id);
        if (!through) via.set(id, [session.peerId]);
        else if (!through.includes(session.peerId)) through.push(session.peerId);
      }
    }
    return { direct, via };
  }

  close(): void {
    // Seen until now: the links may report their closing after the node has kept its names.
    for (const session of this.sessions()) this.context.names.observe(session.peerId, undefined, Date.now(), true);
    this.closed = true;
    for (const { link } of this.outbound.values()) link.stop();
    this.outbound.clear();
    this.byPeer = undefined;
    this.closeInbound();
  }

  /**
   * Each session gets its own view of the node, so that what a link brought can be told apart:
   * its waiting transactions go when it closes, and its claim about our own history is its own.
   */
  private startSession(conn: Connection, peerId: string, displayName: string | undefined, clock: VectorClock): PeerSession {
    const { replica, timing, log, names } = this.context;
    log('info', `${conn.label}: replicating with ${peerId}`);
    const source = `link-${++this.linkCount}`;
    const link = {};
    let namesSent = 0;
    const host: ReplicationHost = {
      id: this.id,
      clock: () => replica.clock,
      transactionsSince: (since) => this.context.transactionsSince(since),
      transactionCostSince: (since) => this.context.transactionCostSince(since),
      snapshot: () => replica.exportState(),
      receive: (txn) => this.receiveFrom(link, source, conn.label, peerId, txn),
      logTogether: (work) => this.context.logTogether(work),
      installSnapshot: (snapshot) => this.context.installSnapshot(snapshot, `${peerId} (${conn.label})`),
      neighbors: () => this.neighbors(),
      // A direct peer is seen as long as its link is up; what changed goes out with heartbeats.
      namesToSend: (everything) => {
        names.observe(peerId, displayName, Date.now());
        const since = everything ? 0 : namesSent;
        namesSent = names.sequence;
        return names.changedSince(since, peerId, source);
      },
      receiveNames: (told) => names.merge(told, source, Date.now()),
    };
    names.observe(peerId, displayName, Date.now(), true);
    this.noteClaim(link, clock);
    const session = new PeerSession(conn, peerId, displayName ?? peerId, clock, host, timing, log, () => this.onHeartbeat());
    conn.onClose(() => {
      replica.dropBufferedFrom(source);
      this.ownHistory.withdraw(link);
      names.observe(peerId, displayName, Date.now(), true);
    });
    this.changes.emit();
    // Once the caller has registered the session: every peer learns who we are connected to now.
    queueMicrotask(() => this.announceNeighbors());
    return session;
  }

  /** The ids of the peers we are connected to, sorted. */
  private neighbors(): string[] {
    return [...new Set(this.sessions().map((s) => s.peerId))].sort();
  }

  private announceNeighbors(): void {
    for (const session of this.sessions()) session.announce();
  }

  private receiveFrom(link: object, source: string, label: string, peerId: string, txn: Transaction): ReceiveOutcome {
    const outcome = this.context.replica.receive(txn, source);
    if (txn.origin === this.id && outcome !== 'duplicate') this.ownHistory.progressed(link);
    if (outcome === 'conflict') {
      this.context.log(
        'warn',
        `${label}: ${peerId} sent a second, different version of transaction ${txn.origin}:${entry(txn.clock, txn.origin)}; refused, the first version is kept`,
      );
    }
    return outcome;
  }

  /** What was in flight on a closed link may be lost: another link to the same peer refills it. */
  private onSessionClosed(closed: PeerSession): void {
    for (const session of this.sessions()) if (session.peerId === closed.peerId) session.sync(session.peerClock, false);
    // A departed peer no longer holds back compaction; should it come back, it may get a snapshot.
    this.retainForConnectedPeers();
    this.announceNeighbors();
    this.changes.emit();
  }

  private sessionsByPeer(): readonly PeerSession[][] {
    if (this.byPeer === undefined) {
      const groups = new Map<string, PeerSession[]>();
      for (const session of this.sessions()) {
        const links = groups.get(session.peerId);
        if (links) links.push(session);
        else groups.set(session.peerId, [session]);
      }
      this.byPeer = [...groups.values()];
    }
    return this.byPeer;
  }

  private sessions(): PeerSession[] {
    const out = [...this.inbound];
    for (const { session } of this.outbound.values()) if (session) out.push(session);
    return out;
  }

  /** A handshake that says the peer knows more of our own history than we have (see waitForOwnHistory). */
  private noteClaim(link: object, peerClock: VectorClock): void {
    const claimed = entry(peerClock, this.id);
    const own = entry(this.context.replica.clock, this.id);
    if (claimed <= own) return;
    this.ownHistory.claim(link, claimed);
    this.context.log(
      'warn',
      `a peer says it knows transactions of ${this.id} up to ${claimed}, this storage only up to ${own}: catching up before new updates`,
    );
  }

  private onHeartbeat(): void {
    this.retainForConnectedPeers();
    this.changes.emit();
  }

  private retainForConnectedPeers(): void {
    const sessions = this.sessions();
    this.context.setRetention(sessions.length > 0 ? minimumClock(sessions.map((s) => s.peerClock)) : undefined);
  }
}

/** A peer's name from its handshake, as it may be shown: cleaned, else its id. */
function shownName(session: PeerSession): string {
  return cleanDisplayName(session.displayName) || session.peerId;
}

/**
 * How long a claim on our own history is believed without any of those transactions arriving:
 * a few heartbeats, in which an honest peer's anti-entropy has long sent them (seconds at least).
 */
function claimPatienceMs(timing: SessionTiming): number {
  return Math.max(3 * timing.heartbeatMs, 3000);
}
