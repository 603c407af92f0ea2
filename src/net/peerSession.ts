import { LinkDecoder, LinkEncoder, PeerMessage } from '../core/codec/linkCodec';
import { encodeSnapshot } from '../core/codec/snapshotCoding';
import { MinidoteError, errorMessage } from '../core/errors';
import type { ReplicaName } from '../core/replicaName';
import { ReceiveOutcome, ReplicaSnapshot } from '../core/replica';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock, entry, leq } from '../core/vectorClock';
import { Connection, Log } from './connection';
import { GrowingClock } from './growingClock';
import { PieceAssembler } from './pieces';

/** What a replication session needs from the node it runs in. */
export interface ReplicationHost {
  readonly id: string;
  clock(): VectorClock;
  /** Delivered transactions not covered by `clock`, in delivery order; undefined once compacted away. */
  transactionsSince(clock: VectorClock): Transaction[] | undefined;
  /**
   * About what `transactionsSince(clock)` would return (how many, and their encoded bytes), known
   * without reading them; undefined once compacted away.
   */
  transactionCostSince(clock: VectorClock): { readonly records: number; readonly bytes: number } | undefined;
  snapshot(): ReplicaSnapshot;
  receive(txn: Transaction): ReceiveOutcome;
  /**
   * Runs `work`, which receives the transactions of one message, with their log records written
   * together when it ends (one write instead of one per transaction).
   */
  logTogether(work: () => void): void;
  installSnapshot(snapshot: ReplicaSnapshot): void;
  /**
   * Ids of the peers this node is connected to directly, sorted: told to each peer in heartbeats,
   * so that it does not relay to us what their origins send us themselves. Absent: none.
   */
  neighbors?(): readonly string[];
  /**
   * The replica names to tell the peer now, at the start of the session and at each heartbeat:
   * all of them when `everything`, else what changed since the last call. Absent: none.
   */
  namesToSend?(everything: boolean): readonly ReplicaName[];
  /** Replica names the peer told us: untrusted, for display only. */
  receiveNames?(names: readonly ReplicaName[]): void;
}

export interface SessionTiming {
  /** How often each side sends its clock (heartbeat and anti-entropy trigger). */
  readonly heartbeatMs: number;
  /** Silence after which the peer is considered dead and the socket dropped. */
  readonly deadAfterMs: number;
}

export const DEFAULT_TIMING: SessionTiming = { heartbeatMs: 2_000, deadAfterMs: 10_000 };

/** Messages are filled up to this many bytes, well under the receiver's limit. */
const CHUNK_BYTES = 512 * 1024;

/**
 * Above this many missing transactions, a peer that has nothing we lack gets a snapshot when that
 * is smaller: replaying a long history costs more than installing the state it produced.
 */
const SNAPSHOT_CONSIDERED_ABOVE = 1000;

/**
 * Replication with one peer over an authenticated connection: initial anti-entropy, live causal
 * broadcast (which also relays, see PeerLinks.broadcast), and heartbeats that carry clocks so that
 * anything lost in transit is sent again. After the handshake every message is binary
 * (core/codec/linkCodec.ts): each direction keeps its own tables of names and its last clocks, so
 * a message costs what changed since the previous one on the link.
 */
export class PeerSession {
  /** What we believe the peer has delivered or has in flight from us. */
  private readonly known: GrowingClock;
  /**
   * `known` as of two heartbeats ago: what the peer has had at least one whole heartbeat period to
   * deliver. If its clock still lacks some of it and stopped moving, something was lost.
   */
  private knownTwoBeatsAgo: VectorClock;
  private knownAtLastBeat: VectorClock;
  private readonly peerClockValue: GrowingClock;
  /** Transactions offered during the current run of the event loop, sent as one message. */
  private outbox: Transaction[] = [];
  private lastSeenAt: number;
  private readonly timer: NodeJS.Timeout;
  private readonly encoder = new LinkEncoder();
  private readonly decoder = new LinkDecoder();
  private readonly piecesIn = new PieceAssembler('message');
  /** The peers the peer says it is connected to directly (its heartbeats); undefined until it says. */
  private peerNeighbors: ReadonlySet<string> | undefined;
  /**
   * Our own clock at the last two heartbeats: transactions we had then but did not send, because
   * the peer is connected to their origin, are due to the peer by now all the same.
   */
  private ownTwoBeatsAgo: VectorClock;
  private ownAtLastBeat: VectorClock;

