import { MinidoteError } from '../core/errors';

/**
 * Messages that may not fit in one WebSocket message cross the wire as their JSON text cut into
 * pieces: a snapshot (`snapshotPart`) and a `txns` message holding a transaction that names a
 * whole large object, like the reset of a big set (`txnsPart`). Their size, and the size of any
 * one object in them, is then bounded by MAX_ASSEMBLED_BYTES and never by the message limit.
 *
 * A piece holds PIECE_CHARS characters of that text. Sent as a JSON string inside a message, one
 * character takes at most 3 bytes (non-ASCII UTF-8, or an escaped quote or backslash), so a piece
 * message stays under 1.6 MB, well below the 4 MiB message limit.
 */
export const PIECE_CHARS = 512 * 1024;

/**
 * Largest text a receiver assembles from pieces (in characters of JSON, about bytes): far above
 * the stores this project is meant for (a 200,000-element set is 7 MB), and small enough that a
 * peer that never sends the last piece cannot make a node hold much.
 */
export const MAX_ASSEMBLED_BYTES = 64 * 1024 * 1024;

/**
 * Unfinished text held at once by all connections of this process: two peers may bootstrap a
 * new replica at the same time, but many connections cannot multiply the cap.
 */
export const MAX_PENDING_PIECE_BYTES = 2 * MAX_ASSEMBLED_BYTES;

/** Bytes shared by every PieceAssembler that uses it. */
export class PieceBudget {
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

const processBudget = new PieceBudget(MAX_PENDING_PIECE_BYTES);

/** Unfinished text held right now by this process's connections. */
export function pendingPieceBytes(): number {
  return processBudget.held;
}

/** Cuts text into pieces; always at least one piece. */
export function textPieces(text: string, pieceChars = PIECE_CHARS): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += pieceChars) pieces.push(text.slice(start, start + pieceChars));
  return pieces.length > 0 ? pieces : [''];
}

/**
 * Collects the pieces of one message from a peer. Refuses to hold more than `maxChars`, or more
 * than the shared budget has left. Its owner calls `clear` when the connection closes.
 */
export class PieceAssembler {
  private pieces: string[] = [];
  private chars = 0;

  constructor(
    private readonly what: string,
    private readonly maxChars = MAX_ASSEMBLED_BYTES,
    private readonly budget = processBudget,
  ) {}

  /** Characters held for a message still incomplete. */
  get pendingChars(): number {
    return this.chars;
  }

  /** Adds a piece; returns the whole text after the last one. Throws (kind 'protocol') beyond a cap. */
  add(data: string, last: boolean): string | undefined {
    if (this.chars + data.length > this.maxChars) {
      this.clear();
      throw new MinidoteError('protocol', `${this.what} larger than ${this.maxChars} bytes refused`);
    }
    if (!this.budget.take(data.length)) {
      this.clear();
      throw new MinidoteError(
        'protocol',
        `large messages in transfer on other connections already hold ${this.budget.limit} bytes; try again later`,
      );
    }
    this.chars += data.length;
    this.pieces.push(data);
    if (!last) return undefined;
    const text = this.pieces.join('');
    this.clear();
    return text;
  }

  clear(): void {
    this.budget.give(this.chars);
    this.pieces = [];
    this.chars = 0;
  }
}
