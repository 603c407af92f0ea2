import type { Transaction } from '../transaction';

/**
 * The transactions the binary codec read. It checks as it reads all that `validateTransaction`
 * checks (the origin, the clock, every effect exactly as its type validates it), so a replica that
 * receives one of these need not check it a second time. A WeakSet rather than a mark on the
 * object: only the codec adds to it, a copy or a transaction built elsewhere is never in it, and
 * transactions stay plain data.
 */
const checked = new WeakSet<Transaction>();

export function checkedByCodec<T extends Transaction>(txn: T): T {
  checked.add(txn);
  return txn;
}

export function wasCheckedByCodec(txn: Transaction): boolean {
  return checked.has(txn);
}
