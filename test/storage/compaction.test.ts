import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, MinidoteError } from '../../src/core/errors';
import { Replica } from '../../src/core/replica';
import { Transaction, sequenceOf } from '../../src/core/transaction';
import { openStorage } from '../../src/storage';
import { ReferenceReplica, stateText, updateFor } from './fixtures/workload';
import { applyUpdates, removeTempDirs, tempDir } from './helpers';

const EVERY = 100;

/** Runs updates one after the other, yielding to I/O now and then as a live replica would. */
async function busyReplica(replica: Replica, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) {
    await replica.update(updateFor(n));
    if (n % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Finished log segments or snapshots (not a snapshot still being written to its .tmp file). */
function files(dir: string, kind: 'log' | 'snap'): string[] {
  return readdirSync(dir).filter((f) => new RegExp(`^${kind}-\\d+\\.(wal|snap)$`).test(f));
}

describe('storage: snapshots and compaction', function () {
  this.timeout(60_000);
  afterEach(removeTempDirs);

  it('compacts the log into snapshots so disk use stays bounded, and reopens to the same state', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', snapshotEvery: EVERY });
    await busyReplica(replica, 1, 3000);
    // The first automatic snapshot starts a new segment at once; how many finish depends on the disk.
    assert.ok(files(dir, 'log').length >= 2, 'no automatic snapshot was started');
    // Two snapshots in a row: the log since the older one is empty, and nothing else is left.
    await storage.writeSnapshot();
    await storage.writeSnapshot();
    const stats = storage.stats();
    assert.equal(stats.logRecords, 0);
    assert.deepEqual([files(dir, 'snap').length, files(dir, 'log').length], [2, 2], readdirSync(dir).join(' '));
    assert.ok(stats.diskBytes <= stats.logBytes + stats.snapshotBytes + 1024, JSON.stringify(stats));
    const before = stateText(replica);
    await storage.close();

    const reopened = await openStorage(dir);
    assert.equal(stateText(reopened.replica), before);
    assert.equal(reopened.storage.recovery.replayed, 0);
    await reopened.storage.close();
  });

  it('keeps the records a peer still needs, and says when the log can no longer serve one', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never' });
    storage.setRetention({ alpha: 250 });
    for (let n = 100; n <= 1000; n += 100) {
      await busyReplica(replica, n - 99, n);
      await storage.writeSnapshot(); // the log now has one segment per 100 updates
    }
    const since250 = storage.transactionsSince({ alpha: 250 });
    assert.deepEqual(
      since250?.map(sequenceOf),
      Array.from({ length: 750 }, (_, i) => 251 + i),
    );
    assert.deepEqual(storage.transactionsSince({ alpha: 1000 }), []);
    assert.equal(storage.transactionsSince({ alpha: 199 }), undefined, 'records up to 200 are compacted away');

    storage.setRetention(undefined);
    assert.equal(storage.transactionsSince({ alpha: 250 }), undefined);
    assert.equal(storage.stats().logRecords, 100, 'the log since the fallback snapshot');
    await storage.close();
  });

  it('persists a snapshot installed from a peer together with what the replica delivered right after it', async () => {
    const peer = new Replica('beta', { now: () => 0 });
    const sent: Transaction[] = [];
    peer.onChange((change) => {
      if (change.kind === 'transaction') sent.push(change.transaction);
    });
    for (let n = 1; n <= 20; n++) await peer.update(updateFor(n));
    const snapshot = peer.exportState();
    for (let n = 21; n <= 23; n++) await peer.update(updateFor(n));

    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never' });
    assert.equal(replica.receive(sent[21]), 'buffered');
    assert.equal(replica.receive(sent[20]), 'buffered');
    storage.installSnapshot(snapshot);
    assert.deepEqual(files(dir, 'snap'), ['snap-000002.snap'], 'the snapshot is on disk before the replica takes it');
    replica.importState(snapshot); // delivers 21 and 22 from the causal buffer
    assert.equal(replica.receive(sent[22]), 'delivered');
    assert.deepEqual(storage.transactionsSince({ beta: 20 })?.map(sequenceOf), [21, 22, 23]);
    assert.equal(storage.transactionsSince({}), undefined, 'the log never held what the snapshot brought');
    await storage.close();

    const reopened = await openStorage(dir);
    assert.equal(stateText(reopened.replica), stateText(peer));
    assert.deepEqual(reopened.storage.recovery.snapshotClock, { beta: 20 });
    assert.equal(reopened.storage.recovery.replayed, 3);
    await reopened.storage.close();
  });

  it('keeps an update acknowledged right after a snapshot install across a restart', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'always' });
    await replica.update(updateFor(1));
    const peer = new Replica('beta');
    peer.receive((storage.transactionsSince({}) as Transaction[])[0]);
    for (let n = 1; n <= 5; n++) await peer.update(updateFor(n));
    const state = peer.exportState(); // covers alpha's update: what a join with the local state gives
    storage.installSnapshot(state);
    replica.importState(state);
    await replica.update(updateFor(2)); // acknowledged after the install, depends on it
    const acknowledged = stateText(replica);
    await storage.close();

    const reports: string[] = [];
    const reopened = await openStorage(dir, { report: (m) => reports.push(m) });
    assert.equal(stateText(reopened.replica), acknowledged);
    assert.deepEqual(reopened.replica.clock, { alpha: 2, beta: 5 });
    assert.equal(reopened.storage.recovery.skipped, 0);
    assert.equal(reopened.storage.recovery.replayed, 1);
    assert.deepEqual(reports, []);
    await reopened.storage.close();
  });

  it('keeps the previous snapshot as the fallback after an install', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never' });
    await applyUpdates(replica, 1, 10);
    await storage.writeSnapshot();
    const peer = new Replica('beta');
    for (const txn of storage.transactionsSince({}) ?? []) peer.receive(txn);
    await peer.update(updateFor(1));
    storage.installSnapshot(peer.exportState());
    replica.importState(peer.exportState());
    assert.deepEqual(files(dir, 'snap'), ['snap-000002.snap', 'snap-000003.snap']);
    await storage.close();
  });

  it('takes an install back when the log cannot continue after it, and leaves the directory as it was', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'always', replica: { now: () => 0 } });
    await applyUpdates(replica, 1, 5);
    const peer = new Replica('beta');
    for (const txn of storage.transactionsSince({}) ?? []) peer.receive(txn);
    await peer.update(updateFor(1));
    // The segment the install would start exists already, so the log cannot continue there.
    writeFileSync(join(dir, 'log-000002.wal'), '');
    const before = stateText(replica);
    assert.throws(
      () => storage.installSnapshot(peer.exportState()),
      (error: unknown) => {
        assert.ok(error instanceof MinidoteError && error.kind === 'storage', String(error));
        assert.match(error.message, /could not start the log segment \S+log-000002\.wal/);
        return true;
      },
    );
    assert.deepEqual(files(dir, 'snap'), [], 'the snapshot of the failed install is gone');
    assert.ok(!existsSync(join(dir, 'snap-000002.snap.tmp')));
    assert.equal(stateText(replica), before);
    await applyUpdates(replica, 6, 7); // the log goes on where it was
    await storage.close();

    rmSync(join(dir, 'log-000002.wal'));
    const reopened = await openStorage(dir, { replica: { now: () => 0 } });
    assert.equal(stateText(reopened.replica), await new ReferenceReplica('alpha').stateAfter(7));
    assert.deepEqual(reopened.storage.recovery.cut, []);
    await reopened.storage.close();
  });

  it('refuses to install a snapshot that lacks what the replica delivered, or that does not decode', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never' });
    await replica.update(updateFor(1));
    const foreign = { clock: { beta: 3 }, objects: [] };
    assert.throws(
      () => storage.installSnapshot(foreign),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError, String(error));
        assert.match(error.message, /lacks transactions the replica delivered .*join it with the local state first/);
        return true;
      },
    );
    const undecodable = { clock: { alpha: 1, beta: 3 }, objects: [{ bucket: 'b', key: 'k', type: 'flag_ew' as const, state: 'on' }] };
    assert.throws(() => storage.installSnapshot(undecodable), InvalidInputError);
    assert.deepEqual([files(dir, 'snap'), files(dir, 'log')], [[], ['log-000001.wal']], 'nothing was written');
    await storage.close();
    assert.throws(() => storage.installSnapshot(replica.exportState()), /closed/);
    await assert.rejects(storage.writeSnapshot(), /closed/);
  });
});
