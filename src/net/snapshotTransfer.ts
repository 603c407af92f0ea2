import * as v from 'valibot';
import { MinidoteError } from '../core/errors';
import { ReplicaSnapshot } from '../core/replica';
import { ClockSchema, StoredObjectSchema, describeIssue } from '../core/schemas';

/**
 * A snapshot crosses the wire as its JSON text cut into pieces, so that its size, and the size of
 * any one object in it, is bounded only by MAX_SNAPSHOT_BYTES and never by the message limit.
 *
 * A piece holds SNAPSHOT_PIECE_CHARS characters of that text. Sent as a JSON string inside a
 * message, one character takes at most 3 bytes (non-ASCII UTF-8, or an escaped quote or
 * backslash), so a piece message stays under 1.6 MB, well below the 4 MiB message limit.
 */
export const SNAPSHOT_PIECE_CHARS = 512 * 1024;

/**
 * Largest snapshot text a receiver assembles (in characters of JSON, about bytes). Far above any
 * store this project is meant for, and below V8's longest string (about 512 Mi characters).
 */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

export const SnapshotSchema = v.object({ clock: ClockSchema, objects: v.array(StoredObjectSchema) });

/** Serializes a snapshot once and cuts the text into pieces; always at least one piece. */
export function snapshotPieces(text: string, pieceChars = SNAPSHOT_PIECE_CHARS): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += pieceChars) pieces.push(text.slice(start, start + pieceChars));
  return pieces.length > 0 ? pieces : [''];
}

/**
 * Collects the pieces of one snapshot from a peer. Refuses to hold more than `maxChars`, and
 * checks the whole snapshot against the same schemas as stored snapshots before handing it on.
 */
export class SnapshotAssembler {
  private pieces: string[] = [];
  private chars = 0;

  constructor(private readonly maxChars = MAX_SNAPSHOT_BYTES) {}

  /** Characters held for a snapshot still incomplete. */
  get pendingChars(): number {
    return this.chars;
  }

  /** Adds a piece; returns the snapshot after the last one. Throws (kind 'protocol') when it is too large or malformed. */
  add(data: string, last: boolean): ReplicaSnapshot | undefined {
    this.chars += data.length;
    if (this.chars > this.maxChars) {
      this.clear();
      throw new MinidoteError('protocol', `snapshot larger than ${this.maxChars} bytes refused`);
    }
    this.pieces.push(data);
    if (!last) return undefined;
    const text = this.pieces.join('');
    this.clear();
    return parseSnapshot(text);
  }

  clear(): void {
    this.pieces = [];
    this.chars = 0;
  }
}

function parseSnapshot(text: string): ReplicaSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MinidoteError('protocol', 'snapshot is not JSON');
  }
  const result = v.safeParse(SnapshotSchema, raw);
  if (!result.success) throw new MinidoteError('protocol', `snapshot is malformed ${describeIssue(result.issues)}`);
  return result.output;
}
