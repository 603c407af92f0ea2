import assert from 'node:assert/strict';
import { LinkDecoder, LinkEncoder } from '../../../src/core/codec/linkCodec';
import { Replica } from '../../../src/core/replica';
import { Transaction } from '../../../src/core/transaction';
import { RecordCoder } from '../../../src/storage/records';

/**
 * Clocks cost what changed: with 1,000 replica ids known (a team's whole history of workspaces),
 * a transaction costs at most twice what it costs with 5, on a link and in the log.
 */
const counter = { bucket: 'b', key: 'hits', type: 'counter_pn' } as const;

/** `active` replicas writing in turn, all of which first heard from `known` replicas; their transactions after that. */
async function traffic(
  known: number,
  active: number,
  writes: number,
): Promise<{ warmUp: Transaction[]; measured: Transaction[]; startClock: Record<string, number> }> {
  const writers = Array.from({ length: active }, (_, i) => new Replica(`active-${i}`));
  const history: Transaction[] = [];
  for (let i = 0; i < known - active; i++) {
    const old = new Replica(`workspace-${String(i).padStart(4, '0')}`);
    old.onChange((c) => c.kind === 'transaction' && history.push(c.transaction));
    await old.update([{ ...counter, op: 'increment' }]);
  }
  for (const writer of writers) for (const txn of history) writer.receive(txn);
  const made: Transaction[] = [];
  for (const writer of writers) {
    writer.onChange((c) => {
      if (c.kind !== 'transaction' || !c.local) return;
      made.push(c.transaction);
      for (const other of writers) if (other !== writer) other.receive(c.transaction);
    });
  }
  const startClock = { ...writers[0].clock };
  for (let i = 0; i < writes; i++) await writers[i % active].update([{ ...counter, op: 'increment' }]);
  return { warmUp: history, measured: made, startClock };
}

/**
 * Bytes per transaction on a link that already carried the warm-up and one transaction of each
 * writer (the first one after the warm-up carries its whole clock once), one message per transaction.
 */
function linkBytes(warmUp: readonly Transaction[], made: readonly Transaction[], active: number): number {
  const encoder = new LinkEncoder();
  const decoder = new LinkDecoder();
  for (const message of encoder.transactions([...warmUp, ...made.slice(0, active)], 1 << 20)) decoder.decode(message);
  const measured = made.slice(active);
  let bytes = 0;
  for (const txn of measured) {
    const [message] = encoder.transactions([txn], Infinity);
    const decoded = decoder.decode(message);
    assert.deepEqual(decoded.t === 'txns' && decoded.txns[0], txn);
    bytes += message.length;
  }
  return bytes / measured.length;
}

/** Bytes per record in a log segment that began at `start` (definitions frames included). */
function logBytes(start: Record<string, number>, measured: readonly Transaction[]): number {
  const coder = new RecordCoder(start, 0);
  return measured.reduce((n, txn) => n + coder.encode(txn).length, 0) / measured.length;
}

describe('core/codec: what a clock costs', function () {
  this.timeout(60_000);

  for (const active of [1, 5]) {
    it(`with 1,000 replica ids known, ${active} writer(s) cost at most twice what they cost with 5 known, on a link and in the log`, async () => {
      const few = await traffic(5, active, 200);
      const many = await traffic(1000, active, 200);
      const link = { few: linkBytes(few.warmUp, few.measured, active), many: linkBytes(many.warmUp, many.measured, active) };
      const log = { few: logBytes(few.startClock, few.measured), many: logBytes(many.startClock, many.measured) };
      const seen = JSON.stringify({ link, log });
      assert.ok(link.many <= 2 * link.few, `link: ${seen}`);
      assert.ok(log.many <= 2 * log.few, `log: ${seen}`);
      // And both are small: a counter increment is a few bytes plus what changed in the clock.
      assert.ok(link.many < 20 + 4 * active, seen);
    });
  }
});
