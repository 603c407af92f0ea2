/**
 * Appends binary fields to a growing buffer: unsigned and zigzag varints (LEB128, exact up to
 * 2^53), IEEE doubles, raw bytes and strings. Strings are WTF-8: UTF-8 that also carries lone
 * surrogates, which JavaScript strings (and so JSON values) may hold and TextEncoder would replace.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialBytes = 256) {
    this.buffer = new Uint8Array(initialBytes);
    this.view = new DataView(this.buffer.buffer);
  }

  get size(): number {
    return this.length;
  }

  /** The bytes written so far (from `start`), copied out: the writer may go on. */
  bytes(start = 0): Uint8Array {
    return this.buffer.slice(start, this.length);
  }

  /**
   * `bytes`, for many small copies (one per message): views into shared slabs, as Node's Buffer
   * pool does, since an ArrayBuffer per message costs more to make and to collect than the message.
   */
  pooledBytes(start = 0): Uint8Array {
    const size = this.length - start;
    if (size > SLAB_BYTES / 8) return this.bytes(start);
    if (slabUsed + size > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      slabUsed = 0;
    }
    const out = new Uint8Array(slab, slabUsed, size);
    out.set(this.buffer.subarray(start, this.length));
    // Views start on 8-byte boundaries, as Buffer's pool keeps them.
    slabUsed += (size + 7) & ~7;
    return out;
  }

  /** A view of the bytes from `start` on, valid until the next write. */
  slice(start = 0): Uint8Array {
    return this.buffer.subarray(start, this.length);
  }

  /** Forgets everything from `size` on (a field that could not be written whole). */
  truncate(size: number): void {
    this.length = Math.min(this.length, size);
  }

  u8(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  /** Writes a byte now and lets the caller fill it in later (a count or flags known at the end). */
  placeholder(): number {
    this.u8(0);
    return this.length - 1;
  }

  patch(at: number, value: number): void {
    this.buffer[at] = value;
  }

  /** A non-negative safe integer. */
  uvarint(value: number): void {
    this.ensure(8);
    let n = value;
    while (n >= 0x80) {
      // Beyond 2^31 bit operations would wrap: divide instead.
      this.buffer[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buffer[this.length++] = n;
  }

  /**
   * A safe integer of either sign, zigzag mapped (0, -1, 1, -2 … → 0, 1, 2, 3 …). The mapped value
   * of a large safe integer is not itself safe, so the sign bit and the low bits of the magnitude
   * go in the first byte and the rest of the magnitude follows as a uvarint.
   */
  svarint(value: number): void {
    const negative = value < 0;
    const magnitude = negative ? -value - 1 : value;
    const first = ((magnitude % 64) << 1) | (negative ? 1 : 0);
    const rest = Math.floor(magnitude / 64);
    if (rest === 0) this.u8(first);
    else {
      this.u8(first | 0x80);
      this.uvarint(rest);
    }
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** uvarint byte length, then the WTF-8 bytes. */
  string(text: string): void {
    const n = text.length;
    // Up to 42 units the length fits one byte whatever they are; longer strings are measured first.
    if (n * 3 < 0x80) {
      this.ensure(n * 3 + 1);
      const lengthAt = this.length++;
      this.length = this.encode(text, this.length);
      this.buffer[lengthAt] = this.length - lengthAt - 1;
      return;
    }
    this.uvarint(wtf8Length(text));
    this.ensure(n * 3);
    this.length = this.encode(text, this.length);
  }

  /** Writes `text` as WTF-8 at `at` (room was made); returns where it ended. */
  private encode(text: string, at: number): number {
    const buf = this.buffer;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) buf[at++] = c;
      else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (isHighSurrogate(c) && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
        buf[at++] = 0xf0 | (point >> 18);
        buf[at++] = 0x80 | ((point >> 12) & 0x3f);
        buf[at++] = 0x80 | ((point >> 6) & 0x3f);
        buf[at++] = 0x80 | (point & 0x3f);
      } else {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    return at;
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Bytes of `text` in WTF-8. */
export function wtf8Length(text: string): number {
  let bytes = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (isHighSurrogate(c) && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
