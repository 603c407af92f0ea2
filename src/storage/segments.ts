import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { Damage, FORMAT_VERSION, checkHeader, headerClock, headerNumber, parseJson, segmentFile } from './format';
import { encodeJsonFrame, readFrame } from './frames';
import { decodeRecord } from './records';

/** What the storage knows about one log segment (kept up to date for the segment being written). */
export interface SegmentInfo {
  readonly number: number;
  readonly path: string;
  /** The replica's clock when the segment was started: what it delivered later is here or after. */
  readonly start: VectorClock;
  /** Started by a snapshot install: what the snapshot brought in between was never logged. */
  readonly imported: boolean;
  records: number;
  bytes: number;
  /** Highest sequence number per origin among its records: a clock at or above this covers it. */
  readonly covers: Record<string, number>;
}

export interface LoggedRecord {
  readonly offset: number;
  readonly txn: Transaction;
}

export interface SegmentScan {
  readonly data: Buffer;
  /** Undefined when the header itself is damaged. */
  readonly info?: SegmentInfo;
  /** The good records, up to the first damage. */
  readonly records: LoggedRecord[];
  readonly damage?: { readonly offset: number; readonly reason: string };
}

export function segmentHeader(number: number, start: VectorClock, imported: boolean): Buffer {
  return encodeJsonFrame({ format: 'minidote-log', version: FORMAT_VERSION, segment: number, start, imported });
}

export function noteRecord(info: SegmentInfo, txn: Transaction, bytes: number): void {
  info.records++;
  info.bytes += bytes;
  info.covers[txn.origin] = Math.max(info.covers[txn.origin] ?? 0, sequenceOf(txn));
}

/**
 * Reads a segment (its first `limit` bytes when given) and stops at the first damaged byte. With
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
    return { data, records: [], damage: { offset: 0, reason } };
  }
  let info: SegmentInfo;
  try {
    info = { ...readHeader(first.payload, path, number), path, records: 0, bytes: first.next, covers: {} };
  } catch (error) {
    if (!(error instanceof Damage)) throw error;
    return { data, records: [], damage: { offset: 0, reason: `header: ${error.message}` } };
  }
  const frames: { offset: number; payload: Buffer; next: number }[] = [];
  let damage: { offset: number; reason: string } | undefined;
  for (let offset = first.next; ; ) {
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
  if (coveredBy !== undefined) {
    const last = frames.at(-1);
    const counted = { ...info, records: frames.length, bytes: last ? last.next : info.bytes, covers: { ...coveredBy } };
    return damage ? { data, info: counted, records, damage } : { data, info: counted, records };
  }
  const values = parseAll(frames.map((f) => f.payload));
  for (const [i, { offset, payload, next }] of frames.entries()) {
    let txn: Transaction;
    try {
      txn = decodeRecord(values ? values[i] : parseJson(payload));
    } catch (error) {
      if (!(error instanceof Damage)) throw error;
      return { data, info, records, damage: { offset, reason: error.message } };
    }
    records.push({ offset, txn });
    noteRecord(info, txn, next - offset);
  }
  return damage ? { data, info, records, damage } : { data, info, records };
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

function readHeader(payload: Buffer, path: string, number: number): Pick<SegmentInfo, 'number' | 'start' | 'imported'> {
  const header = checkHeader(parseJson(payload), 'minidote-log', path);
  if (headerNumber(header, 'segment') !== number) throw new Damage(`header names segment ${String(header.segment)}`);
  if (typeof header.imported !== 'boolean') throw new Damage('header field imported is not a boolean');
  return { number, start: headerClock(header, 'start'), imported: header.imported };
}
