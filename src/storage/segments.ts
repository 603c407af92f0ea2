import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateReplicaId } from '../core/replica';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock, entry, parseClock } from '../core/vectorClock';
import {
  Damage,
  FORMAT_VERSION,
  JSON_FORMAT_VERSION,
  checkHeader,
  headerClock,
  headerNumber,
  isRecord,
  parseJson,
  segmentFile,
} from './format';
import { DAMAGED, END, FRAME_HEAD, encodeJsonFrame, frameDamage, frameEnd, readFrame } from './frames';
import { RecordCoder, UnusableRecordError, decodeJsonRecord, isDefinitions } from './records';

/** What the storage knows about one log segment (kept up to date for the segment being written). */
export interface SegmentInfo {
  readonly number: number;
  readonly path: string;
  /** The replica's clock when the segment was started: what it delivered later is here or after. */
  readonly start: VectorClock;
  /** Started by a snapshot install: what the snapshot brought in between was never logged. */
  readonly imported: boolean;
  /** The storage format of its records (format.ts). */
  readonly version: number;
  /**
   * Reads and writes its records (format 2): set once every record was read in order, or the
   * segment is new. Appending goes on only in a segment that has one.
   */
  readonly coder?: RecordCoder;
  records: number;
  bytes: number;
  /** Highest sequence number per origin among its records: a clock at or above this covers it. */
  readonly covers: Record<string, number>;
}

export interface LoggedRecord {
  readonly offset: number;
  /** Where the next record starts. */
  readonly next: number;
  readonly txn: Transaction;
}

/**
 * A record whose frame is whole (its checksum holds) but whose content cannot be applied. It
 * costs only itself: recovery sets it aside and goes on with the next record.
 */
export interface UnusableRecord {
  readonly offset: number;
  /** Where the next record starts. */
  readonly next: number;
  readonly reason: string;
  /**
   * The record's origin and clock with no effects, when those are readable: replaying it uses up
   * the sequence number, so the origin's later records still follow and the number is never issued
   * twice. Undefined when not even that can be read.
   */
  readonly placeholder?: Transaction;
}

/** What reading a segment found besides its records. */
export interface SegmentRead {
  readonly data: Buffer;
  /** Undefined when the header itself is damaged. */
  readonly info?: SegmentInfo;
  /** The first frame that is torn or fails its checksum: nothing from here on can be trusted. */
  readonly damage?: { readonly offset: number; readonly reason: string };
}

export interface SegmentScan extends SegmentRead {
  /** The good records, up to the first damaged frame. */
  readonly records: LoggedRecord[];
  /** Whole frames with unusable content, in log order, among (not after) the good records. */
  readonly unusable: UnusableRecord[];
}

/** Takes a segment's records in log order as `readSegment` reads them. */
export interface RecordVisitor {
  /** Once the header is read, before any record. */
  begin?(info: SegmentInfo, data: Buffer): void;
  /** A good record, from `offset` to `next`. */
  record(txn: Transaction, offset: number, next: number): void;
  /** A whole frame whose content is unusable. */
  unusable(record: UnusableRecord): void;
}

/**
 * The header frame of a new segment, JSON in every format. `at` is the time the records' times are
 * written against.
 */
export function segmentHeader(number: number, start: VectorClock, imported: boolean, at: number): Buffer {
  return encodeJsonFrame({ format: 'minidote-log', version: FORMAT_VERSION, segment: number, start, imported, at });
}

export function noteRecord(info: SegmentInfo, txn: Transaction | undefined, bytes: number): void {
  info.records++;
  info.bytes += bytes;
  if (txn) info.covers[txn.origin] = Math.max(info.covers[txn.origin] ?? 0, sequenceOf(txn));
}

/**
 * Reads a segment (its first `limit` bytes when given) into lists of its records; see `readSegment`.
 */
export function scanSegment(dir: string, number: number, limit?: number): SegmentScan {
  const records: LoggedRecord[] = [];
  const unusable: UnusableRecord[] = [];
  const read = readSegment(
    dir,
    number,
    {
      record: (txn, offset, next) => records.push({ offset, next, txn }),
      unusable: (record) => unusable.push(record),
    },
    limit,
  );
  return { ...read, records, unusable };
}

