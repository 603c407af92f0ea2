import { Transaction } from '../../src/core/transaction';
import { PeerMessage, decode } from '../../src/net/messages';

/**
 * What a Minidote node puts on the wire for one transaction, and how the receiving node reads it
 * back, as its peer session does: the transaction's JSON in a `txns` message, checked against the
 * message schema on the way in. Workloads 1 and 2 size and time Minidote's wire through this.
 */
export function encodeTxnsMessage(txn: Transaction): string {
  return `{"t":"txns","txns":[${JSON.stringify(txn)}]}`;
}

export function decodeTxnsMessage(text: string): readonly Transaction[] {
  const message = decode(PeerMessage, text);
  if (!message.ok || message.value.t !== 'txns') throw new Error(`bench produced a bad message: ${text}`);
  return message.value.txns as Transaction[];
}

export function wireBytes(message: string): number {
  return Buffer.byteLength(message);
}
