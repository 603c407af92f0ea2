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
import { encodeJsonFrame, readFrame } from './frames';
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

export interface SegmentScan {
  readonly data: Buffer;
  /** Undefined when the header itself is damaged. */
  readonly info?: SegmentInfo;
  /** The good records, up to the first damaged frame. */
  readonly records: LoggedRecord[];
  /** Whole frames with unusable content, in log order, among (not after) the good records. */
  readonly unusable: UnusableRecord[];
  /** The first frame that is torn or fails its checksum: nothing from here on can be trusted. */
  readonly damage?: { readonly offset: number; readonly reason: string };
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
 * Reads a segment (its first `limit` bytes when given) and stops at the first damaged frame; a
 * whole frame whose content is unusable is listed apart and the scan goes on. With
 * `coveredBy` (a clock known to cover every record, such as the snapshot that follows the segment),
 * records are only checksummed and counted, not decoded: recovery keeps such segments for lagging
 * peers only, and decoding them all would cost as much as replaying them.
 */
export function scanSegment(dir: string, number: number, limit?: number, coveredBy?: VectorClock): SegmentScan {
  const path = join(dir, segmentFile(number));
  const whole = readFileSync(path);
  const data = limit === undefined ? whole : whole.subarray(0, limit);
  const first = readFrame(data, 0);
  if (first.kind !== 'frame') {
    const reason = first.kind === 'end' ? 'no header' : `header: ${first.reason}`;
    return { data, records: [], unusable: [], damage: { offset: 0, reason } };
  }
  let header: SegmentHeader;
  try {
    header = readHeader(first.payload, path, number);
  } catch (error) {
    if (!(error instanceof Damage)) throw error;
    return { data, records: [], unusable: [], damage: { offset: 0, reason: `header: ${error.message}` } };
  }
  const { at, ...fields } = header;
  const coder = header.version === JSON_FORMAT_VERSION ? undefined : new RecordCoder(header.start, at);
  // Only a segment read to its end can be continued: its coder has seen every name it defines.
  const continuable = coder !== undefined && coveredBy === undefined && limit === undefined;
  const info: SegmentInfo = { ...fields, path, records: 0, bytes: first.next, covers: {}, ...(continuable ? { coder } : {}) };
  const frames: { offset: number; payload: Buffer; next: number }[] = [];
  let damage: { offset: number; reason: string } | undefined;
  for (let offset = first.next; ;) {
    const frame = readFrame(data, offset);
    if (frame.kind === 'end') break;
    if (frame.kind === 'damage') {
      damage = { offset, reason: frame.reason };
      break;
    }
    frames.push({ offset, payload: frame.payload, next: frame.next });
    offset = frame.next;
  }
  const records: LoggedRecord[] = [];
  const unusable: UnusableRecord[] = [];
  const end = (scanned: SegmentInfo): SegmentScan =>
    damage ? { data, info: scanned, records, unusable, damage } : { data, info: scanned, records, unusable };
  if (coveredBy !== undefined) {
    const last = frames.at(-1);
    const count = coder ? frames.filter((f) => !isDefinitions(f.payload)).length : frames.length;
    return end({ ...info, records: count, bytes: last ? last.next : info.bytes, covers: { ...coveredBy } });
  }
  const decode = coder ? (payload: Buffer) => coder.decode(payload) : jsonRecords(frames.map((f) => f.payload));
  for (const [i, { offset, payload, next }] of frames.entries()) {
    try {
      const txn = decode(payload, i);
      if (txn === undefined) {
        // Names for the records that follow: bytes of the segment, not a record.
        info.bytes += next - offset;
        continue;
      }
      records.push({ offset, next, txn });
      noteRecord(info, txn, next - offset);
    } catch (error) {
      if (!(error instanceof Damage)) throw error;
      const placeholder = error instanceof UnusableRecordError ? error.placeholder : undefined;
      unusable.push(placeholder ? { offset, next, reason: error.message, placeholder } : { offset, next, reason: error.message });
      noteRecord(info, placeholder, next - offset);
    }
  }
  return end(info);
}

/**
 * Reads the records of a segment of format 1 (JSON), all parsed with one JSON.parse when they all
 * are JSON. Throws Damage, an UnusableRecordError carrying the placeholder when there is one.
 */
function jsonRecords(payloads: readonly Buffer[]): (payload: Buffer, i: number) => Transaction {
  const values = parseAll(payloads);
  return (payload, i) => {
    let value: unknown;
    try {
      value = values ? values[i] : parseJson(payload);
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
