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
 * Largest snapshot text a receiver assembles (in characters of JSON, about bytes): far above the
 * stores this project is meant for (a 200,000-element set is 7 MB), and small enough that a peer
 * that never sends the last piece cannot make a node hold much.
 */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/**
 * Unfinished snapshot text held at once by all connections of this process: two peers may
 * bootstrap a new replica at the same time, but many connections cannot multiply the cap.
 */
export const MAX_PENDING_SNAPSHOT_BYTES = 2 * MAX_SNAPSHOT_BYTES;

/** Bytes shared by every SnapshotAssembler that uses it. */
export class SnapshotBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get held(): number {
    return this.used;
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

const processBudget = new SnapshotBudget(MAX_PENDING_SNAPSHOT_BYTES);

/** Unfinished snapshot text held right now by this process's connections. */
export function pendingSnapshotBytes(): number {
  return processBudget.held;
}

export const SnapshotSchema = v.object({ clock: ClockSchema, objects: v.array(StoredObjectSchema) });

/** Serializes a snapshot once and cuts the text into pieces; always at least one piece. */
export function snapshotPieces(text: string, pieceChars = SNAPSHOT_PIECE_CHARS): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += pieceChars) pieces.push(text.slice(start, start + pieceChars));
  return pieces.length > 0 ? pieces : [''];
}

/**
 * Collects the pieces of one snapshot from a peer. Refuses to hold more than `maxChars`, or more
 * than the shared budget has left, and checks the whole snapshot against the same schemas as
 * stored snapshots before handing it on. Its owner calls `clear` when the connection closes.
 */
export class SnapshotAssembler {
  private pieces: string[] = [];
  private chars = 0;

  constructor(
    private readonly maxChars = MAX_SNAPSHOT_BYTES,
    private readonly budget = processBudget,
  ) {}

  /** Characters held for a snapshot still incomplete. */
  get pendingChars(): number {
    return this.chars;
  }

  /** Adds a piece; returns the snapshot after the last one. Throws (kind 'protocol') when it is too large or malformed. */
  add(data: string, last: boolean): ReplicaSnapshot | undefined {
    if (this.chars + data.length > this.maxChars) {
      this.clear();
      throw new MinidoteError('protocol', `snapshot larger than ${this.maxChars} bytes refused`);
    }
    if (!this.budget.take(data.length)) {
      this.clear();
      throw new MinidoteError('protocol', `snapshots in transfer from other connections already hold ${this.budget.limit} bytes; try again later`);
    }
    this.chars += data.length;
    this.pieces.push(data);
    if (!last) return undefined;
    const text = this.pieces.join('');
    this.clear();
    return parseSnapshot(text);
  }

  clear(): void {
    this.budget.give(this.chars);
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
