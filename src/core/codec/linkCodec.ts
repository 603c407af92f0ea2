import { InvalidInputError } from '../errors';
import type { ReplicaSnapshot } from '../replica';
import { MAX_DISPLAY_NAME_LENGTH, MAX_REPLICA_NAMES, ReplicaName } from '../replicaName';
import { Transaction } from '../transaction';
import { VectorClock } from '../vectorClock';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';
import { crc16 } from './checksum';
import { SizedClock, changedIds, readClockChanges, writeClockChanges } from './clockCoding';
import { Names, markNames, newNames, readReplicaId, rollbackNames, writeReplicaId } from './nameTable';
import { decodeSnapshot } from './snapshotCoding';
import { TransactionReader, TransactionStream, TransactionWriter, newStream } from './transactionCoding';

/** What replicas send each other after the handshake (docs/architecture.md, "Message kinds"). */
export type PeerMessage =
  | { readonly t: 'txns'; readonly txns: Transaction[] }
  /** Heartbeat: the sender's clock, and the peers it is connected to directly when that changed. */
  | { readonly t: 'clock'; readonly clock: VectorClock; readonly neighbors?: readonly string[] }
  /** A whole replica state (snapshotCoding.ts), checked as stored snapshots are. */
  | { readonly t: 'snapshot'; readonly snapshot: ReplicaSnapshot }
  /**
   * A piece of a message larger than one WebSocket message may be (a snapshot, a transaction that
   * names a whole large object): the receiver joins the pieces and decodes the whole message.
   */
  | { readonly t: 'piece'; readonly data: Uint8Array; readonly last: boolean }
  /** The other side lost track of what we send: restart our side of the link (LinkEncoder.restart). */
  | { readonly t: 'resync'; readonly epoch: number }
  /** Display names of replicas, as the sender knows them (untrusted, display only). */
  | { readonly t: 'names'; readonly names: readonly ReplicaName[] };

/**
 * What LinkDecoder.decode gives: a message, or `gap` (a message did not follow the previous one:
 * ask the sender to restart with `resyncRequest`), or `skipped` (sent before the restart asked for).
 */
export type Decoded = PeerMessage | { readonly t: 'gap'; readonly epoch: number; readonly reason: string } | { readonly t: 'skipped' };

const KIND = { txns: 1, clock: 2, snapshot: 3, piece: 4, restart: 5, resync: 6, names: 7 } as const;

/** Room left before the body for its length, written once the body is done. */
const LENGTH_ROOM = 4;
const CHECKSUM_BYTES = 2;

/**
 * One binary frame: uvarint body length, body (a kind byte, then the kind's fields), CRC-16 of
 * both, big-endian. The length makes every truncation detectable, the checksum every changed
 * byte; the reader must then consume the body exactly.
 *
 * As it goes out, a frame's checksum is also XORed with its number on the link: the epoch (see
 * LinkEncoder.restart) and its position in it, which the receiver counts too. A message lost,
 * repeated or reordered on the way (by a faulty relay: TCP does none of these) fails its checksum
 * instead of being read against names and clocks the two sides no longer share. A frame joined
 * from pieces is checked as it was made, its pieces having been checked in order.
 */
function beginFrame(w: ByteWriter, kind: number): void {
  w.truncate(0);
  for (let i = 0; i < LENGTH_ROOM; i++) w.u8(0);
  w.u8(kind);
}

function endFrame(w: ByteWriter): Uint8Array {
  const bodyLength = w.size - LENGTH_ROOM;
  const lengthBytes = bodyLength < 0x80 ? 1 : bodyLength < 0x4000 ? 2 : bodyLength < 0x200000 ? 3 : 4;
  if (bodyLength >= 0x10000000) throw new InvalidInputError(`a message of ${bodyLength} bytes is too large`);
  const start = LENGTH_ROOM - lengthBytes;
  let n = bodyLength;
  for (let i = start; i < LENGTH_ROOM; i++) {
    w.patch(i, i === LENGTH_ROOM - 1 ? n : (n & 0x7f) | 0x80);
    n >>>= 7;
  }
  const crc = crc16(w.slice(start));
  w.u8(crc >> 8);
  w.u8(crc & 0xff);
  return w.pooledBytes(start);
}

/** A frame's number as it is mixed into its checksum: distinct for nearby positions and epochs. */
function numberOf(epoch: number, position: number): number {
  return (position + epoch * 40503) & 0xffff;
}

/**
 * The number of the two control messages, resync and restart, which stand outside the sequence:
 * each side must read them even when it has lost track of the other's messages.
 */
const CONTROL = 0xa5c3;

