import { MAX_DOCUMENT_DEPTH } from '../json';
import type { ReplicaSnapshot, StoredObject } from '../replica';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';
import { readJson, writeJson } from './jsonCoding';
import { readName, readTypeName, typeIndex } from './nameTable';
import { readWholeClock, writeWholeClock } from './clockCoding';

/**
 * A replica's whole state in binary, the same for every reader (stored snapshots, snapshot
 * transfer): the clock, then per object its type, bucket, key and encoded state (the type's
 * `encode`, as a binary JSON value).
 */
export function encodeSnapshot(snapshot: ReplicaSnapshot): Uint8Array {
  const w = new ByteWriter(64 * 1024);
  writeWholeClock(w, snapshot.clock);
  w.uvarint(snapshot.objects.length);
  for (const o of snapshot.objects) {
    w.u8(typeIndex(o.type));
    w.string(o.bucket);
    w.string(o.key);
    writeJson(w, o.state);
  }
  return w.bytes();
}

/**
 * Reads `encodeSnapshot`'s bytes with the checks of the stored-object schema (names, known types,
 * states of bounded depth with finite numbers); each type's `decode` checks its state when the
 * replica imports it. InvalidInputError for anything else, including bytes left over.
 */
export function decodeSnapshot(bytes: Uint8Array): ReplicaSnapshot {
  const r = new ByteReader(bytes);
  const clock = readWholeClock(r);
  const objects = new Array<StoredObject>(r.count(r.remaining / 4, 'the number of objects'));
  for (let i = 0; i < objects.length; i++) {
    const type = readTypeName(r);
    const bucket = readName(r, 'bucket');
    const key = readName(r, 'key');
    objects[i] = { bucket, key, type, state: readJson(r, MAX_DOCUMENT_DEPTH) };
  }
  r.expectEnd('the snapshot');
  return { clock, objects };
}
