import { InvalidInputError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strings at least this long are decoded by TextDecoder when they are plain UTF-8. */
const DECODER_FROM_BYTES = 48;

/**
 * Reads what ByteWriter wrote, refusing anything out of bounds or malformed with an
 * InvalidInputError: a read past the end, a varint longer than a safe integer needs, a string that
 * is not WTF-8. Nothing it returns was read from outside the given bytes.
 */
export class ByteReader {
  private at: number;
  /** Made when a double is first read: most messages have none. */
  private view: DataView | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  get done(): boolean {
    return this.at === this.end;
  }

  /** Refuses bytes left over after the last field: the input is longer than what it says. */
  expectEnd(what: string): void {
    if (this.at !== this.end) throw this.problem(`${this.end - this.at} unexpected bytes after ${what}`);
  }

  u8(): number {
    if (this.at >= this.end) throw this.truncated();
    return this.bytes[this.at++];
  }

  uvarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.end) throw this.truncated();
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw this.problem('a number beyond the safe integer range');
        return value;
      }
      scale *= 0x80;
    }
    throw this.problem('a number beyond the safe integer range');
  }

  /** A uvarint that must be at most `max` (a count, an index). */
  count(max: number, what: string): number {
    const n = this.uvarint();
    if (n > max) throw this.problem(`${what} ${n} is over the limit of ${max}`);
    return n;
  }

  /** What ByteWriter.svarint wrote: the first byte holds the sign and six bits of the magnitude. */
  svarint(): number {
    const first = this.u8();
    const low = (first >> 1) & 0x3f;
    const magnitude = first & 0x80 ? this.uvarint() * 64 + low : low;
    if (magnitude > Number.MAX_SAFE_INTEGER - (first & 1)) throw this.problem('a number beyond the safe integer range');
    return first & 1 ? -magnitude - 1 : magnitude;
  }

  f64(): number {
    if (this.end - this.at < 8) throw this.truncated();
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  /** The next `n` bytes, as a view (not a copy). */
  take(n: number): Uint8Array {
    if (n > this.end - this.at) throw this.truncated();
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** Everything up to the end, as a view. */
  rest(): Uint8Array {
    return this.take(this.end - this.at);
  }

  string(): string {
    const length = this.uvarint();
    if (length > this.end - this.at) throw this.truncated();
    const start = this.at;
    const stop = start + length;
    this.at = stop;
    const bytes = this.bytes;
    if (length >= DECODER_FROM_BYTES) {
      try {
        return utf8.decode(bytes.subarray(start, stop));
      } catch {
        // Not plain UTF-8: maybe lone surrogates, which the loop below accepts.
      }
    }
    let ascii = true;
    for (let i = start; i < stop; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, stop) as unknown as number[]);
    let text = '';
    for (let i = start; i < stop;) {
      const b = bytes[i++];
      if (b < 0x80) {
        text += String.fromCharCode(b);
        continue;
      }
      if (b >= 0xc2 && b < 0xe0) {
        text += String.fromCharCode(((b & 0x1f) << 6) | this.continuation(i++, stop));
        continue;
      }
      if (b >= 0xe0 && b < 0xf0) {
        const c = ((b & 0x0f) << 12) | (this.continuation(i, stop) << 6) | this.continuation(i + 1, stop);
        i += 2;
        if (c < 0x800) throw this.problem('an overlong UTF-8 sequence');
        // A pair of surrogates must be written as one 4-byte sequence, so each string has one encoding.
        if (c >= 0xdc00 && c <= 0xdfff && isHigh(text.charCodeAt(text.length - 1))) {
          throw this.problem('a surrogate pair written as two sequences');
        }
        text += String.fromCharCode(c);
        continue;
      }
      if (b >= 0xf0 && b < 0xf5) {
        const point =
          ((b & 0x07) << 18) | (this.continuation(i, stop) << 12) | (this.continuation(i + 1, stop) << 6) | this.continuation(i + 2, stop);
        i += 3;
        if (point < 0x10000 || point > 0x10ffff) throw this.problem('a UTF-8 sequence out of range');
        text += String.fromCharCode(0xd800 + ((point - 0x10000) >> 10), 0xdc00 + ((point - 0x10000) & 0x3ff));
        continue;
      }
      throw this.problem('a string that is not UTF-8');
    }
    return text;
  }

  problem(what: string): InvalidInputError {
    return new InvalidInputError(`malformed binary data at byte ${this.at}: ${what}`);
  }

  private truncated(): InvalidInputError {
    return this.problem('it ends in the middle of a field (truncated)');
  }

  private continuation(i: number, stop: number): number {
    if (i >= stop) throw this.problem('a UTF-8 sequence cut short');
    const b = this.bytes[i];
    if ((b & 0xc0) !== 0x80) throw this.problem('a UTF-8 sequence with a bad continuation byte');
    return b & 0x3f;
  }
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
