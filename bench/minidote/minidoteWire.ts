import { LinkDecoder, LinkEncoder } from '../../src/core/codec/linkCodec';
import { Transaction } from '../../src/core/transaction';

/**
 * One direction of a Minidote link, as its peer sessions use it: the sender's encoder turns each
 * transaction into a binary `txns` message (names and clocks coded relative to what the link
 * already carried), the receiver's decoder checks and reads it. Workloads 1 and 2 size and time
 * Minidote's wire through this.
 */
export class MinidoteLink {
  private readonly encoder = new LinkEncoder();
  private readonly decoder = new LinkDecoder();

  /** The message for one transaction, sent alone. */
  encode(txn: Transaction): Uint8Array {
    const [message, ...more] = this.encoder.transactions([txn], Infinity);
    if (more.length > 0) throw new Error('minidote: one transaction took more than one message');
    return message;
  }

  decode(message: Uint8Array): readonly Transaction[] {
    const decoded = this.decoder.decode(message);
    if (decoded.t !== 'txns') throw new Error(`minidote: expected a txns message, got ${decoded.t}`);
    return decoded.txns;
  }
}
