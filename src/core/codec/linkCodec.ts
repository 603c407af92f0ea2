import { InvalidInputError } from '../errors';
import { Transaction } from '../transaction';
import { VectorClock } from '../vectorClock';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';
import { crc16 } from './checksum';
import { SizedClock, changedIds, readClockChanges, writeClockChanges } from './clockCoding';
import { Names, markNames, newNames, readReplicaId, rollbackNames, writeReplicaId } from './nameTable';
import { TransactionReader, TransactionStream, TransactionWriter, newStream } from './transactionCoding';

/** What replicas send each other after the handshake (docs/architecture.md, "Message kinds"). */
export type PeerMessage =
  | { readonly t: 'txns'; readonly txns: Transaction[] }
  /** Heartbeat: the sender's clock, and the peers it is connected to directly when that changed. */
  | { readonly t: 'clock'; readonly clock: VectorClock; readonly neighbors?: readonly string[] }
  /** A piece of a snapshot's binary encoding (snapshotCoding.ts); installed after the last one. */
  | { readonly t: 'snapshotPart'; readonly data: Uint8Array; readonly last: boolean };

const KIND = { txns: 1, clock: 2, snapshotPart: 3 } as const;

/** Room left before the body for its length, written once the body is done. */
const LENGTH_ROOM = 4;
const CHECKSUM_BYTES = 2;

/**
 * One binary message: uvarint body length, body (a kind byte, then the kind's fields), CRC-16 of
 * both, big-endian. The length makes every truncation detectable, the checksum every changed
 * byte; the reader must then consume the body exactly.
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
  return w.slice(start).slice();
}

/** The body of a frame, once its length and checksum hold. */
function openFrame(frame: Uint8Array): ByteReader {
  if (frame.length < 1 + 1 + CHECKSUM_BYTES) throw new InvalidInputError(`a message of ${frame.length} bytes is too short`);
  const r = new ByteReader(frame, 0, frame.length - CHECKSUM_BYTES);
  const bodyLength = r.uvarint();
  if (bodyLength !== r.remaining) {
    throw new InvalidInputError(`a message announces ${bodyLength} bytes but holds ${r.remaining} (truncated or damaged)`);
  }
  const expected = (frame[frame.length - 2] << 8) | frame[frame.length - 1];
  if (crc16(frame, 0, frame.length - CHECKSUM_BYTES) !== expected) throw new InvalidInputError('a message fails its checksum (damaged)');
  return r;
}

const EMPTY: SizedClock = { clock: {}, size: 0 };

/** Messages the other side can read only in the order they were made: send each, in order, or close. */
export class LinkEncoder {
  private readonly w = new ByteWriter(4096);
  private readonly names: Names = newNames();
  private readonly stream: TransactionStream = newStream(this.names, EMPTY, 0, true);
  private readonly txns = new TransactionWriter(this.w, this.stream);
  private beat: SizedClock = EMPTY;
  private neighborsSent: string | undefined;

  /**
   * The transactions, as messages of about `maxBytes` or less (one transaction larger than that
   * goes alone). Throws InvalidInputError, having sent nothing, when one cannot be encoded.
   */
  transactions(txns: readonly Transaction[], maxBytes: number): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const w = this.w;
    const before = { mark: markNames(this.names), base: this.stream.base, atBase: this.stream.atBase };
    try {
      beginFrame(w, KIND.txns);
      for (const [i, txn] of txns.entries()) {
        if (i > 0 && w.size >= maxBytes) {
          frames.push(endFrame(w));
          beginFrame(w, KIND.txns);
        }
        this.txns.write(txn);
      }
      frames.push(endFrame(w));
    } catch (error) {
      rollbackNames(this.names, before.mark);
      this.stream.base = before.base;
      this.stream.atBase = before.atBase;
      throw error;
    }
    return frames;
  }

  /** A heartbeat; `neighbors` go along only when they changed since the last heartbeat. */
  clock(clock: VectorClock, neighbors?: readonly string[]): Uint8Array {
    const w = this.w;
    beginFrame(w, KIND.clock);
    const key = neighbors?.join('\n');
    const sendNeighbors = neighbors !== undefined && key !== this.neighborsSent;
    const changed = changedIds(this.beat.clock, clock);
    w.u8(sendNeighbors ? 1 : 0);
    w.uvarint(changed.length);
    writeClockChanges(w, this.names, this.beat.clock, clock, changed);
    if (sendNeighbors) {
      w.uvarint(neighbors.length);
      for (const id of neighbors) writeReplicaId(w, this.names, id);
      this.neighborsSent = key;
    }
    let size = this.beat.size;
    for (const id of changed) size += (Object.hasOwn(clock, id) ? 1 : 0) - (Object.hasOwn(this.beat.clock, id) ? 1 : 0);
    this.beat = { clock, size };
    return endFrame(w);
  }

  snapshotPart(data: Uint8Array, last: boolean): Uint8Array {
    const w = this.w;
    beginFrame(w, KIND.snapshotPart);
    w.u8(last ? 1 : 0);
    w.raw(data);
    return endFrame(w);
  }
}

/** The most direct peers one heartbeat may list. */
const MAX_NEIGHBORS = 16_384;

/** Reads what one LinkEncoder wrote, in order. After a refused message the link must close. */
export class LinkDecoder {
  private readonly names: Names = newNames();
  private readonly stream: TransactionStream = newStream(this.names, EMPTY, 0, true);
  private beat: SizedClock = EMPTY;

  /** The message in `frame`, checked whole before it is returned; InvalidInputError otherwise. */
  decode(frame: Uint8Array): PeerMessage {
    const r = openFrame(frame);
    const kind = r.u8();
    switch (kind) {
      case KIND.txns: {
        // Transactions follow one another to the end of the body.
        const reader = new TransactionReader(r, this.stream);
        const txns: Transaction[] = [];
        while (!r.done) txns.push(reader.read());
        return { t: 'txns', txns };
      }
      case KIND.clock: {
        const flags = r.u8();
        if (flags > 1) throw r.problem(`unknown heartbeat flags ${flags}`);
        const changes = r.count(r.remaining, 'the number of clock changes');
        this.beat = readClockChanges(r, this.names, this.beat, changes);
        let neighbors: string[] | undefined;
        if (flags === 1) {
          neighbors = new Array<string>(r.count(Math.min(MAX_NEIGHBORS, r.remaining), 'the number of neighbours'));
          for (let i = 0; i < neighbors.length; i++) neighbors[i] = readReplicaId(r, this.names);
        }
        r.expectEnd('the heartbeat');
        return neighbors ? { t: 'clock', clock: this.beat.clock, neighbors } : { t: 'clock', clock: this.beat.clock };
      }
      case KIND.snapshotPart: {
        const last = r.u8();
        if (last > 1) throw r.problem('bad last-piece marker');
        return { t: 'snapshotPart', data: r.rest().slice(), last: last === 1 };
      }
      default:
        throw r.problem(`unknown message kind ${kind}`);
    }
  }
}