  constructor(
    readonly conn: Connection,
    readonly peerId: string,
    readonly displayName: string,
    peerClock: VectorClock,
    private readonly host: ReplicationHost,
    private readonly timing: SessionTiming,
    private readonly log: Log,
    private readonly onActivity: () => void,
  ) {
    this.known = new GrowingClock(peerClock);
    this.knownAtLastBeat = peerClock;
    this.knownTwoBeatsAgo = peerClock;
    this.peerClockValue = new GrowingClock(peerClock);
    // Nothing is due yet: the first sync sends all the peer lacks, and its clock messages written
    // before that arrives would otherwise look like a loss (and send it all again).
    this.ownAtLastBeat = peerClock;
    this.ownTwoBeatsAgo = peerClock;
    this.lastSeenAt = Date.now();
    conn.listenBinary((bytes) => this.take(bytes));
    this.timer = setInterval(() => this.beat(), timing.heartbeatMs);
    this.timer.unref();
    conn.onClose(() => {
      clearInterval(this.timer);
      this.piecesIn.clear();
    });
    this.sync(peerClock);
    this.sendNames(true);
  }

  get peerClock(): VectorClock {
    return this.peerClockValue.current;
  }

  get lastSeen(): number {
    return this.lastSeenAt;
  }

  /** The peer has this transaction, or has it in flight from us. */
  knows(txn: Transaction): boolean {
    return sequenceOf(txn) <= this.known.get(txn.origin);
  }

  /** The peers the peer said, in its last heartbeat that listed them, it is connected to directly. */
  reportedNeighbors(): ReadonlySet<string> {
    return this.peerNeighbors ?? new Set();
  }

  /** The peer said, in its last heartbeat that listed them, that it is connected to `id` directly. */
  isConnectedTo(id: string): boolean {
    return this.peerNeighbors?.has(id) ?? false;
  }

  /** Tells the peer our clock and, when they changed, our direct peers (a link opened or closed). */
  announce(): void {
    if (this.conn.closed) return;
    this.send(this.encoder.clock(this.host.clock(), this.host.neighbors?.() ?? []));
  }

  /**
   * Live broadcast: queues a delivered transaction unless the peer already has it. Everything
   * offered in one run of the event loop (a burst of local updates, or a whole inbound message
   * that we relay) leaves as one message.
   */
  offer(txn: Transaction): void {
    if (this.conn.closed || this.knows(txn)) return;
    this.known.raise(txn.clock);
    if (this.outbox.push(txn) === 1) queueMicrotask(() => this.flush());
  }

  /**
   * Sends whatever `theirClock` lacks: from the log while it holds it, else a snapshot. On
   * (re)connect (`catchUp`), also a snapshot when a long history would cost more than the state it
   * built; a gap in live traffic is only ever refilled from the log.
   */
  sync(theirClock: VectorClock, catchUp = true): void {
    if (this.conn.closed) return;
    this.flush();
    // Decided from the log's statistics: the records are read only if they are the ones sent.
    if (catchUp && leq(theirClock, this.host.clock()) && this.caughtUpBySnapshot(theirClock)) return;
    const missing = this.host.transactionsSince(theirClock);
    if (missing === undefined) {
      this.sendSnapshot(this.host.snapshot());
      return;
    }
    if (missing.length > 0) this.sendTransactions(missing);
  }

  close(): void {
    clearInterval(this.timer);
    this.conn.close();
  }

  /**
   * Sends a snapshot when the log lacks what `theirClock` misses, or holds so much of it that the
   * snapshot is smaller; returns whether it did. The host's byte count may run somewhat above what
   * the transactions would take on the link, which leans towards the snapshot: installing the
   * state costs the peer less than replaying a long history anyway.
   */
  private caughtUpBySnapshot(theirClock: VectorClock): boolean {
    const cost = this.host.transactionCostSince(theirClock);
    if (cost !== undefined && cost.records <= SNAPSHOT_CONSIDERED_ABOVE) return false;
    const snapshot = this.host.snapshot();
    const encoded = encodeSnapshot(snapshot);
    if (cost !== undefined && encoded.length >= cost.bytes) return false;
    this.sendSnapshot(snapshot, encoded);
    return true;
  }

  /**
   * One binary message: decoded whole (what it throws closes the link), then handled. A message
   * that does not follow the previous one (lost, repeated or reordered on the way) makes us ask
   * the peer to restart its side of the link; what it sent meanwhile is skipped, and what that
   * loses, anti-entropy sends again.
   */
  private take(bytes: Uint8Array): void {
    this.lastSeenAt = Date.now();
    const decoded = this.decoder.decode(bytes);
    switch (decoded.t) {
      case 'skipped':
        return;
      case 'gap':
        this.log(
          'info',
          `${this.conn.label}: a message from ${this.peerId} did not follow the previous one (${decoded.reason}); resynchronizing`,
        );
        this.piecesIn.clear();
        this.send(this.encoder.resync(decoded.epoch));
        return;
      case 'piece': {
        const whole = this.piecesIn.add(decoded.data, decoded.last);
        if (whole !== undefined) this.handle(this.decoder.decodeJoined(whole));
        return;
      }
      default:
        this.handle(decoded);
    }
  }

