import assert from 'node:assert/strict';
import { CausalBuffer, isCausallyReady, isDuplicate } from '../../src/core/causalBuffer';
import { Transaction } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';

function txn(origin: string, clock: VectorClock): Transaction {
  return { origin, clock, at: 0, effects: [{ bucket: 'b', key: 'k', type: 'counter_pn', effect: 1 }] };
}

describe('causalBuffer', () => {
  describe('isDuplicate', () => {
    it('is true for a sequence number the clock already covers', () => {
      assert.equal(isDuplicate(txn('A', { A: 1 }), { A: 1 }), true);
      assert.equal(isDuplicate(txn('A', { A: 1 }), { A: 3 }), true);
    });

    it('is false for a later sequence number, also when the entry is missing', () => {
      assert.equal(isDuplicate(txn('A', { A: 2 }), { A: 1 }), false);
      assert.equal(isDuplicate(txn('A', { A: 1 }), { B: 4 }), false);
    });
  });

  describe('isCausallyReady', () => {
    it('is true for the next transaction of its origin with every dependency delivered', () => {
      assert.equal(isCausallyReady(txn('A', { A: 1 }), {}), true);
      assert.equal(isCausallyReady(txn('A', { A: 2, B: 1 }), { A: 1, B: 3 }), true);
    });

    it('is false when an earlier transaction of the same origin is missing', () => {
      assert.equal(isCausallyReady(txn('A', { A: 3 }), { A: 1 }), false);
    });

    it('is false when a dependency from another origin is missing', () => {
      assert.equal(isCausallyReady(txn('A', { A: 1, B: 2 }), { B: 1 }), false);
    });

    it('is false for a transaction already delivered', () => {
      assert.equal(isCausallyReady(txn('A', { A: 1 }), { A: 1 }), false);
    });
  });

  describe('CausalBuffer', () => {
    it('holds a transaction once and counts what it holds', () => {
      const buffer = new CausalBuffer();
      assert.equal(buffer.hold(txn('A', { A: 2 }), {}), 'held');
      assert.equal(buffer.hold(txn('A', { A: 2 }), {}), 'already');
      assert.equal(buffer.hold(txn('B', { B: 2 }), {}), 'held');
      assert.equal(buffer.size, 2);
    });

    it('gives nothing while the next transaction of each origin is missing', () => {
      const buffer = new CausalBuffer();
      buffer.hold(txn('A', { A: 2 }), {});
      assert.equal(buffer.takeReady({}), undefined);
      assert.equal(buffer.size, 1);
    });

    it('gives back a chain held in reverse order, in causal order', () => {
      const buffer = new CausalBuffer();
      for (const seq of [3, 2, 1]) buffer.hold(txn('A', { A: seq }), {});
      let clock: VectorClock = {};
      const order: number[] = [];
      for (let next = buffer.takeReady(clock); next; next = buffer.takeReady(clock)) {
        order.push(next.clock.A);
        clock = { ...clock, A: next.clock.A };
      }
      assert.deepEqual(order, [1, 2, 3]);
      assert.equal(buffer.size, 0);
    });

    it('waits for a dependency from another origin', () => {
      const buffer = new CausalBuffer();
      const dependent = txn('A', { A: 1, B: 1 });
      buffer.hold(dependent, {});
      assert.equal(buffer.takeReady({}), undefined);
      assert.equal(buffer.takeReady({ B: 1 }), dependent);
    });

    it('drops what a clock covers and keeps the rest', () => {
      const buffer = new CausalBuffer();
      buffer.hold(txn('A', { A: 2 }), {});
      buffer.hold(txn('A', { A: 4 }), {});
      buffer.hold(txn('B', { B: 1, A: 4 }), {});
      buffer.dropCovered({ A: 3, B: 1 });
      assert.equal(buffer.size, 1);
      assert.deepEqual(
        buffer.waiting({ A: 3, B: 1 }).map((w) => w.transaction.clock),
        [{ A: 4 }],
      );
    });

    it('reports, for each held transaction, the clock entries still missing', () => {
      const buffer = new CausalBuffer();
      buffer.hold(txn('A', { A: 3, B: 2, C: 1 }), {});
      const [waiting] = buffer.waiting({ A: 1, C: 1 });
      assert.deepEqual(waiting.missing, { A: 2, B: 2 });
    });

    it('refuses a transaction too far ahead of its origin, and holds it once the gap is smaller', () => {
      const buffer = new CausalBuffer({ aheadPerOrigin: 10, transactions: 100, bytes: 1 << 20 });
      assert.equal(buffer.hold(txn('A', { A: 12 }), { A: 1 }), 'full');
      assert.equal(buffer.hold(txn('A', { A: 12 }), { A: 2 }), 'held');
      assert.equal(buffer.size, 1);
    });

    it('refuses transactions beyond its count and byte limits, and takes them again once room is made', () => {
      const byCount = new CausalBuffer({ aheadPerOrigin: 1000, transactions: 3, bytes: 1 << 20 });
      for (const seq of [2, 3, 4]) assert.equal(byCount.hold(txn('A', { A: seq }), {}), 'held');
      assert.equal(byCount.hold(txn('B', { B: 2 }), {}), 'full');
      byCount.dropCovered({ A: 2 });
      assert.equal(byCount.hold(txn('B', { B: 2 }), {}), 'held');

      const oneTxnBytes = JSON.stringify(txn('A', { A: 2 })).length;
      const byBytes = new CausalBuffer({ aheadPerOrigin: 1000, transactions: 1000, bytes: oneTxnBytes * 2 });
      assert.equal(byBytes.hold(txn('A', { A: 2 }), {}), 'held');
      assert.equal(byBytes.hold(txn('A', { A: 3 }), {}), 'held');
      assert.equal(byBytes.hold(txn('A', { A: 4 }), {}), 'full');
    });

    it('forgets what one link brought and keeps what the others did', () => {
      const buffer = new CausalBuffer();
      buffer.hold(txn('A', { A: 2 }), {}, 'link-1');
      buffer.hold(txn('A', { A: 3 }), {}, 'link-2');
      buffer.hold(txn('B', { B: 2 }), {}, 'link-1');
      buffer.dropFrom('link-1');
      assert.deepEqual(
        buffer.waiting({}).map((w) => w.transaction.clock),
        [{ A: 3 }],
      );
      assert.equal(buffer.holdsFrom('B'), false);
      assert.equal(buffer.holdsFrom('A'), true);
    });
  });
});