/** The body of a frame, once its length and checksum (XORed with `number`) hold. */
function openFrame(frame: Uint8Array, number: number): ByteReader {
  if (frame.length < 1 + 1 + CHECKSUM_BYTES) throw new FramingError(`a message of ${frame.length} bytes is too short`);
  const r = new ByteReader(frame, 0, frame.length - CHECKSUM_BYTES);
  let bodyLength: number;
  try {
    bodyLength = r.uvarint();
  } catch (error) {
    throw new FramingError((error as Error).message);
  }
  if (bodyLength !== r.remaining) {
    throw new FramingError(`a message announces ${bodyLength} bytes but holds ${r.remaining} (truncated or damaged)`);
  }
  const expected = ((frame[frame.length - 2] << 8) | frame[frame.length - 1]) ^ number;
  if (crc16(frame, 0, frame.length - CHECKSUM_BYTES) !== expected) {
    throw new FramingError('a message fails its checksum (damaged, or a message before it was lost, repeated or reordered)');
  }
  return r;
}

/** Marks a frame (a copy the caller owns) with its number on the link. */
function numbered(frame: Uint8Array, number: number): Uint8Array {
  frame[frame.length - 2] ^= number >> 8;
  frame[frame.length - 1] ^= number & 0xff;
  return frame;
}

/** Errors of `openFrame`: the message is not the next one of the link as it came (FramingError). */
class FramingError extends InvalidInputError {}

function isFramingError(error: unknown): boolean {
  return error instanceof FramingError;
}

const EMPTY: SizedClock = { clock: {}, size: 0 };

/**
 * A message of at most this many bytes of content is sent whole; a larger one goes in pieces: a
 * few bytes more with their framing (and the seal of an encrypted link), far below the receiver's
 * message limit (4 MiB by default).
 */
export const DEFAULT_PIECE_BYTES = 1024 * 1024;

/** What one direction of a link has said so far: the names it defined and its last clocks. */
class StreamState {
  readonly names: Names = newNames(true);
  readonly txns: TransactionStream = newStream(this.names, EMPTY, 0, true);
  beat: SizedClock = EMPTY;
  /** Made for the first transactions read, then moved from message to message. */
  private reader: TransactionReader | undefined;

  readerOf(r: ByteReader): TransactionReader {
    this.reader ??= new TransactionReader(r, this.txns);
    return this.reader.readFrom(r);
  }
}

/**
 * The messages of one direction of a link. Each method returns messages ready to send, numbered
 * in the order they were made: send them all, in that order, or close the link.
 */
export class LinkEncoder {
  private readonly w = new ByteWriter(4096);
  private state = new StreamState();
  private writer = new TransactionWriter(this.w, this.state.txns);
  private neighborsSent: string | undefined;
  private epoch = 0;
  /** Messages handed out in this epoch. */
  private sent = 0;

  constructor(private readonly pieceBytes = DEFAULT_PIECE_BYTES) {}

