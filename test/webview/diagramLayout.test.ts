import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compare } from '../../src/core/vectorClock';
import { causalRelation, layoutDiagram, txnId } from '../../src/webview/model/diagramLayout';
import { TxnView } from '../../src/webview/protocol';
import { transactions } from './fixtures';

type Command = { kind: 'txn'; replica: number } | { kind: 'sync'; to: number; from: number };

/** Plays a random history among replicas 0..n-1 and returns what replica 0 delivered, in order. */
function deliveredAtSelf(replicas: number, commands: readonly Command[]): TxnView[] {
  const names = Array.from({ length: replicas }, (_, i) => `r${i}`);
  const clocks: Record<string, number>[] = names.map(() => ({}));
  const delivered: TxnView[][] = names.map(() => []);
  let time = 0;
  for (const c of commands) {
    if (c.kind === 'txn') {
      const name = names[c.replica];
      const clock = { ...clocks[c.replica], [name]: (clocks[c.replica][name] ?? 0) + 1 };
      clocks[c.replica] = clock;
      delivered[c.replica].push({ origin: name, clock, at: ++time, deliveredAt: time, local: c.replica === 0, keys: [] });
    } else if (c.to !== c.from) {
      const have = new Set(delivered[c.to].map(txnId));
      for (const t of delivered[c.from]) {
        if (have.has(txnId(t))) continue;
        delivered[c.to].push({ ...t, local: false, deliveredAt: ++time });
        clocks[c.to] = { ...clocks[c.to], [t.origin]: Math.max(clocks[c.to][t.origin] ?? 0, t.clock[t.origin]) };
      }
    }
  }
  return delivered[0];
}

const history = fc.integer({ min: 2, max: 4 }).chain((replicas) =>
  fc.tuple(
    fc.constant(replicas),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('txn' as const), replica: fc.integer({ min: 0, max: replicas - 1 }) }),
        fc.record({
          kind: fc.constant('sync' as const),
          to: fc.integer({ min: 0, max: replicas - 1 }),
          from: fc.integer({ min: 0, max: replicas - 1 }),
        }),
      ),
      { maxLength: 60 },
    ),
  ),
);

describe('webview/diagramLayout', () => {
  it('draws the fixture: one lane per replica, this one first, arrows for what was delivered here', () => {
    const layout = layoutDiagram(transactions, 'alice', ['dave']);
    assert.deepEqual(
      layout.lanes.map((l) => l.replica),
      ['alice', 'bob', 'carol', 'dave'],
    );
    assert.equal(layout.nodes.length, 7);
    assert.deepEqual(
      layout.deliveries.map((d) => d.id),
      ['bob:6', 'carol:4', 'bob:7'],
    );
    const column = Object.fromEntries(layout.nodes.map((n) => [n.id, n.column]));
    // carol:4 saw alice:9 only, like bob:6: both sit in the column right after it.
    assert.equal(column['carol:4'], column['bob:6']);
    assert.ok(layout.concurrentColumns.includes(column['carol:4']));
    assert.ok(column['alice:10'] > column['bob:6'], 'alice:10 comes after the arrival of bob:6');
    // bob:7 had seen alice:10 (a dependency on another lane), which is drawn as a link.
    assert.ok(layout.links.some((l) => l.from === 'alice:10' && l.to === 'bob:7'));
  });

  it('never draws a transaction left of one that happened before it, and one column holds only concurrent ones', () => {
    fc.assert(
      fc.property(history, ([replicas, commands]) => {
        const txns = deliveredAtSelf(replicas, commands);
        const layout = layoutDiagram(txns, 'r0');
        assert.equal(layout.nodes.length, txns.length);
        for (const a of layout.nodes) {
          for (const b of layout.nodes) {
            if (a === b) continue;
            const order = compare(a.txn.clock, b.txn.clock);
            if (order === 'before') assert.ok(a.column < b.column, `${a.id} → ${b.id} but columns ${a.column} ≥ ${b.column}`);
            if (a.column === b.column) assert.equal(causalRelation(a.txn, b.txn), 'concurrent');
          }
        }
        // On this replica's lane, events stay in delivery order and arrivals follow their origin.
        let last = -1;
        const arrivals = new Map(layout.deliveries.map((d) => [d.id, d]));
        for (const node of layout.nodes) {
          const at = node.lane === 0 ? node.column : (arrivals.get(node.id)?.toColumn ?? -1);
          assert.ok(at > last, `${node.id} placed at ${at} after ${last}`);
          if (node.lane !== 0) assert.ok(at > node.column);
          last = at;
        }
        assert.ok(layout.columns > last);
      }),
      { numRuns: 300 },
    );
  });

  it('tells how two transactions relate by their clocks', () => {
    const [a9, b6, a10, c4] = transactions;
    assert.equal(causalRelation(a10, a9), 'before');
    assert.equal(causalRelation(a9, a10), 'after');
    assert.equal(causalRelation(b6, c4), 'concurrent');
    assert.equal(causalRelation(c4, c4), 'same');
  });

  it('has nothing to draw without transactions but still shows this replica and its peers', () => {
    const layout = layoutDiagram([], 'alice', ['bob']);
    assert.deepEqual(
      layout.lanes.map((l) => l.replica),
      ['alice', 'bob'],
    );
    assert.equal(layout.columns, 0);
  });
});
