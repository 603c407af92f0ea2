import { crc32 } from 'node:zlib';

/**
 * Every file is a sequence of frames: u32 LE payload length, u32 LE CRC-32 of the length bytes and
 * the payload, then the payload. The length is inside the checksum so that a damaged length cannot
 * make the reader take a wrong slice for a record.
 */
export const FRAME_HEAD = 8;

/** What `frameEnd` returns at the end of the data. */
export const END = -1;
/** What `frameEnd` returns for a torn frame or one whose checksum fails (`frameDamage` says which). */
export const DAMAGED = -2;

export type FrameRead =
  | { readonly kind: 'frame'; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'damage'; readonly reason: string };

export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  payload.copy(frame, FRAME_HEAD);
  frame.writeUInt32LE(checksum(frame, 0, frame.length), 4);
  return frame;
}

/**
 * A frame built in place: `bytes` starts with FRAME_HEAD bytes left free for the head, followed by
 * the payload. Saves copying a payload that was just written.
 */
export function sealFrame(bytes: Uint8Array): Buffer {
  const frame = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  frame.writeUInt32LE(frame.length - FRAME_HEAD, 0);
  frame.writeUInt32LE(checksum(frame, 0, frame.length), 4);
  return frame;
}

export function encodeJsonFrame(value: unknown): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}

export function readFrame(data: Buffer, offset: number): FrameRead {
  const next = frameEnd(data, offset);
  if (next === END) return { kind: 'end' };
  if (next === DAMAGED) return { kind: 'damage', reason: frameDamage(data, offset) };
  return { kind: 'frame', payload: data.subarray(offset + FRAME_HEAD, next), next };
}

/**
 * Where the frame at `offset` ends (its payload is the bytes from offset + FRAME_HEAD to there)
 * when it is whole and its checksum holds; END at the end of the data, DAMAGED otherwise. Makes
 * no object: recovery checks every record with it.
 */
export function frameEnd(data: Uint8Array, offset: number): number {
  const available = data.length - offset;
  if (available === 0) return END;
  if (available < FRAME_HEAD) return DAMAGED;
  const length = u32(data, offset);
  if (length > available - FRAME_HEAD) return DAMAGED;
  const next = offset + FRAME_HEAD + length;
  return checksum(data, offset, next) === u32(data, offset + 4) ? next : DAMAGED;
}

/** Why `frameEnd` found the frame at `offset` damaged. */
export function frameDamage(data: Uint8Array, offset: number): string {
  const available = data.length - offset;
  if (available < FRAME_HEAD) return `incomplete record header (${available} of ${FRAME_HEAD} bytes)`;
  const length = u32(data, offset);
  if (length > available - FRAME_HEAD) return `incomplete record (${length} bytes announced, ${available - FRAME_HEAD} present)`;
  return 'checksum mismatch';
}

function u32(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

/** Payloads up to this size are checksummed here: cheaper than a call into zlib and a view per frame. */
const INLINE_CRC_BYTES = 256;

/** The IEEE CRC-32 (as zlib computes it) of a frame's length bytes and its payload, `next` being its end. */
function checksum(data: Uint8Array, offset: number, next: number): number {
  const payload = offset + FRAME_HEAD;
  if (next - payload > INLINE_CRC_BYTES) {
    const head = crc32(data.subarray(offset, offset + 4));
    return crc32(data.subarray(payload, next), head);
  }
  let crc = crcBytes(0xffffffff, data, offset, offset + 4);
  crc = crcBytes(crc, data, payload, next);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crcBytes(crc: number, data: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}
