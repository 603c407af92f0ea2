import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSnapshot, encodeSnapshot as encodeState } from '../core/codec/snapshotCoding';
import { errorMessage } from '../core/errors';
import { ReplicaSnapshot } from '../core/replica';
import { writeFileAtomically, writeFileAtomicallySync } from './files';
import {
  Damage,
  FORMAT_VERSION,
  JSON_FORMAT_VERSION,
  checkHeader,
  headerClock,
  headerNumber,
  isRecord,
  parseJson,
  snapshotFile,
} from './format';
import { encodeFrame, encodeJsonFrame, readFrame } from './frames';
import { decodeStoredObject } from './records';

export interface SnapshotInfo {
  /** The first log segment whose records the snapshot does not contain (also the file's number). */
  readonly number: number;
  readonly path: string;
  readonly bytes: number;
  /** When it was written (ms since the epoch). */
  readonly at: number;
}

/**
 * Writes a snapshot atomically and durably (temp file, fsync, rename, fsync of the directory),
 * whatever the log's fsync policy: compaction deletes log segments on the strength of it.
 */
export async function writeSnapshotFile(dir: string, fromSegment: number, state: ReplicaSnapshot): Promise<SnapshotInfo> {
  const { info, data } = encodeSnapshot(dir, fromSegment, state);
  await writeFileAtomically(info.path, data);
  return info;
}

/** `writeSnapshotFile` that returns only once the snapshot is durable (a snapshot install). */
export function writeSnapshotFileSync(dir: string, fromSegment: number, state: ReplicaSnapshot): SnapshotInfo {
  const { info, data } = encodeSnapshot(dir, fromSegment, state);
  writeFileAtomicallySync(info.path, data);
  return info;
}

function encodeSnapshot(dir: string, fromSegment: number, state: ReplicaSnapshot): { info: SnapshotInfo; data: Buffer } {
  const path = join(dir, snapshotFile(fromSegment));
  const at = Date.now();
  const header = { format: 'minidote-snapshot', version: FORMAT_VERSION, fromSegment, clock: state.clock, at };
  const body = encodeState({ clock: state.clock, objects: state.objects });
  const data = Buffer.concat([encodeJsonFrame(header), encodeFrame(Buffer.from(body.buffer, body.byteOffset, body.byteLength))]);
  return { info: { number: fromSegment, path, bytes: data.length, at }, data };
}

/** Reads and checks a whole snapshot file; Damage if any part of it is off. */
export function readSnapshotFile(dir: string, number: number): { info: SnapshotInfo; state: ReplicaSnapshot } {
  const path = join(dir, snapshotFile(number));
  const data = readFileSync(path);
  const first = readFrame(data, 0);
  if (first.kind !== 'frame') throw new Damage(first.kind === 'end' ? 'empty file' : `header: ${first.reason}`);
  const header = checkHeader(parseJson(first.payload), 'minidote-snapshot', path);
  if (headerNumber(header, 'fromSegment') !== number) {
    throw new Damage(`header names segment ${String(header.fromSegment)}`);
  }
  const clock = headerClock(header, 'clock');
  const body = readFrame(data, first.next);
  if (body.kind !== 'frame') {
    throw new Damage(body.kind === 'end' ? 'no state after the header' : `state: ${body.reason}`);
  }
  if (body.next !== data.length) throw new Damage('unexpected bytes after the state');
  const objects = header.version === JSON_FORMAT_VERSION ? jsonObjects(body.payload) : binaryState(body.payload).objects;
  return { info: { number, path, bytes: data.length, at: headerNumber(header, 'at') }, state: { clock, objects } };
}

/** The objects of a snapshot of format 1: a JSON state. */
function jsonObjects(payload: Buffer): ReplicaSnapshot['objects'] {
  const state = parseJson(payload);
  if (!isRecord(state) || !Array.isArray(state.objects)) throw new Damage('state has no object list');
  return state.objects.map(decodeStoredObject);
}

function binaryState(payload: Buffer): ReplicaSnapshot {
  try {
    return decodeSnapshot(payload);
  } catch (error) {
    throw new Damage(`state is not valid: ${errorMessage(error)}`);
  }
}

/** What compaction needs to know of a snapshot that recovery did not have to read. */
export function snapshotOnDisk(dir: string, number: number): SnapshotInfo {
  const path = join(dir, snapshotFile(number));
  const stat = statSync(path);
  return { number, path, bytes: stat.size, at: stat.mtimeMs };
}
