import assert from 'node:assert/strict';
import { InvalidInputError, RejectedOperationError, UnavailableError } from '../../src/core/errors';
import { Journal, Replica, ReplicaChange, ReplicaSnapshot } from '../../src/core/replica';
import { Transaction } from '../../src/core/transaction';
import { assertRefused, keyOf, replicas, run, sync, syncAll, valueAt } from './helpers';

/** Keeps appended transactions in memory; can be told to fail, as a full disk would. */
class MemoryJournal implements Journal {
  readonly records: Transaction[] = [];
  failing = false;

  append(txn: Transaction): void {
    if (this.failing) throw new Error('disk full');
    this.records.push(txn);
  }

  durable(): Promise<void> {
    return Promise.resolve();
  }
}

function changesOf(replica: Replica): ReplicaChange[] {
  const seen: ReplicaChange[] = [];
  replica.onChange((c) => seen.push(c));
  return seen;
}

/** Lets every already-settled promise callback run, so a still-pending promise is really waiting. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const counter = keyOf('counter_pn');
const awSet = keyOf('set_aw');
const twoPhase = keyOf('set_2p');
const register = keyOf('register_mv');

describe('Replica', () => {
  describe('construction and input checks', () => {
    it('refuses an invalid replica id', () => {
      for (const id of ['', '-x', 'has space', 'a/b', 'x'.repeat(65)]) {
        assert.throws(() => new Replica(id), InvalidInputError, id);
      }
    });

    it('refuses an empty batch, an unknown type and a non-string key', async () => {
      const [a] = replicas('A');
      await assert.rejects(a.replica.update([]), InvalidInputError);
      const unknownType = { bucket: 'b', key: 'k', type: 'nope' as 'flag_ew' };
      await assert.rejects(a.replica.update([{ ...unknownType, op: 'enable' }]), /unknown type "nope"/);
      await assert.rejects(a.replica.read([unknownType]), InvalidInputError);
      const numericKey = { bucket: 'b', key: 3 as unknown as string, type: 'flag_ew' as const, op: 'enable' };
      await assert.rejects(a.replica.update([numericKey]), InvalidInputError);
      assert.deepEqual(a.replica.clock, {});
    });

    it('refuses an update that no peer or log would accept: too many operations, long names, too many bytes', async () => {
      const [a] = replicas('A');
      const many = Array.from({ length: 10_001 }, () => ({ ...counter, op: 'increment' }));
      await assert.rejects(a.replica.update(many), /at most 10000 operations/);
      await assert.rejects(a.replica.update([{ ...counter, bucket: 'b'.repeat(1025), op: 'increment' }]), /at most 1024 characters/);
      const chunk = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(60_000, 'x'));
      await assert.rejects(a.replica.update([{ ...awSet, op: 'add_all', args: chunk }]), /split it into several updates/);
      assert.deepEqual(a.replica.clock, {});
    });

    it('refuses a remote transaction without a sequence number or with a bad origin', () => {
      const [a] = replicas('A');
      const effects = [{ ...counter, effect: 1 }];
      assert.throws(() => a.replica.receive({ origin: 'B', clock: { C: 1 }, at: 0, effects }), InvalidInputError);
      const badOrigin = { origin: 'bad id', clock: { 'bad id': 1 }, at: 0, effects };
      assert.throws(() => a.replica.receive(badOrigin), InvalidInputError);
      assert.deepEqual(a.replica.clock, {});
    });
  });

  describe('reads', () => {
    it('returns the initial value of a never-written key, and the clock', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment');
      const result = await a.replica.read([keyOf('flag_ew'), keyOf('set_aw', 'other'), counter]);
      assert.deepEqual(result, { values: [false, [], 1], clock: { A: 1 } });
    });

    it('treats the type as part of an object identity', async () => {
      const [a] = replicas('A');
      await run(a, keyOf('counter_pn', 'same'), 'increment', 5);
      await run(a, keyOf('counter_pn_sb', 'same'), 'increment', 2);
      assert.equal(await valueAt(a, keyOf('counter_pn', 'same')), 5);
      assert.equal(await valueAt(a, keyOf('counter_pn_sb', 'same')), 2);
      assert.equal(a.replica.listObjects().length, 2);
    });
  });

  describe('atomic batches', () => {
    it('a batch whose 3rd op is refused changes nothing, does not tick the clock and fires no change', async () => {
      const journal = new MemoryJournal();
      const a = new Replica('A', { journal });
      await a.update([{ ...twoPhase, op: 'add', args: ['gone'] }]);
      await a.update([{ ...twoPhase, op: 'remove', args: ['gone'] }]);
      const changes = changesOf(a);
      const before = a.exportState();
      await assert.rejects(
        a.update([
          { ...counter, op: 'increment', args: [5] },
          { ...awSet, op: 'add', args: ['x'] },
          { ...twoPhase, op: 'add', args: ['gone'] },
        ]),
        (error: unknown) => {
          assert.ok(error instanceof RejectedOperationError);
          assert.match(error.message, /operation 3 \(set_2p add b\/k\)/);
          return true;
        },
      );
      assert.deepEqual(a.exportState(), before);
      assert.deepEqual(a.clock, { A: 2 });
      assert.deepEqual(changes, []);
      assert.equal(journal.records.length, 2);
      assert.deepEqual((await a.read([counter, awSet])).values, [0, []]);
    });

    it('a batch whose 3rd op has a malformed argument changes nothing and names that op', async () => {
      const [a] = replicas('A');
      await assertRefused(
        a,
        [
          { ...counter, op: 'increment', args: [1] },
          { ...register, op: 'assign', args: ['v'] },
          { ...keyOf('counter_pn_sb'), op: 'increment', args: [0] },
        ],
        InvalidInputError,
        /operation 3/,
      );
      assert.deepEqual(a.replica.listObjects(), []);
    });

    it('a journal that cannot append leaves the replica unchanged', async () => {
      const journal = new MemoryJournal();
      const a = new Replica('A', { journal });
      const changes = changesOf(a);
      journal.failing = true;
      await assert.rejects(a.update([{ ...counter, op: 'increment' }]), /disk full/);
      assert.deepEqual(a.clock, {});
      assert.deepEqual(a.listObjects(), []);
      assert.deepEqual(changes, []);
      journal.failing = false;
      assert.deepEqual(await a.update([{ ...counter, op: 'increment' }]), { A: 1 });
    });

    it('a batch is one transaction: one clock tick, one journal record, one change event', async () => {
      const journal = new MemoryJournal();
      const a = new Replica('A', { journal });
      const changes = changesOf(a);
      const clock = await a.update([
        { ...counter, op: 'increment', args: [2] },
        { ...awSet, op: 'add_all', args: ['x', 'y'] },
        { ...register, op: 'assign', args: ['v'] },
      ]);
      assert.deepEqual(clock, { A: 1 });
      assert.deepEqual(a.clock, { A: 1 });
      assert.equal(journal.records.length, 1);
      assert.equal(journal.records[0].effects.length, 3);
      assert.equal(changes.length, 1);
      assert.deepEqual(changes[0], { kind: 'transaction', transaction: journal.records[0], local: true });
      assert.deepEqual(await a.update([{ ...counter, op: 'increment' }]), { A: 2 });
    });

    it('the commit clock is the whole vector clock after the transaction', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment');
      await run(a, counter, 'increment');
      sync(a, b);
      assert.deepEqual(await run(b, counter, 'increment'), { A: 2, B: 1 });
    });

    it('a remote replica applies a batch at once, as one transaction', async () => {
      const [a, b] = replicas('A', 'B');
      await a.replica.update([
        { ...counter, op: 'increment', args: [3] },
        { ...awSet, op: 'add', args: ['x'] },
      ]);
      const changes = changesOf(b.replica);
      sync(a, b);
      assert.equal(changes.length, 1);
      assert.deepEqual((await b.replica.read([counter, awSet])).values, [3, ['x']]);
    });

    describe('a batch touching the same key twice', () => {
      it('set_2p add x then remove x → [] with x removed for good', async () => {
        const [a, b] = replicas('A', 'B');
        await a.replica.update([
          { ...twoPhase, op: 'add', args: ['x'] },
          { ...twoPhase, op: 'remove', args: ['x'] },
        ]);
        sync(a, b);
        for (const r of [a, b]) {
          assert.deepEqual(await valueAt(r, twoPhase), []);
          assert.deepEqual(r.replica.inspect(twoPhase), { added: [], removed: ['x'] });
        }
      });

      it('set_2p remove of an element added earlier in the same batch is not refused', async () => {
        const [a] = replicas('A');
        await a.replica.update([
          { ...twoPhase, op: 'add_all', args: ['x', 'y'] },
          { ...twoPhase, op: 'remove', args: ['y'] },
        ]);
        assert.deepEqual(await valueAt(a, twoPhase), ['x']);
      });

      it('set_aw add x then remove x → [] everywhere', async () => {
        const [a, b] = replicas('A', 'B');
        await a.replica.update([
          { ...awSet, op: 'add', args: ['x'] },
          { ...awSet, op: 'remove', args: ['x'] },
        ]);
        sync(a, b);
        for (const r of [a, b]) assert.deepEqual(await valueAt(r, awSet), []);
      });

      it('counter_pn_sb increments add up', async () => {
        const [a, b] = replicas('A', 'B');
        const sb = keyOf('counter_pn_sb');
        await run(a, sb, 'increment', 1);
        await a.replica.update([
          { ...sb, op: 'increment', args: [2] },
          { ...sb, op: 'increment', args: [3] },
          { ...sb, op: 'decrement', args: [1] },
        ]);
        sync(a, b);
        for (const r of [a, b]) assert.equal(await valueAt(r, sb), 5);
      });

      it('register_mv keeps only the last assign', async () => {
        const [a, b] = replicas('A', 'B');
        await a.replica.update([
          { ...register, op: 'assign', args: ['first'] },
          { ...register, op: 'assign', args: ['second'] },
        ]);
        sync(a, b);
        for (const r of [a, b]) assert.deepEqual(await valueAt(r, register), ['second']);
      });

      it('flag_ew enable then disable → false', async () => {
        const [a] = replicas('A');
        const flag = keyOf('flag_ew');
        await a.replica.update([
          { ...flag, op: 'enable' },
          { ...flag, op: 'disable' },
        ]);
        assert.equal(await valueAt(a, flag), false);
      });
    });
  });

  describe('remote delivery', () => {
    it('drops duplicates, including the replica own transactions', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 4);
      const [txn] = a.sent;
      assert.equal(b.replica.receive(txn), 'delivered');
      assert.equal(b.replica.receive(txn), 'duplicate');
      assert.equal(a.replica.receive(txn), 'duplicate');
      assert.equal(await valueAt(b, counter), 4);
      assert.equal(await valueAt(a, counter), 4);
    });

    it('takes back its own transactions from a peer after losing its data, and continues after them', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 4);
      sync(a, b);
      const restarted = new Replica('A');
      assert.equal(restarted.receive(a.sent[0]), 'delivered');
      assert.deepEqual(await restarted.update([{ ...counter, op: 'increment', args: [1] }]), { A: 2 });
      assert.equal(restarted.value(counter), 5);
    });

    it('buffers out-of-order arrivals and delivers them in causal order once ready', async () => {
      const journal = new MemoryJournal();
      const [a] = replicas('A');
      const b = new Replica('B', { journal });
      for (const n of [1, 2, 3]) await run(a, awSet, 'add', `e${n}`);
      await run(a, awSet, 'remove', 'e1');
      const changes = changesOf(b);
      const [t1, t2, t3, t4] = a.sent;
      assert.equal(b.receive(t4), 'buffered');
      assert.equal(b.receive(t2), 'buffered');
      assert.equal(b.receive(t2), 'duplicate');
      assert.deepEqual(b.clock, {});
      assert.deepEqual(await b.read([awSet]).then((r) => r.values[0]), []);
      assert.equal(b.receive(t1), 'delivered');
      assert.deepEqual(b.clock, { A: 2 });
      assert.equal(b.receive(t3), 'delivered');
      assert.deepEqual(b.clock, { A: 4 });
      assert.deepEqual(await b.read([awSet]).then((r) => r.values[0]), ['e2', 'e3']);
      assert.deepEqual(journal.records, [t1, t2, t3, t4]);
      assert.deepEqual(
        changes.map((c) => (c.kind === 'transaction' ? [c.transaction, c.local] : c)),
        [t1, t2, t3, t4].map((t) => [t, false]),
      );
      assert.deepEqual(b.waitingTransactions(), []);
    });

    it('holds a transaction until its dependencies from other origins arrive and reports what is missing', async () => {
      const [a, b, c] = replicas('A', 'B', 'C');
      await run(a, awSet, 'add', 'x');
      await run(a, awSet, 'add', 'y');
      sync(a, c);
      await run(c, awSet, 'remove', 'x');
      const [fromC] = c.sent;
      assert.equal(b.replica.receive(fromC), 'buffered');
      assert.equal(b.replica.receive(a.sent[1]), 'buffered');
      const waiting = b.replica.waitingTransactions();
      const byOrigin = Object.fromEntries(waiting.map((w) => [w.transaction.origin, w]));
      assert.equal(waiting.length, 2);
      assert.deepEqual(byOrigin.C.missing, { A: 2 });
      assert.deepEqual(byOrigin.A.missing, { A: 1 });
      assert.equal(b.replica.receive(a.sent[0]), 'delivered');
      assert.deepEqual(b.replica.waitingTransactions(), []);
      assert.deepEqual(b.replica.clock, { A: 2, C: 1 });
      assert.deepEqual(await valueAt(b, awSet), ['y']);
    });

    it('replicas that exchanged everything hold the same state', async () => {
      const [a, b, c] = replicas('A', 'B', 'C');
      await run(a, awSet, 'add', 'x');
      await run(b, register, 'assign', 'v');
      await run(c, counter, 'increment', 2);
      syncAll([c, a, b]);
      const inspectAll = (r: Replica) => [awSet, register, counter].map((k) => r.inspect(k));
      assert.deepEqual(inspectAll(a.replica), inspectAll(b.replica));
      assert.deepEqual(inspectAll(a.replica), inspectAll(c.replica));
      assert.deepEqual(a.replica.clock, { A: 1, B: 1, C: 1 });
    });
  });

  describe('session clocks', () => {
    it('a read on B with A clock waits until A transaction is delivered at B, then sees it', async () => {
      const [a, b] = replicas('A', 'B');
      const clock = await run(a, awSet, 'add', 'mine');
      let answered = false;
      const read = b.replica.read([awSet], clock).then((result) => {
        answered = true;
        return result;
      });
      await settle();
      assert.equal(answered, false);
      sync(a, b);
      const result = await read;
      assert.deepEqual(result.values, [['mine']]);
      assert.deepEqual(result.clock, { A: 1 });
    });

    it('a read with a clock that is never delivered fails with UnavailableError naming both clocks', async () => {
      const [a, b] = replicas('A', 'B');
      const clock = await run(a, counter, 'increment');
      await assert.rejects(b.replica.read([counter], clock, 20), (error: unknown) => {
        assert.ok(error instanceof UnavailableError);
        assert.match(error.message, /\{"A":1\}/);
        assert.match(error.message, /replica B/);
        return true;
      });
    });

    it('a read with a clock the replica already covers answers at once', async () => {
      const [a] = replicas('A');
      await run(a, counter, 'increment');
      assert.deepEqual((await a.replica.read([counter], { A: 1 }, 1)).values, [1]);
      assert.deepEqual((await a.replica.read([counter], {}, 1)).values, [1]);
    });

    it('an update on B with A clock waits for A transaction and is causally after it', async () => {
      const [a, b] = replicas('A', 'B');
      const clock = await run(a, awSet, 'add', 'x');
      const update = b.replica.update([{ ...awSet, op: 'remove', args: ['x'] }], clock);
      await settle();
      assert.deepEqual(b.replica.clock, {});
      sync(a, b);
      assert.deepEqual(await update, { A: 1, B: 1 });
      sync(b, a);
      for (const r of [a, b]) assert.deepEqual(await valueAt(r, awSet), []);
    });

    it('an update whose clock wait times out changes nothing', async () => {
      const [a, b] = replicas('A', 'B');
      const clock = await run(a, counter, 'increment');
      await assert.rejects(b.replica.update([{ ...counter, op: 'increment' }], clock, 20), UnavailableError);
      assert.deepEqual(b.replica.clock, {});
      assert.deepEqual(b.sent, []);
    });

    it('a wait is released by a buffered transaction becoming deliverable', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment');
      const clock = await run(a, counter, 'increment');
      const read = b.replica.read([counter], clock);
      b.replica.receive(a.sent[1]);
      await settle();
      b.replica.receive(a.sent[0]);
      assert.deepEqual((await read).values, [2]);
    });
  });

  describe('export and import', () => {
    async function populated() {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 3);
      await run(a, keyOf('counter_pn_sb'), 'decrement', 2);
      await run(b, awSet, 'add_all', 'x', { deep: [1, null] });
      await run(b, twoPhase, 'add', 'p');
      await run(b, twoPhase, 'remove', 'p');
      await run(a, register, 'assign', 'v');
      await run(b, register, 'assign', 'w');
      await run(a, keyOf('flag_ew'), 'enable');
      syncAll([a, b]);
      return [a, b];
    }

    it('a state exported as JSON text and imported elsewhere gives the same values, internals and clock', async () => {
      const [a] = await populated();
      const snapshot = JSON.parse(JSON.stringify(a.replica.exportState())) as ReplicaSnapshot;
      const c = new Replica('C');
      const changes = changesOf(c);
      c.importState(snapshot);
      assert.deepEqual(c.clock, a.replica.clock);
      assert.deepEqual(changes, [{ kind: 'snapshot', clock: a.replica.clock }]);
      for (const key of a.replica.listObjects()) {
        assert.deepEqual(c.value(key), a.replica.value(key), key.type);
        assert.deepEqual(c.inspect(key), a.replica.inspect(key), key.type);
      }
      assert.deepEqual(c.exportState(), a.replica.exportState());
    });

    it('an imported replica keeps going: later transactions deliver on top of the snapshot', async () => {
      const [a, b] = await populated();
      const c = new Replica('C');
      c.importState(a.replica.exportState());
      await run(b, counter, 'increment', 10);
      for (const txn of [...a.sent, ...b.sent]) c.receive(txn);
      assert.equal(c.value(counter), 13);
      assert.deepEqual(c.clock, b.replica.clock);
    });

    it('import releases clock waits it satisfies', async () => {
      const [a] = await populated();
      const c = new Replica('C');
      const read = c.read([counter], a.replica.clock);
      c.importState(a.replica.exportState());
      assert.deepEqual((await read).values, [3]);
    });

    it('import drops buffered transactions it covers and delivers those it makes ready', async () => {
      const [a] = replicas('A');
      for (let n = 0; n < 4; n++) await run(a, counter, 'increment');
      const c = new Replica('C');
      c.receive(a.sent[1]);
      c.receive(a.sent[3]);
      const midway = new Replica('M');
      for (const txn of a.sent.slice(0, 3)) midway.receive(txn);
      c.importState(midway.exportState());
      assert.deepEqual(c.waitingTransactions(), []);
      assert.deepEqual(c.clock, { A: 4 });
      assert.equal(c.value(counter), 4);
    });

    it('a malformed snapshot is refused and changes nothing', async () => {
      const [a] = await populated();
      const good = a.replica.exportState();
      const c = new Replica('C');
      c.importState(good);
      const bad: ReplicaSnapshot = {
        clock: { A: 99 },
        objects: [
          { ...counter, state: 7 },
          { ...awSet, state: 'not a set' },
        ],
      };
      assert.throws(() => c.importState(bad), InvalidInputError);
      const unknownType: ReplicaSnapshot = {
        clock: {},
        objects: [{ ...counter, type: 'nope' as 'flag_ew', state: 1 }],
      };
      assert.throws(() => c.importState(unknownType), InvalidInputError);
      assert.deepEqual(c.exportState(), good);
    });
  });

  describe('replay', () => {
    it('rebuilds the same state from logged transactions, without change events or journal writes', async () => {
      const journal = new MemoryJournal();
      const a = new Replica('A', { journal });
      const [b] = replicas('B');
      await b.replica.update([{ ...awSet, op: 'add', args: ['from-b'] }]);
      a.receive(b.sent[0]);
      await a.update([{ ...awSet, op: 'remove', args: ['from-b'] }]);
      await a.update([{ ...counter, op: 'increment', args: [9] }]);
      const journal2 = new MemoryJournal();
      const recovered = new Replica('A', { journal: journal2 });
      const changes = changesOf(recovered);
      for (const txn of journal.records) recovered.replay(txn);
      for (const txn of journal.records) recovered.replay(txn);
      assert.deepEqual(recovered.exportState(), a.exportState());
      assert.deepEqual(changes, []);
      assert.deepEqual(journal2.records, []);
      assert.deepEqual(await recovered.update([{ ...counter, op: 'increment' }]), { A: 3, B: 1 });
    });
  });

  it('unsubscribed listeners hear nothing more', async () => {
    const [a] = replicas('A');
    const seen: ReplicaChange[] = [];
    const subscription = a.replica.onChange((c) => seen.push(c));
    await run(a, counter, 'increment');
    subscription.dispose();
    await run(a, counter, 'increment');
    assert.equal(seen.length, 1);
  });

  describe('hostile peers', () => {
    it('refuses a second, different version of a delivered transaction and reports it', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 4);
      const [original] = a.sent;
      assert.equal(b.replica.receive(original), 'delivered');
      const forged: Transaction = { ...original, effects: [{ ...counter, effect: 1000 }] };
      assert.equal(b.replica.receive(forged, 'link-9'), 'conflict');
      assert.equal(b.replica.receive(original), 'duplicate', 'the same version again is only a duplicate');
      assert.equal(await valueAt(b, counter), 4);
      assert.deepEqual(
        b.replica.conflicts().map(({ origin, seq, source }) => ({ origin, seq, source })),
        [{ origin: 'A', seq: 1, source: 'link-9' }],
      );
    });

    it('refuses a second, different version of a waiting transaction and keeps the first', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'increment', 2);
      const [first, second] = a.sent;
      assert.equal(b.replica.receive(second), 'buffered');
      assert.equal(b.replica.receive({ ...second, at: second.at + 1 }), 'conflict');
      assert.equal(b.replica.receive(first), 'delivered');
      assert.equal(await valueAt(b, counter), 3);
    });

    it('drops transactions beyond its buffer limits, and anti-entropy can deliver them later', async () => {
      const [a] = replicas('A');
      const b = new Replica('B', { bufferLimits: { aheadPerOrigin: 3, transactions: 10, bytes: 1 << 20 } });
      for (let i = 0; i < 4; i++) await run(a, counter, 'increment', 1);
      const [t1, t2, t3, t4] = a.sent;
      assert.equal(b.receive(t4), 'dropped');
      assert.equal(b.receive(t3), 'buffered');
      assert.equal(b.receive(t1), 'delivered');
      assert.equal(b.receive(t2), 'delivered');
      assert.deepEqual(b.clock, { A: 3 });
      assert.equal(b.receive(t4), 'delivered');
      assert.equal(b.value(counter), 4);
    });

    it('forgets what a closed link left waiting', async () => {
      const [a, b] = replicas('A', 'B');
      await run(a, counter, 'increment', 1);
      await run(a, counter, 'increment', 1);
      assert.equal(b.replica.receive(a.sent[1], 'link-1'), 'buffered');
      assert.equal(b.replica.holdsWaitingFrom('A'), true);
      b.replica.dropBufferedFrom('link-1');
      assert.deepEqual(b.replica.waitingTransactions(), []);
      assert.equal(b.replica.holdsWaitingFrom('A'), false);
    });

    it('cancels a parked clock wait when its signal aborts, and forgets it', async () => {
      const [a] = replicas('A');
      const stop = new AbortController();
      const read = a.replica.read([counter], { Z: 1 }, 60_000, stop.signal);
      await settle();
      assert.equal(a.replica.waitingClocks, 1);
      stop.abort();
      await assert.rejects(read, UnavailableError);
      assert.equal(a.replica.waitingClocks, 0);
      await assert.rejects(a.replica.read([counter], { Z: 1 }, 1000, stop.signal), /cancelled/);
    });

    it('refuses a clock wait longer than ten minutes as bad input', async () => {
      const [a] = replicas('A');
      await assert.rejects(a.replica.read([counter], { Z: 1 }, 1e12), InvalidInputError);
      await assert.rejects(a.replica.read([counter], { Z: 1 }, -1), InvalidInputError);
      assert.equal(a.replica.waitingClocks, 0);
    });
  });
});