  private handle(message: PeerMessage): void {
    switch (message.t) {
      case 'resync': {
        const restart = this.encoder.restart(message.epoch);
        if (restart.length === 0) break;
        this.send(restart);
        this.sync(this.peerClock, false);
        // Names sent in the epoch the peer lost may be lost too.
        this.sendNames(true);
        break;
      }
      case 'names':
        this.host.receiveNames?.(message.names);
        break;
      case 'piece':
        throw new MinidoteError('protocol', 'a piece inside a message joined from pieces');
      case 'txns':
        this.receiveAll(message.txns);
        break;
      case 'snapshot':
        this.known.raise(message.snapshot.clock);
        this.host.installSnapshot(message.snapshot);
        break;
      case 'clock': {
        if (message.neighbors) this.peerNeighbors = new Set(message.neighbors);
        const previous = this.peerClockValue.current;
        this.peerClockValue.replace(message.clock);
        this.known.raise(message.clock);
        if (this.lostInTransit(previous, message.clock)) {
          this.log('info', `${this.conn.label}: peer ${this.peerId} is missing transactions; sending them again`);
          this.sync(message.clock, false);
        }
        this.onActivity();
        break;
      }
    }
  }

  /**
   * Something we sent two heartbeats ago, or had then and left to the peer's direct link with its
   * origin, is still missing at the peer, and the peer has stopped making progress on that origin:
   * it was lost, not merely still in flight or queued behind a busy event loop (resending then
   * would only add load).
   */
  private lostInTransit(previous: VectorClock, current: VectorClock): boolean {
    if (this.conn.bufferedAmount > 0) return false;
    for (const due of [this.knownTwoBeatsAgo, this.ownTwoBeatsAgo]) {
      for (const id of Object.keys(due)) {
        const has = entry(current, id);
        if (has < due[id] && has === entry(previous, id)) return true;
      }
    }
    return false;
  }

  /** One message's transactions, logged with one write (see ReplicationHost.logTogether). */
  private receiveAll(txns: readonly Transaction[]): void {
    try {
      this.host.logTogether(() => {
        for (const txn of txns) {
          // The peer has delivered what it sends: its last known clock need not wait for a heartbeat.
          this.peerClockValue.raise(txn.clock);
          this.known.raise(txn.clock);
          this.host.receive(txn);
        }
      });
    } catch (error) {
      if (error instanceof MinidoteError && error.kind === 'storage') {
        this.log('error', `${this.conn.label}: could not store transactions from ${this.peerId}: ${error.message}`);
      }
      throw error;
    }
  }

  private beat(): void {
    if (Date.now() - this.lastSeenAt > this.timing.deadAfterMs) {
      this.log('warn', `${this.conn.label}: no message from ${this.peerId} for ${this.timing.deadAfterMs} ms; dropping the connection`);
      this.conn.socket.terminate();
      return;
    }
    this.knownTwoBeatsAgo = this.knownAtLastBeat;
    this.knownAtLastBeat = this.known.current;
    this.ownTwoBeatsAgo = this.ownAtLastBeat;
    this.ownAtLastBeat = this.host.clock();
    // Our request to resynchronize, or the peer's restart, may have been lost too: ask again.
    const epoch = this.decoder.resyncRequest();
    if (epoch !== undefined) this.send(this.encoder.resync(epoch));
    this.announce();
    this.sendNames(false);
  }

  /** Replica names, as the host gives them: at most one message per heartbeat. */
  private sendNames(everything: boolean): void {
    if (this.conn.closed) return;
    const names = this.host.namesToSend?.(everything) ?? [];
    if (names.length === 0) return;
    try {
      this.send(this.encoder.names(names));
    } catch (error) {
      // The host hands out only names it cleaned and bounded; nothing was written if one was not.
      this.log('error', `${this.conn.label}: could not encode replica names for ${this.peerId}: ${errorMessage(error)}`);
    }
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const txns = this.outbox;
    this.outbox = [];
    // `offer` raised `known` already.
    this.sendTransactions(txns, false);
  }

  private sendTransactions(txns: readonly Transaction[], raiseKnown = true): void {
    let messages: Uint8Array[];
    try {
      messages = this.encoder.transactions(txns, CHUNK_BYTES);
    } catch (error) {
      // Only a transaction this node should never have accepted can fail to encode.
      this.log('error', `${this.conn.label}: could not encode transactions for ${this.peerId}: ${errorMessage(error)}`);
      this.conn.close();
      return;
    }
    this.send(messages);
    if (raiseKnown) for (const txn of txns) this.known.raise(txn.clock);
  }

  /** Sends the snapshot in pieces when it is large, whatever the size of one object in it. */
  private sendSnapshot(snapshot: ReplicaSnapshot, encoded = encodeSnapshot(snapshot)): void {
    this.send(this.encoder.snapshot(encoded));
    this.known.raise(snapshot.clock);
    this.log('info', `${this.conn.label}: sent ${this.peerId} a snapshot at ${JSON.stringify(snapshot.clock)} (${encoded.length} bytes)`);
  }

  private send(messages: readonly Uint8Array[]): void {
    for (const message of messages) this.conn.sendBytes(message);
  }
}
