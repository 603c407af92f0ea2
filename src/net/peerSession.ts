import { MinidoteError } from '../core/errors';
import { ReceiveOutcome, ReplicaSnapshot, StoredObject } from '../core/replica';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock, entry, leq, merge } from '../core/vectorClock';
import { Connection, Log } from './connection';
import { PeerMessage, PeerMessageType } from './messages';

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
 * Replication with one peer over an authenticated connection: initial anti-entropy, live causal
 * broadcast (which also relays, since every delivered transaction is offered to every session), and
 * heartbeats that carry clocks so that anything lost in transit is sent again.
 */
export class PeerSession {
  /** What we believe the peer has delivered or has in flight from us. */
  private known: VectorClock;
  /** `known` as of the previous heartbeat: if the peer's clock still lacks it, something was lost. */
  private knownAtLastBeat: VectorClock;
  private peerClockValue: VectorClock;
  private lastSeenAt: number;
  private readonly timer: NodeJS.Timeout;
  private snapshotParts: StoredObject[] = [];

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
    this.known = peerClock;
    this.knownAtLastBeat = peerClock;
    this.peerClockValue = peerClock;
    this.lastSeenAt = Date.now();
    conn.listen(PeerMessage, (m) => this.handle(m));
    this.timer = setInterval(() => this.beat(), timing.heartbeatMs);
    this.timer.unref();
    conn.onClose(() => clearInterval(this.timer));
    this.sync(peerClock);
  }

  get peerClock(): VectorClock {
    return this.peerClockValue;
  }

  get lastSeen(): number {
    return this.lastSeenAt;
  }

  /** Live broadcast: sends a delivered transaction unless the peer already has it. */
  offer(txn: Transaction): void {
    if (this.conn.closed || sequenceOf(txn) <= entry(this.known, txn.origin)) return;
    this.sendTransactions([txn]);
  }

  /** Sends whatever `theirClock` lacks: from the log when it still holds it, else a snapshot. */
  sync(theirClock: VectorClock): void {
    if (this.conn.closed) return;
    const missing = this.host.transactionsSince(theirClock);
    if (missing === undefined) this.sendSnapshot(this.host.snapshot());
    else if (missing.length > 0) this.sendTransactions(missing);
  }

  close(): void {
    clearInterval(this.timer);
    this.conn.close();
  }

  private handle(message: PeerMessageType): void {
    this.lastSeenAt = Date.now();
    switch (message.t) {
      case 'txns':
        for (const txn of message.txns) {
          this.known = merge(this.known, txn.clock);
          this.receive(txn);
        }
        break;
      case 'snapshot':
        this.snapshotParts.push(...message.objects);
        if (message.last) {
          const snapshot = { clock: message.clock, objects: this.snapshotParts };
          this.snapshotParts = [];
          this.known = merge(this.known, message.clock);
          this.host.installSnapshot(snapshot);
        }
        break;
      case 'clock':
        this.peerClockValue = message.clock;
        this.known = merge(this.known, message.clock);
        if (!leq(this.knownAtLastBeat, message.clock)) {
          this.log('info', `${this.conn.label}: peer ${this.peerId} is missing transactions; sending them again`);
          this.sync(message.clock);
        }
        break;
    }
    this.onActivity();
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
    this.knownAtLastBeat = this.known;
    this.conn.send({ t: 'clock', clock: this.host.clock() });
  }

  private sendTransactions(txns: readonly Transaction[]): void {
    let parts: string[] = [];
    let bytes = 0;
    const flush = () => {
      this.conn.sendText(`{"t":"txns","txns":[${parts.join(',')}]}`);
      parts = [];
      bytes = 0;
    };
    for (const txn of txns) {
      const text = JSON.stringify(txn);
      if (bytes + text.length > CHUNK_BYTES && parts.length > 0) flush();
      parts.push(text);
      bytes += text.length;
      this.known = merge(this.known, txn.clock);
    }
    if (parts.length > 0) flush();
  }

  private sendSnapshot(snapshot: ReplicaSnapshot): void {
    const clock = JSON.stringify(snapshot.clock);
    let parts: string[] = [];
    let bytes = 0;
    const flush = (last: boolean) => {
      this.conn.sendText(`{"t":"snapshot","clock":${clock},"objects":[${parts.join(',')}],"last":${last}}`);
      parts = [];
      bytes = 0;
    };
    for (const object of snapshot.objects) {
      const text = JSON.stringify(object);
      if (bytes + text.length > CHUNK_BYTES && parts.length > 0) flush(false);
      parts.push(text);
      bytes += text.length;
    }
    flush(true);
    this.known = merge(this.known, snapshot.clock);
    this.log('info', `${this.conn.label}: sent a snapshot to ${this.peerId} (its log entries were compacted)`);
  }
}
