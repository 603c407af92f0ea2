import { MinidoteError } from '../core/errors';
import { ReceiveOutcome, ReplicaSnapshot } from '../core/replica';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock, entry, leq } from '../core/vectorClock';
import { Connection, Log } from './connection';
import { GrowingClock } from './growingClock';
import { PeerMessage, PeerMessageType, SnapshotSchema, TxnsMessage, decodeOrThrow } from './messages';
import { PIECE_CHARS, PieceAssembler, textPieces } from './pieces';

/** What a replication session needs from the node it runs in. */
export interface ReplicationHost {
  readonly id: string;
  clock(): VectorClock;
  /** Delivered transactions not covered by `clock`, in delivery order; undefined once compacted away. */
  transactionsSince(clock: VectorClock): Transaction[] | undefined;
  snapshot(): ReplicaSnapshot;
  receive(txn: Transaction): ReceiveOutcome;
  installSnapshot(snapshot: ReplicaSnapshot): void;
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

/** Every session sends the same text for a transaction: serialize it once. */
const encoded = new WeakMap<Transaction, string>();
function encodeTransaction(txn: Transaction): string {
  let text = encoded.get(txn);
  if (text === undefined) {
    text = JSON.stringify(txn);
    encoded.set(txn, text);
  }
  return text;
}

/**
 * Replication with one peer over an authenticated connection: initial anti-entropy, live causal
 * broadcast (which also relays, since every delivered transaction is offered to every session), and
 * heartbeats that carry clocks so that anything lost in transit is sent again.
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
  private readonly snapshotIn = new PieceAssembler('snapshot');
  private readonly txnsIn = new PieceAssembler('transactions message');

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
    this.lastSeenAt = Date.now();
    conn.listen(PeerMessage, (m) => this.handle(m));
    this.timer = setInterval(() => this.beat(), timing.heartbeatMs);
    this.timer.unref();
    conn.onClose(() => {
      clearInterval(this.timer);
      this.snapshotIn.clear();
      this.txnsIn.clear();
    });
    this.sync(peerClock);
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
    const missing = this.host.transactionsSince(theirClock);
    if (missing === undefined) {
      this.sendSnapshot(this.host.snapshot());
      return;
    }
    if (catchUp && missing.length > SNAPSHOT_CONSIDERED_ABOVE && leq(theirClock, this.host.clock())) {
      const snapshot = this.host.snapshot();
      const text = JSON.stringify(snapshot);
      if (text.length < totalLength(missing.map(encodeTransaction))) {
        this.sendSnapshot(snapshot, text);
        return;
      }
    }
    if (missing.length > 0) this.sendTransactions(missing);
  }

  close(): void {
    clearInterval(this.timer);
    this.conn.close();
  }

  private handle(message: PeerMessageType): void {
    this.lastSeenAt = Date.now();
    switch (message.t) {
      case 'txns':
        this.receiveAll(message.txns);
        break;
      case 'txnsPart': {
        const text = this.txnsIn.add(message.data, message.last);
        if (text !== undefined) this.receiveAll(decodeOrThrow(TxnsMessage, text, 'transactions message').txns);
        break;
      }
      case 'snapshotPart': {
        const text = this.snapshotIn.add(message.data, message.last);
        if (text !== undefined) {
          const snapshot = decodeOrThrow(SnapshotSchema, text, 'snapshot');
          this.known.raise(snapshot.clock);
          this.host.installSnapshot(snapshot);
        }
        break;
      }
      case 'clock': {
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
   * Something we sent two heartbeats ago is still missing at the peer, and the peer has
   * stopped making progress on that origin: it was lost, not merely still in flight or queued
   * behind a busy event loop (resending then would only add load).
   */
  private lostInTransit(previous: VectorClock, current: VectorClock): boolean {
    if (this.conn.bufferedAmount > 0) return false;
    for (const id of Object.keys(this.knownTwoBeatsAgo)) {
      const has = entry(current, id);
      if (has < this.knownTwoBeatsAgo[id] && has === entry(previous, id)) return true;
    }
    return false;
  }

  private receiveAll(txns: readonly Transaction[]): void {
    for (const txn of txns) {
      // The peer has delivered what it sends: its last known clock need not wait for a heartbeat.
      this.peerClockValue.raise(txn.clock);
      this.known.raise(txn.clock);
      this.receive(txn);
    }
  }

  private receive(txn: Transaction): void {
    try {
      this.host.receive(txn);
    } catch (error) {
      if (error instanceof MinidoteError && error.kind === 'storage') {
        this.log('error', `${this.conn.label}: could not store a transaction from ${this.peerId}: ${error.message}`);
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
    this.conn.send({ t: 'clock', clock: this.host.clock() });
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const txns = this.outbox;
    this.outbox = [];
    this.sendTransactions(txns);
  }

  private sendTransactions(txns: readonly Transaction[]): void {
    sendInChunks(txns.map(encodeTransaction), (items) => {
      const text = `{"t":"txns","txns":[${items}]}`;
      // Only a single transaction is ever this large: one that names a whole large object.
      if (text.length > PIECE_CHARS) this.sendPieces('txnsPart', text);
      else this.conn.sendText(text);
    });
    for (const txn of txns) this.known.raise(txn.clock);
  }

  /** Sends the snapshot as pieces of its JSON text, whatever the size of one object in it. */
  private sendSnapshot(snapshot: ReplicaSnapshot, text = JSON.stringify(snapshot)): void {
    this.sendPieces('snapshotPart', text);
    this.known.raise(snapshot.clock);
    this.log('info', `${this.conn.label}: sent ${this.peerId} a snapshot at ${JSON.stringify(snapshot.clock)} (${text.length} bytes)`);
  }

  private sendPieces(kind: 'txnsPart' | 'snapshotPart', text: string): void {
    const pieces = textPieces(text);
    pieces.forEach((data, i) => this.conn.send({ t: kind, data, last: i === pieces.length - 1 }));
  }
}

function totalLength(texts: readonly string[]): number {
  return texts.reduce((n, t) => n + t.length, 0);
}

/** Groups pre-serialized items into messages of at most about CHUNK_BYTES; always sends one. */
function sendInChunks(texts: readonly string[], send: (items: string, last: boolean) => void): void {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < texts.length; i++) {
    if (bytes + texts[i].length > CHUNK_BYTES && i > start) {
      send(texts.slice(start, i).join(','), false);
      start = i;
      bytes = 0;
    }
    bytes += texts[i].length;
  }
  send(texts.slice(start).join(','), true);
}
