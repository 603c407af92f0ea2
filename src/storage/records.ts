import { ByteReader } from '../core/codec/byteReader';
import { ByteWriter } from '../core/codec/byteWriter';
import { clockSize, sortedIds } from '../core/codec/clockCoding';
import { Names, markNames, newNames, readObjectText, readReplicaIdText, rollbackNames, writeObjectText } from '../core/codec/nameTable';
import { TransactionHead, TransactionReader, TransactionStream, TransactionWriter, newStream } from '../core/codec/transactionCoding';
import { errorMessage } from '../core/errors';
import { StoredObject, validateTransaction } from '../core/replica';
import { StoredObjectSchema, TransactionSchema, parseWith } from '../core/schemas';
import { ObjectKey, Transaction } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { Damage } from './format';
import { FRAME_HEAD, sealFrame } from './frames';

/** A record whose frame is sound but whose content is not a usable transaction. */
export class UnusableRecordError extends Damage {
  constructor(
    message: string,
    /** Its origin and clock with no effects, when those could be read (see UnusableRecord). */
    readonly placeholder?: Transaction,
  ) {
    super(message);
  }
}

/**
 * The head byte of a definitions frame. As a transaction's head it would announce an unknown
 * time encoding, so the two cannot be confused.
 */
const DEFINITIONS = 0xff;

/** Whether a frame of a format 2 segment defines names rather than holding a record. */
export function isDefinitions(payload: Uint8Array): boolean {
  return payload[0] === DEFINITIONS;
}

/**
 * The records of one log segment of format 2 (format.ts), written and read back in log order by
 * one RecordCoder per segment. Clocks are written as their changes from the segment's start
 * clock, times as differences from the segment's time, replica ids and objects by number.
 *
 * A record never defines a number itself: the names it is the first to use are defined in a
 * definitions frame written just before it, which says which numbers it defines. So a record whose
 * frame is sound but whose content is spoiled costs only itself, and a spoiled definitions frame
 * costs only the records that use its names: no later number can shift.
 */
export class RecordCoder {
  private readonly w = new ByteWriter(1024);
  private readonly names: Names;
  private readonly stream: TransactionStream;
  private readonly writer: TransactionWriter;
  /** Made for the first record read, then moved from record to record. */
  private reader: TransactionReader | undefined;
  /** The names the last encoded record numbered, taken back if its write fails (`forgetLast`). */
  private lastMark: [number, number] | undefined;

  constructor(start: VectorClock, at: number) {
    this.names = newNames(false, sortedIds(start));
    this.stream = newStream(this.names, { clock: start, size: clockSize(start) }, at, false);
    this.writer = new TransactionWriter(this.w, this.stream);
  }

  /**
   * The bytes to append for `txn`: a definitions frame when it uses names new to the segment, then
   * its record frame. Throws, leaving the coder as it was, if it cannot be encoded.
   */
  encode(txn: Transaction): Buffer {
    const w = this.w;
    const mark = markNames(this.names);
    w.truncate(0);
    for (let i = 0; i < FRAME_HEAD; i++) w.u8(0);
    try {
      this.writer.write(txn);
    } catch (error) {
      rollbackNames(this.names, mark);
      throw error;
    }
    const record = sealFrame(w.bytes());
    this.lastMark = mark;
    const { pending } = this.names;
    if (pending.ids.length === 0 && pending.objects.length === 0) return record;
    w.truncate(0);
    for (let i = 0; i < FRAME_HEAD; i++) w.u8(0);
    w.u8(DEFINITIONS);
    w.uvarint(mark[0]);
    w.uvarint(pending.ids.length);
    for (const id of pending.ids) w.string(id);
    w.uvarint(mark[1]);
    w.uvarint(pending.objects.length);
    for (const key of pending.objects) writeObjectText(w, key);
    pending.ids.length = 0;
    pending.objects.length = 0;
    return Buffer.concat([sealFrame(w.bytes()), record]);
  }

  /** Takes back the names of the last `encode`: its bytes never reached the log. */
  forgetLast(): void {
    if (this.lastMark) rollbackNames(this.names, this.lastMark);
    this.lastMark = undefined;
  }

  /**
   * The transaction of one record, checked as the wire's decoder checks it (core/codec): a valid
   * origin and clock, each effect as its type validates it; undefined for a definitions frame.
   * UnusableRecordError otherwise, with a placeholder when the origin and clock were readable.
   */
  decode(payload: Uint8Array): Transaction | undefined {
    return this.decodeAt(payload, 0, payload.length);
  }

  /** `decode` of the payload that is `bytes` from `start` to `end`, read in place. */
  decodeAt(bytes: Uint8Array, start: number, end: number): Transaction | undefined {
    const r = new ByteReader(bytes, start, end);
    if (start < end && bytes[start] === DEFINITIONS) {
      try {
        this.define(r);
        return undefined;
      } catch (error) {
        throw new UnusableRecordError(`record is not a valid definition of names: ${errorMessage(error)}`);
      }
    }
    this.reader ??= new TransactionReader(r, this.stream);
    const reader = this.reader.readFrom(r);
    let head: TransactionHead;
    try {
      head = reader.readHead();
    } catch (error) {
      throw new UnusableRecordError(`record is not a valid transaction: ${errorMessage(error)}`);
    }
    try {
      const at = reader.readTime();
      const txn: Transaction = { origin: head.origin, clock: head.clock, at, effects: reader.readEffects(head) };
      r.expectEnd('the transaction');
      return txn;
    } catch (error) {
      throw new UnusableRecordError(`record is not a valid transaction: ${errorMessage(error)}`, {
        origin: head.origin,
        clock: head.clock,
        at: 0,
        effects: [],
      });
    }
  }

  /** Reads a whole definitions frame, then adds its names at the numbers it gives them. */
  private define(r: ByteReader): void {
    r.u8();
    const firstId = r.uvarint();
    const ids = new Array<string>(r.count(r.remaining, 'the number of replica ids'));
    for (let i = 0; i < ids.length; i++) ids[i] = readReplicaIdText(r);
    const firstObject = r.uvarint();
    const objects = new Array<ObjectKey>(r.count(r.remaining / 3, 'the number of objects'));
    for (let i = 0; i < objects.length; i++) objects[i] = readObjectText(r);
    r.expectEnd('the definitions');
    const { ids: idTable, objects: objectTable } = this.names;
    if (firstId < idTable.size || firstObject < objectTable.size) throw r.problem('it defines numbers that are already defined');
    // Numbers between the last good definitions and these were lost with a spoiled frame.
    idTable.skipTo(firstId);
    for (const id of ids) idTable.add(id);
    objectTable.skipTo(firstObject);
    for (const key of objects) objectTable.add(key);
  }
}

/** A record of format 1, from its parsed JSON, checked down to each effect's shape; Damage if anything is off. */
export function decodeJsonRecord(value: unknown): Transaction {
  return asDamage('record is not a valid transaction', () => {
    const txn = parseWith(TransactionSchema, value, 'the record');
    validateTransaction(txn);
    return txn;
  });
}

/** An object of a snapshot of format 1, shape checked only: the replica's importState decodes each state. */
export function decodeStoredObject(value: unknown): StoredObject {
  return asDamage('snapshot object is not valid', () => parseWith(StoredObjectSchema, value, 'the object'));
}

/** Whatever is wrong with data read from disk is damage: recovery cuts it off and reports it. */
function asDamage<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof Damage ? error : new Damage(`${what}: ${errorMessage(error)}`);
  }
}
