import assert from 'node:assert/strict';
import { RecentTransactions } from '../../src/node/recentTransactions';
import { Transaction } from '../../src/core/transaction';

const txn = (seq: number): Transaction => ({
  origin: 'A',
  clock: { A: seq },
  at: seq,
  effects: [{ bucket: 'b', key: 'k', type: 'counter_pn', effect: 1 }],
});

describe('node: RecentTransactions', () => {
  it('lists in delivery order, oldest first, before it is full', () => {
    const recent = new RecentTransactions(3);
    recent.add(txn(1), true);
    recent.add(txn(2), false);
    assert.deepEqual(
      recent.list().map((t) => [t.clock.A, t.local]),
      [
        [1, true],
        [2, false],
      ],
    );
    assert.deepEqual(recent.list()[0].keys, [{ bucket: 'b', key: 'k', type: 'counter_pn' }]);
  });

  it('keeps only the newest N once it wraps around, still oldest first', () => {
    const recent = new RecentTransactions(3);
    for (let seq = 1; seq <= 7; seq++) recent.add(txn(seq), true);
    assert.deepEqual(
      recent.list().map((t) => t.clock.A),
      [5, 6, 7],
    );
  });
});