/**
 * Reads a segment (its first `limit` bytes when given), handing each record to `visitor` as soon
 * as it is decoded, and stops at the first damaged frame; a whole frame whose content is unusable
 * goes to `visitor.unusable` and the reading goes on. Recovery replays each record as it comes:
 * no list of the segment's transactions is ever held.
 */
export function readSegment(dir: string, number: number, visitor: RecordVisitor, limit?: number): SegmentRead {
  const opened = openSegment(dir, number, limit, limit === undefined);
  if (!('from' in opened)) return opened;
  const { data, info, coder } = opened;
  visitor.begin?.(info, data);
  const frames = coder ? undefined : ([] as number[]);
  let damage: { offset: number; reason: string } | undefined;
  for (let offset = opened.from; ;) {
    const next = frameEnd(data, offset);
    if (next === END) break;
    if (next === DAMAGED) {
      damage = { offset, reason: frameDamage(data, offset) };
      break;
    }
    if (coder) {
      let txn: Transaction | undefined;
      try {
        txn = coder.decodeAt(data, offset + FRAME_HEAD, next);
      } catch (error) {
        takeUnusable(info, visitor, offset, next, error);
        offset = next;
        continue;
      }
      takeRecord(info, visitor, offset, next, txn);
    } else frames?.push(offset, next);
    offset = next;
  }
  if (frames) {
    const decode = jsonRecords(data, frames);
    for (let i = 0; i < frames.length; i += 2) {
      let txn: Transaction;
      try {
        txn = decode(i / 2);
      } catch (error) {
        takeUnusable(info, visitor, frames[i], frames[i + 1], error);
        continue;
      }
      takeRecord(info, visitor, frames[i], frames[i + 1], txn);
    }
  }
  return damage ? { data, info, damage } : { data, info };
}

/**
 * Only checks a segment's frames and counts its records, decoding none: for a segment that
 * `coveredBy` (a clock known to cover every record, such as the snapshot that follows it) covers.
 * Recovery keeps such segments for lagging peers only, and decoding them all would cost as much as
 * replaying them.
 */
export function checkSegment(dir: string, number: number, coveredBy: VectorClock): SegmentRead {
  const opened = openSegment(dir, number, undefined, false);
  if (!('from' in opened)) return opened;
  const { data, coder } = opened;
  let records = 0;
  let offset = opened.from;
  let damage: { offset: number; reason: string } | undefined;
  for (;;) {
    const next = frameEnd(data, offset);
    if (next === END) break;
    if (next === DAMAGED) {
      damage = { offset, reason: frameDamage(data, offset) };
      break;
    }
    if (!coder || !isDefinitions(data.subarray(offset + FRAME_HEAD, next))) records++;
    offset = next;
  }
  const info: SegmentInfo = { ...opened.info, records, bytes: offset, covers: { ...coveredBy } };
  return damage ? { data, info, damage } : { data, info };
}

type OpenedSegment = { data: Buffer; info: SegmentInfo; coder?: RecordCoder; from: number };
type DamagedHeader = { data: Buffer; damage: { offset: number; reason: string } };

/** Reads a segment's bytes and its header; the records start at `from`. */
function openSegment(dir: string, number: number, limit: number | undefined, continuable: boolean): OpenedSegment | DamagedHeader {
  const path = join(dir, segmentFile(number));
  const whole = readFileSync(path);
  const data = limit === undefined ? whole : whole.subarray(0, limit);
  const first = readFrame(data, 0);
  if (first.kind !== 'frame') {
    const reason = first.kind === 'end' ? 'no header' : `header: ${first.reason}`;
    return { data, damage: { offset: 0, reason } };
  }
  let header: SegmentHeader;
  try {
    header = readHeader(first.payload, path, number);
  } catch (error) {
    if (!(error instanceof Damage)) throw error;
    return { data, damage: { offset: 0, reason: `header: ${error.message}` } };
  }
  const { at, ...fields } = header;
  const coder = header.version === JSON_FORMAT_VERSION ? undefined : new RecordCoder(header.start, at);
  // Only a segment read to its end can be continued: its coder has seen every name it defines.
  const info: SegmentInfo = { ...fields, path, records: 0, bytes: first.next, covers: {}, ...(continuable && coder ? { coder } : {}) };
  return coder ? { data, info, coder, from: first.next } : { data, info, from: first.next };
}

