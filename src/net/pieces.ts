import { MinidoteError } from '../core/errors';

/**
 * Peer messages that may not fit in one WebSocket message cross the wire cut into pieces
 * (core/codec/linkCodec.ts, `piece`, DEFAULT_PIECE_BYTES each): a snapshot, and a `txns` message
 * holding a transaction that names a whole large object, like the reset of a big set. Their size,
 * and the size of any one object in them, is then bounded by MAX_ASSEMBLED_BYTES and never by the
 * message limit.
 */

/**
 * Largest message a receiver assembles from pieces: far above the stores this project is meant
 * for (a 200,000-element set is a few MB), and small enough that a peer that never sends the last
 * piece cannot make a node hold much.
 */
export const MAX_ASSEMBLED_BYTES = 64 * 1024 * 1024;

/**
 * Unfinished messages held at once by all connections of this process: two peers may bootstrap a
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

/** Unfinished messages held right now by this process's connections, in bytes. */
export function pendingPieceBytes(): number {
  return processBudget.held;
}

/**
 * Collects the pieces of one message from a peer. Refuses to hold more than `maxBytes`, or more
 * than the shared budget has left. Its owner calls `clear` when the connection closes.
 */
export class PieceAssembler {
  private pieces: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly what: string,
    private readonly maxBytes = MAX_ASSEMBLED_BYTES,
    private readonly budget = processBudget,
  ) {}

  /** Bytes held for a message still incomplete. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds a piece; returns the whole message after the last one. Throws (kind 'protocol') beyond a cap. */
  add(data: Uint8Array, last: boolean): Uint8Array | undefined {
    if (this.bytes + data.length > this.maxBytes) {
      this.clear();
      throw new MinidoteError('protocol', `${this.what} larger than ${this.maxBytes} bytes refused`);
    }
    if (!this.budget.take(data.length)) {
      this.clear();
      throw new MinidoteError(
        'protocol',
        `large messages in transfer on other connections already hold ${this.budget.limit} bytes; try again later`,
      );
    }
    this.bytes += data.length;
    this.pieces.push(data);
    if (!last) return undefined;
    const whole = Buffer.concat(this.pieces);
    this.clear();
    return whole;
  }

  clear(): void {
    this.budget.give(this.bytes);
    this.pieces = [];
    this.bytes = 0;
  }
}
