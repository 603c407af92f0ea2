import { crdtType } from '../crdt/registry';
import { InvalidInputError } from '../errors';
import { MAX_EFFECTS_PER_TRANSACTION } from '../schemas';
import { Effect, Transaction } from '../transaction';
import { MAX_SEQUENCE, VectorClock } from '../vectorClock';
import { ByteReader } from './byteReader';
import { checkedByCodec } from './checkedTransactions';
import { ByteWriter } from './byteWriter';
import { SizedClock, changedIds, readClockChanges, writeClockChanges } from './clockCoding';
import { EffectReader, EffectWriter } from './effectCoding';
import { Names, readObject, readReplicaId, writeObject, writeReplicaId } from './nameTable';

/**
 * One side of a stream of transactions (a link direction, a log segment): the names it has
 * defined and the clock and time the next transaction is written against. On a link these follow
 * the last transaction (`follow`), in a log segment they stay its start.
 */
export interface TransactionStream {
  readonly names: Names;
  base: SizedClock;
  atBase: number;
  readonly follow: boolean;
  /** The origin of the last transaction, on a stream that follows (undefined before the first). */
  lastOrigin?: string;
}

export function newStream(names: Names, base: SizedClock, atBase: number, follow: boolean): TransactionStream {
  return { names, base, atBase, follow, lastOrigin: undefined };
}

/**
 * Layout: a head byte (bits 0-1 how `at` is written: 0 same as the base, 1 a difference, 2 a
 * double; bits 2-7 the number of clock changes, 63 meaning "63 + a uvarint"), the origin, the
 * clock changes, `at`, then the effects: a count, and per effect its object and its type's compact
 * form.
 *
 * On a stream that follows (a link), the commonest transaction is the next one of the origin of
 * the one before, a few ms later: its head is one byte, bits 0-1 SUCCESSOR and bits 2-7 the ms
 * since the previous one (0-62), with no origin and no clock changes (its origin's entry is one
 * more, nothing else changed). Log records never use it (0xff is a log's definitions frame), and
 * streams written before it existed never have bits 0-1 at 3, so they read as they did.
 */
const AT_SAME = 0;
const AT_DIFFERENCE = 1;
const AT_DOUBLE = 2;
const SUCCESSOR = 3;
const INLINE_CHANGES = 63;
const MAX_SUCCESSOR_STEP = 62;

export class TransactionWriter {
  private readonly effects: EffectWriter;

  constructor(
    readonly w: ByteWriter,
    readonly stream: TransactionStream,
  ) {
    this.effects = new EffectWriter(w, stream.names);
  }

  /** Writes `txn`; on a throw the caller truncates `w` and rolls the names back. */
  write(txn: Transaction): void {
    const { w, stream } = this;
    const base = stream.base.clock;
    const changed = changedIds(base, txn.clock);
    const difference = txn.at - stream.atBase;
    if (stream.follow && isSuccessor(stream, txn, changed) && isSuccessorStep(difference, txn.at)) {
      w.u8(SUCCESSOR | (difference << 2));
    } else this.writeHead(txn, changed, difference);
    const seq = txn.clock[txn.origin] ?? 0;
    this.effects.begin(txn.origin, seq, txn.clock);
    w.uvarint(txn.effects.length);
    for (const e of txn.effects) {
      writeObject(w, stream.names, e);
      crdtType(e.type).codec.encode(e.effect, this.effects);
    }
    if (stream.follow) {
      stream.base = { clock: txn.clock, size: stream.base.size + sizeChange(base, txn.clock, changed) };
      stream.atBase = txn.at;
      stream.lastOrigin = txn.origin;
    }
  }

  /** The head in its general form: head byte, origin, clock changes, time. */
  private writeHead(txn: Transaction, changed: readonly string[], difference: number): void {
    const { w, stream } = this;
    const base = stream.base.clock;
    const atMode =
      difference === 0 ? AT_SAME : Number.isSafeInteger(difference) && Number.isSafeInteger(txn.at) ? AT_DIFFERENCE : AT_DOUBLE;
    w.u8(atMode | (Math.min(changed.length, INLINE_CHANGES) << 2));
    writeReplicaId(w, stream.names, txn.origin);
    if (changed.length >= INLINE_CHANGES) w.uvarint(changed.length - INLINE_CHANGES);
    writeClockChanges(w, stream.names, base, txn.clock, changed);
    if (atMode === AT_DIFFERENCE) w.svarint(difference);
    else if (atMode === AT_DOUBLE) w.f64(txn.at);
  }
}

/** Whether the time can be a SUCCESSOR's: a few whole ms after the last, both exact integers. */
function isSuccessorStep(difference: number, at: number): boolean {
  return (
    difference >= 0 &&
    difference <= MAX_SUCCESSOR_STEP &&
    Number.isInteger(difference) &&
    Number.isSafeInteger(at) &&
    Number.isSafeInteger(at - difference)
  );
}