/** Notes the record from `offset` to `next` in `info` and hands it to `visitor`; undefined: a definitions frame. */
function takeRecord(info: SegmentInfo, visitor: RecordVisitor, offset: number, next: number, txn: Transaction | undefined): void {
  if (txn === undefined) {
    // Names for the records that follow: bytes of the segment, not a record.
    info.bytes += next - offset;
    return;
  }
  noteRecord(info, txn, next - offset);
  visitor.record(txn, offset, next);
}

/** The record from `offset` to `next` could not be decoded: Damage makes it unusable, anything else is rethrown. */
function takeUnusable(info: SegmentInfo, visitor: RecordVisitor, offset: number, next: number, error: unknown): void {
  if (!(error instanceof Damage)) throw error;
  const placeholder = error instanceof UnusableRecordError ? error.placeholder : undefined;
  noteRecord(info, placeholder, next - offset);
  visitor.unusable(placeholder ? { offset, next, reason: error.message, placeholder } : { offset, next, reason: error.message });
}

/**
 * Reads the records of a segment of format 1 (JSON), whose frames are the pairs of offsets in
 * `frames`; all parsed with one JSON.parse when they all are JSON. Throws Damage, an
 * UnusableRecordError carrying the placeholder when there is one.
 */
function jsonRecords(data: Buffer, frames: readonly number[]): (i: number) => Transaction {
  const payloads: Buffer[] = [];
  for (let i = 0; i < frames.length; i += 2) payloads.push(data.subarray(frames[i] + FRAME_HEAD, frames[i + 1]));
  const values = parseAll(payloads);
  return (i) => {
    let value: unknown;
    try {
      value = values ? values[i] : parseJson(payloads[i]);
      return decodeJsonRecord(value);
    } catch (error) {
      if (!(error instanceof Damage)) throw error;
      throw new UnusableRecordError(error.message, placeholderFor(value));
    }
  };
}

/**
 * The origin and clock of a record whose content is unusable, as a transaction without effects;
 * undefined unless both are valid. Replaying it can only advance the origin's own entry by one
 * (causal delivery refuses anything else), so a forged clock in it gains nothing.
 */
export function placeholderFor(value: unknown): Transaction | undefined {
  if (!isRecord(value) || typeof value.origin !== 'string') return undefined;
  const origin = value.origin;
  let clock: VectorClock;
  try {
    validateReplicaId(origin);
    clock = parseClock(value.clock);
  } catch {
    return undefined;
  }
  return entry(clock, origin) >= 1 ? { origin, clock, at: 0, effects: [] } : undefined;
}

/**
 * Parses every record of a segment with one JSON.parse, several times faster than one call per
 * record during recovery. Undefined if any payload is not JSON: the caller then parses record by
 * record to find where the damage starts.
 */
function parseAll(payloads: readonly Buffer[]): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(`[${payloads.map((p) => p.toString('utf8')).join(',')}]`);
    return Array.isArray(parsed) && parsed.length === payloads.length ? parsed : undefined;
  } catch {
    return undefined;
  }
}

type SegmentHeader = Pick<SegmentInfo, 'number' | 'start' | 'imported' | 'version'> & { readonly at: number };

function readHeader(payload: Buffer, path: string, number: number): SegmentHeader {
  const header = checkHeader(parseJson(payload), 'minidote-log', path);
  if (headerNumber(header, 'segment') !== number) throw new Damage(`header names segment ${String(header.segment)}`);
  if (typeof header.imported !== 'boolean') throw new Damage('header field imported is not a boolean');
  const version = header.version as number;
  const at = version === JSON_FORMAT_VERSION ? 0 : header.at;
  if (typeof at !== 'number' || !Number.isSafeInteger(at)) throw new Damage('header field at is not a time');
  return { number, start: headerClock(header, 'start'), imported: header.imported, version, at };
}
