import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Transaction } from '../../src/core/transaction';
import { RecentVersions } from '../../src/core/transactionVersions';

function txn(origin: string, seq: number, at = 0): Transaction {
  return { origin, clock: { [origin]: seq }, at, effects: [] };
}

describe('core: the record of recently delivered versions', () => {
  it('remembers exactly the last deliveries up to its capacity, across origins, the oldest leaving first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.record({ origin: fc.constantFrom('a', 'b', 'c'), skip: fc.nat(3) }), { maxLength: 300 }),
        (capacity, deliveries) => {
          const versions = new RecentVersions(capacity);
          const last: Record<string, number> = {};
          const delivered: Transaction[] = [];
          for (const { origin, skip } of deliveries) {
            // An origin's transactions are delivered in the order of their sequence numbers.
            last[origin] = (last[origin] ?? 0) + 1 + skip;
            const t = txn(origin, last[origin]);
            versions.remember(t);
            delivered.push(t);
          }
          const kept = new Set(delivered.slice(-capacity));
          for (const t of delivered) assert.equal(versions.earlier(txn(t.origin, t.clock[t.origin])), kept.has(t) ? t : undefined);
          assert.equal(versions.earlier(txn('d', 1)), undefined);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds versions remembered out of the order of their sequence numbers, the newest of two first', () => {
    const versions = new RecentVersions(8);
    const first = txn('a', 5, 1);
    const again = txn('a', 5, 2);
    for (const t of [txn('a', 3), first, txn('a', 4), again]) versions.remember(t);
    assert.equal(versions.earlier(txn('a', 5)), again);
    assert.equal(versions.earlier(txn('a', 4))?.clock.a, 4);
    assert.equal(versions.earlier(txn('a', 6)), undefined);
  });
});