/** Whether `txn` is the next transaction of the last one's origin, with nothing else in its clock changed. */
function isSuccessor(stream: TransactionStream, txn: Transaction, changed: readonly string[]): boolean {
  const { origin } = txn;
  const base = stream.base.clock;
  return (
    origin === stream.lastOrigin &&
    changed.length === 1 &&
    changed[0] === origin &&
    Object.hasOwn(base, origin) &&
    txn.clock[origin] === base[origin] + 1
  );
}

/** How many entries `clock` has more than `base`, given the ids where they differ. */
function sizeChange(base: VectorClock, clock: VectorClock, changed: readonly string[]): number {
  let change = 0;
  for (const id of changed) change += (Object.hasOwn(clock, id) ? 1 : 0) - (Object.hasOwn(base, id) ? 1 : 0);
  return change;
}

/** A transaction's origin and clock: readable even when the rest is not. */
export interface TransactionHead {
  readonly origin: string;
  readonly clock: VectorClock;
}

export class TransactionReader {
  private readonly effects: EffectReader;
  /** How the time of the transaction whose head was just read is written. */
  private atMode = AT_SAME;
  /** Its ms since the previous transaction, when its head is a SUCCESSOR's. */
  private atStep = 0;
  private r: ByteReader;

  /** Reads from `r`, and later from whatever `readFrom` gives (one reader per stream, not per message). */
  constructor(
    r: ByteReader,
    readonly stream: TransactionStream,
  ) {
    this.r = r;
    this.effects = new EffectReader(r, stream.names);
  }

  readFrom(r: ByteReader): this {
    this.r = r;
    this.effects.r = r;
    return this;
  }

  read(): Transaction {
    const head = this.readHead();
    const at = this.readTime();
    return checkedByCodec({ origin: head.origin, clock: head.clock, at, effects: this.readEffects(head) });
  }

  /** Origin and clock, checked as `validateTransaction` checks them: a valid origin with a sequence number, a valid clock. */
  readHead(): TransactionHead {
    const { r, stream } = this;
    const head = r.u8();
    this.atMode = head & 3;
    // A log record never has this head: it reads on as a general one and its time is refused.
    if (this.atMode === SUCCESSOR && stream.follow) return this.readSuccessor(head >> 2);
    let changes = head >> 2;
    const origin = readReplicaId(r, stream.names);
    if (changes === INLINE_CHANGES) changes += r.count(r.remaining, 'the number of clock changes');
    const next = readClockChanges(r, stream.names, stream.base, changes);
    const seq = Object.hasOwn(next.clock, origin) ? next.clock[origin] : 0;
    if (seq < 1) throw new InvalidInputError(`transaction from ${origin} has no sequence number in its clock`);
    if (stream.follow) {
      stream.base = next;
      stream.lastOrigin = origin;
    }
    return { origin, clock: next.clock };
  }

  /** The head of the next transaction of the last one's origin (see SUCCESSOR). */
  private readSuccessor(step: number): TransactionHead {
    const { r, stream } = this;
    const origin = stream.lastOrigin;
    if (origin === undefined) throw r.problem('a transaction that follows none');
    const seq = stream.base.clock[origin] + 1;
    if (seq > MAX_SEQUENCE) throw r.problem(`clock entry "${origin}" would be ${seq}`);
    const clock: Record<string, number> = { ...stream.base.clock };
    clock[origin] = seq;
    stream.base = { clock, size: stream.base.size };
    this.atStep = step;
    return { origin, clock };
  }

  /** The time of the transaction whose head was just read: a finite number. */
  readTime(): number {
    const { r, stream } = this;
    let at: number;
    if (this.atMode === AT_SAME) at = stream.atBase;
    else if (this.atMode === AT_DIFFERENCE) at = stream.atBase + r.svarint();
    else if (this.atMode === AT_DOUBLE) at = r.f64();
    else if (stream.follow) at = stream.atBase + this.atStep;
    else throw r.problem(`unknown time encoding ${this.atMode}`);
    if (!Number.isFinite(at)) throw r.problem('the time of a transaction must be a finite number');
    if (stream.follow) stream.atBase = at;
    return at;
  }

  /** The effects of the transaction whose head and time were just read; each exactly as its type validates it. */
  readEffects(head: TransactionHead): Effect[] {
    const { r, stream } = this;
    const n = r.count(Math.min(MAX_EFFECTS_PER_TRANSACTION, r.remaining), 'the number of effects');
    this.effects.begin(head.origin, head.clock[head.origin], head.clock);
    const out = new Array<Effect>(n);
    for (let i = 0; i < n; i++) {
      const { bucket, key, type } = readObject(r, stream.names);
      out[i] = { bucket, key, type, effect: crdtType(type).codec.decode(this.effects) };
    }
    return out;
  }
}
