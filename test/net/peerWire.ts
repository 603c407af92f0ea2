import { crc16 } from '../../src/core/codec/checksum';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { Transaction } from '../../src/core/transaction';

/**
 * Binary peer messages for tests that play a peer: well framed (length and checksum right) but
 * with content of the test's choosing, so that what the receiver refuses is the content.
 */
export function messageFrom(body: Uint8Array | readonly number[]): Uint8Array {
  const content = Uint8Array.from(body);
  const length: number[] = [];
  for (let n = content.length; ; n = Math.floor(n / 128)) {
    length.push(n >= 128 ? (n % 128) | 0x80 : n);
    if (n < 128) break;
  }
  const framed = Uint8Array.from([...length, ...content, 0, 0]);
  const crc = crc16(framed, 0, framed.length - 2);
  framed[framed.length - 2] = crc >> 8;
  framed[framed.length - 1] = crc & 0xff;
  return framed;
}

/** The body of a message (kind byte first): without its length and checksum. */
export function bodyOf(frame: Uint8Array): Uint8Array {
  let at = 0;
  while (frame[at] & 0x80) at++;
  return frame.slice(at + 1, frame.length - 2);
}

/**
 * The first message a fresh link would carry for `txns`, with its body changed by `spoil` and
 * framed again: content the link's decoder must refuse.
 */
export function spoiledTransactions(txns: readonly Transaction[], spoil: (body: Uint8Array) => void): Uint8Array {
  const body = bodyOf(new LinkEncoder().transactions(txns, Infinity)[0]);
  spoil(body);
  return messageFrom(body);
}
