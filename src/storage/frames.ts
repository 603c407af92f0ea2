import { crc32 } from 'node:zlib';

/**
 * Every file is a sequence of frames: u32 LE payload length, u32 LE CRC-32 of the length bytes and
 * the payload, then the payload. The length is inside the checksum so that a damaged length cannot
 * make the reader take a wrong slice for a record.
 */
export const FRAME_HEAD = 8;

export type FrameRead =
  | { readonly kind: 'frame'; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'damage'; readonly reason: string };

export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(checksum(frame.subarray(0, 4), payload), 4);
  payload.copy(frame, FRAME_HEAD);
  return frame;
}

/**
 * A frame built in place: `bytes` starts with FRAME_HEAD bytes left free for the head, followed by
 * the payload. Saves copying a payload that was just written.
 */
export function sealFrame(bytes: Uint8Array): Buffer {
  const frame = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  frame.writeUInt32LE(frame.length - FRAME_HEAD, 0);
  frame.writeUInt32LE(checksum(frame.subarray(0, 4), frame.subarray(FRAME_HEAD)), 4);
  return frame;
}

export function encodeJsonFrame(value: unknown): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}

export function readFrame(data: Buffer, offset: number): FrameRead {
  const available = data.length - offset;
  if (available === 0) return { kind: 'end' };
  if (available < FRAME_HEAD) {
    return { kind: 'damage', reason: `incomplete record header (${available} of ${FRAME_HEAD} bytes)` };
  }
  const length = data.readUInt32LE(offset);
  if (length > available - FRAME_HEAD) {
    return {
      kind: 'damage',
      reason: `incomplete record (${length} bytes announced, ${available - FRAME_HEAD} present)`,
    };
  }
  const payload = data.subarray(offset + FRAME_HEAD, offset + FRAME_HEAD + length);
  if (checksum(data.subarray(offset, offset + 4), payload) !== data.readUInt32LE(offset + 4)) {
    return { kind: 'damage', reason: 'checksum mismatch' };
  }
  return { kind: 'frame', payload, next: offset + FRAME_HEAD + length };
}

function checksum(lengthBytes: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(lengthBytes));
}