  /**
   * The transactions, as messages of about `maxBytes` or less (one transaction larger than that
   * goes alone, in pieces if it must). Throws InvalidInputError, leaving the encoder as it was,
   * when one cannot be encoded.
   */
  transactions(txns: readonly Transaction[], maxBytes: number): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const { w, state } = this;
    const { base, atBase, lastOrigin } = state.txns;
    const before = { mark: markNames(state.names), base, atBase, lastOrigin };
    try {
      beginFrame(w, KIND.txns);
      for (let i = 0; i < txns.length; i++) {
        if (i > 0 && w.size >= maxBytes) {
          frames.push(endFrame(w));
          beginFrame(w, KIND.txns);
        }
        this.writer.write(txns[i]);
      }
      frames.push(endFrame(w));
    } catch (error) {
      rollbackNames(state.names, before.mark);
      state.txns.base = before.base;
      state.txns.atBase = before.atBase;
      state.txns.lastOrigin = before.lastOrigin;
      throw error;
    }
    return frames.length === 1 ? this.outgoing(frames[0]) : frames.flatMap((frame) => this.outgoing(frame));
  }

  /** A heartbeat; `neighbors` go along only when they changed since the last heartbeat. */
  clock(clock: VectorClock, neighbors?: readonly string[]): Uint8Array[] {
    const { w, state } = this;
    beginFrame(w, KIND.clock);
    const key = neighbors?.join('\n');
    const sendNeighbors = neighbors !== undefined && key !== this.neighborsSent;
    const changed = changedIds(state.beat.clock, clock);
    w.u8(sendNeighbors ? 1 : 0);
    w.uvarint(changed.length);
    writeClockChanges(w, state.names, state.beat.clock, clock, changed);
    if (sendNeighbors) {
      w.uvarint(neighbors.length);
      for (const id of neighbors) writeReplicaId(w, state.names, id);
      this.neighborsSent = key;
    }
    let size = state.beat.size;
    for (const id of changed) size += (Object.hasOwn(clock, id) ? 1 : 0) - (Object.hasOwn(state.beat.clock, id) ? 1 : 0);
    state.beat = { clock, size };
    return this.outgoing(endFrame(w));
  }

  /** A snapshot already encoded by `encodeSnapshot` (the same bytes serve every link). */
  snapshot(encoded: Uint8Array): Uint8Array[] {
    beginFrame(this.w, KIND.snapshot);
    this.w.raw(encoded);
    return this.outgoing(endFrame(this.w));
  }

  /**
   * Replica names: a count, then each as its id, display name, last-seen time and the id of the
   * replica that saw it. Throws InvalidInputError, before writing anything, for more than
   * MAX_REPLICA_NAMES or a name the decoder would refuse.
   */
  names(names: readonly ReplicaName[]): Uint8Array[] {
    if (names.length > MAX_REPLICA_NAMES) throw new InvalidInputError(`at most ${MAX_REPLICA_NAMES} replica names fit in one message`);
    for (const name of names) {
      if (name.displayName.length > MAX_DISPLAY_NAME_LENGTH || !Number.isSafeInteger(name.lastSeen) || name.lastSeen < 0) {
        throw new InvalidInputError(`the name of replica ${name.id} cannot be sent`);
      }
    }
    const { w, state } = this;
    beginFrame(w, KIND.names);
    w.uvarint(names.length);
    for (const name of names) {
      writeReplicaId(w, state.names, name.id);
      w.string(name.displayName);
      w.uvarint(name.lastSeen);
      writeReplicaId(w, state.names, name.seenBy);
    }
    return this.outgoing(endFrame(w));
  }

  /** Asks the other side to restart its side of the link in `epoch` (LinkDecoder.resyncRequest). */
  resync(epoch: number): Uint8Array[] {
    return [this.control(KIND.resync, epoch)];
  }

  /**
   * Forgets what this side said (names, clocks) and starts `epoch`, because the other side lost
   * track of it: returns the epoch's first message, or nothing for an epoch not after the current
   * one (a request repeated or overtaken). What was in flight is the caller's to send again.
   */
  restart(epoch: number): Uint8Array[] {
    if (epoch <= this.epoch) return [];
    this.epoch = epoch;
    this.sent = 0;
    this.state = new StreamState();
    this.writer = new TransactionWriter(this.w, this.state.txns);
    this.neighborsSent = undefined;
    return [this.control(KIND.restart, epoch)];
  }

  private control(kind: number, epoch: number): Uint8Array {
    beginFrame(this.w, kind);
    this.w.uvarint(epoch);
    return numbered(endFrame(this.w), CONTROL);
  }

  /**
   * A message whose body (kind byte first) was made elsewhere, by tools and tests that must send
   * what this encoder would refuse to write: framed and numbered like the others.
   */
  raw(body: Uint8Array): Uint8Array[] {
    this.w.truncate(0);
    for (let i = 0; i < LENGTH_ROOM; i++) this.w.u8(0);
    this.w.raw(body);
    return this.outgoing(endFrame(this.w));
  }

  /** One piece of a larger frame, numbered as the next message (`outgoing` cuts whole frames). */
  piece(data: Uint8Array, last: boolean): Uint8Array {
    const w = this.w;
    beginFrame(w, KIND.piece);
    w.u8(last ? 1 : 0);
    w.raw(data);
    return numbered(endFrame(w), numberOf(this.epoch, this.sent++));
  }

  /**
   * The messages that carry `frame` (made by this encoder, or by hand in tests): itself, or
   * pieces when it is larger than a piece, each numbered as the next message of the link. Takes
   * ownership of `frame`.
   */
  outgoing(frame: Uint8Array): Uint8Array[] {
    const size = this.pieceBytes;
    if (frame.length <= size) return [numbered(frame, numberOf(this.epoch, this.sent++))];
    const out: Uint8Array[] = [];
    for (let start = 0; start < frame.length; start += size)
      out.push(this.piece(frame.subarray(start, start + size), start + size >= frame.length));
    return out;
  }
}

/** The most direct peers one heartbeat may list. */
const MAX_NEIGHBORS = 16_384;

/**
 * Reads what one LinkEncoder wrote, in order. A message whose framing or number does not hold is
 * a `gap`: the caller asks the sender to restart (resync) and the decoder skips everything until
 * that restart arrives; resync requests from the other side are read whatever the state. A
 * message that is framed right but whose content is wrong throws an InvalidInputError: the link
 * must close.
 */
export class LinkDecoder {
  private state = new StreamState();
  private epoch = 0;
  /** Messages received in this epoch. */
  private received = 0;
  /** The epoch asked for after a gap, while its restart has not come. */
  private awaiting: number | undefined;
  private lastRequested = 0;

  /** The next message of the link, checked whole before it is returned. */
  decode(message: Uint8Array): Decoded {
    if (this.awaiting === undefined) {
      try {
        const r = openFrame(message, numberOf(this.epoch, this.received));
        this.received++;
        return this.read(r, false);
      } catch (error) {
        if (!isFramingError(error)) throw error;
        const control = this.control(message);
        if (control !== undefined) return control;
        this.awaiting = ++this.lastRequested;
        return { t: 'gap', epoch: this.awaiting, reason: (error as Error).message };
      }
    }
    return this.control(message) ?? { t: 'skipped' };
  }

  /** A frame joined from the pieces just received. */
  decodeJoined(frame: Uint8Array): PeerMessage {
    return this.read(openFrame(frame, 0), true);
  }

  /**
   * The epoch to ask the sender for while a restart is awaited (undefined otherwise): a new one
   * each time, since the restart of an earlier request may itself have been lost.
   */
  resyncRequest(): number | undefined {
    if (this.awaiting === undefined) return undefined;
    this.awaiting = ++this.lastRequested;
    return this.awaiting;
  }

  /**
   * A control message, or undefined when `message` is none: a resync request, or the restart we
   * are waiting for, which starts the decoder afresh (any other restart is one repeated on the way).
   */
  private control(message: Uint8Array): Decoded | undefined {
    let kind: number;
    let epoch: number;
    try {
      const r = openFrame(message, CONTROL);
      kind = r.u8();
      epoch = r.uvarint();
      r.expectEnd('a control message');
    } catch {
      return undefined;
    }
    if (kind === KIND.resync) return { t: 'resync', epoch };
    if (kind !== KIND.restart) return undefined;
    if (epoch === this.awaiting) {
      this.state = new StreamState();
      this.epoch = epoch;
      this.received = 0;
      this.awaiting = undefined;
    }
    return { t: 'skipped' };
  }

  private read(r: ByteReader, joined: boolean): PeerMessage {
    const kind = r.u8();
    switch (kind) {
      case KIND.txns: {
        // Transactions follow one another to the end of the body.
        const reader = this.state.readerOf(r);
        const txns: Transaction[] = [];
        while (!r.done) txns.push(reader.read());
        return { t: 'txns', txns };
      }
      case KIND.clock: {
        const flags = r.u8();
        if (flags > 1) throw r.problem(`unknown heartbeat flags ${flags}`);
        const changes = r.count(r.remaining, 'the number of clock changes');
        this.state.beat = readClockChanges(r, this.state.names, this.state.beat, changes);
        let neighbors: string[] | undefined;
        if (flags === 1) {
          neighbors = new Array<string>(r.count(Math.min(MAX_NEIGHBORS, r.remaining), 'the number of neighbours'));
          for (let i = 0; i < neighbors.length; i++) neighbors[i] = readReplicaId(r, this.state.names);
        }
        r.expectEnd('the heartbeat');
        const clock = this.state.beat.clock;
        return neighbors ? { t: 'clock', clock, neighbors } : { t: 'clock', clock };
      }
      case KIND.snapshot:
        return { t: 'snapshot', snapshot: decodeSnapshot(r.rest()) };
      case KIND.names:
        return { t: 'names', names: this.readNames(r) };
      case KIND.piece: {
        if (joined) throw r.problem('a piece inside a message joined from pieces');
        const last = r.u8();
        if (last > 1) throw r.problem('bad last-piece marker');
        return { t: 'piece', data: r.rest().slice(), last: last === 1 };
      }
      default:
        throw r.problem(`unknown message kind ${kind}`);
    }
  }

  /** What LinkEncoder.names wrote: ids checked as replica ids, names bounded, times safe integers. */
  private readNames(r: ByteReader): ReplicaName[] {
    const names = new Array<ReplicaName>(r.count(Math.min(MAX_REPLICA_NAMES, r.remaining), 'the number of replica names'));
    for (let i = 0; i < names.length; i++) {
      const id = readReplicaId(r, this.state.names);
      const displayName = r.string();
      if (displayName.length > MAX_DISPLAY_NAME_LENGTH) throw r.problem(`a display name longer than ${MAX_DISPLAY_NAME_LENGTH} characters`);
      const lastSeen = r.uvarint();
      names[i] = { id, displayName, lastSeen, seenBy: readReplicaId(r, this.state.names) };
    }
    r.expectEnd('the replica names');
    return names;
  }
}
