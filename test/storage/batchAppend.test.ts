import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Replica } from '../../src/core/replica';
import { Transaction } from '../../src/core/transaction';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { ReferenceReplica, stateText, updateFor } from './fixtures/workload';
import { killChildren, removeTempDirs, spawnFixture, tempDir } from './helpers';

/** The transactions of a peer "beta" that made the workload's first n updates. */
async function betaHistory(n: number): Promise<Transaction[]> {
  const beta = new Replica('beta', { now: () => 0 });
  const made: Transaction[] = [];
  beta.onChange((change) => {
    if (change.kind === 'transaction') made.push(change.transaction);
  });
  for (let i = 1; i <= n; i++) await beta.update(updateFor(i));
  return made;
}

describe('storage: records appended together', function () {
  this.timeout(60_000);
  afterEach(async () => {
    await killChildren();
    removeTempDirs();
  });

  it('writes the records of a batch when it ends, and reopens to everything it applied', async () => {
    const dir = tempDir();
    const segment = join(dir, 'log-000001.wal');
    const history = await betaHistory(200);
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', replica: { now: () => 0 } });
    const before = statSync(segment).size;
    storage.appendTogether(() => {
      for (const txn of history) assert.equal(replica.receive(txn), 'delivered');
      assert.equal(statSync(segment).size, before, 'nothing is written before the batch ends');
    });
    assert.ok(statSync(segment).size > before + 200 * 8, 'every record was written when it ended');
    assert.equal(storage.stats().logRecords, 200);
    assert.equal(storage.transactionsSince({ beta: 150 })?.length, 50);
    const state = stateText(replica);
    await storage.close();

    const reopened = await openStorage(dir, { replica: { now: () => 0 } });
    assert.equal(stateText(reopened.replica), state);
    assert.equal(reopened.storage.recovery.replayed, 200);
    await reopened.storage.close();
  });

  it('writes what a batch gathered before an update made inside it is acknowledged, in order', async () => {
    const dir = tempDir();
    const history = await betaHistory(20);
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'always', replica: { now: () => 0 } });
    let acknowledged: Promise<unknown> = Promise.resolve();
    storage.appendTogether(() => {
      for (const txn of history.slice(0, 10)) replica.receive(txn);
      acknowledged = replica.update([{ type: 'counter_pn', bucket: 'c', key: 'local', op: 'increment' }]);
      assert.equal(storage.stats().logRecords, 11, 'the update waits for the batch so far to be written');
      for (const txn of history.slice(10)) replica.receive(txn);
    });
    await acknowledged;
    assert.equal(storage.stats().logRecords, 21);
    await storage.close();
    const reopened = await openStorage(dir, { replica: { now: () => 0 } });
    assert.deepEqual(reopened.replica.clock, { alpha: 1, beta: 20 });
    assert.equal(reopened.storage.recovery.skipped, 0);
    await reopened.storage.close();
  });

  it('loses nothing a finished batch applied when the process is killed with SIGKILL', async () => {
    const dir = tempDir();
    const child = spawnFixture('batchReceiver.ts', [dir, '--batch', '50']);
    const killAfter = 5 + Math.floor(Math.random() * 20);
    await child.until((lines) => (lines.filter((l) => l.startsWith('applied ')).length >= killAfter ? true : undefined));
    await child.kill();
    const applied = Math.max(...child.lines.filter((l) => l.startsWith('applied ')).map((l) => Number(l.slice(8))));

    const { storage, replica } = await openStorage(dir, { replica: { now: () => 0 } });
    const n = entry(replica.clock, 'beta');
    assert.ok(n >= applied, `recovered ${n} of beta's updates, but ${applied} were applied in finished batches`);
    assert.equal(stateText(replica), await new ReferenceReplica('beta').stateAfter(n));
    assert.deepEqual(storage.recovery.cut, [], 'a kill cannot tear a batch');
    await storage.close();
  });

  it('makes the log read-only when the write of a batch fails, and reopens to the batches before it', async () => {
    const dir = tempDir();
    const child = spawnFixture('batchReceiver.ts', [dir, '--batch', '10', '--padding', '4096'], { shellPrefix: 'ulimit -f 256' });
    const line = await child.until((lines) => lines.find((l) => l.startsWith('{')));
    assert.equal((await child.exited).code, 0);
    const outcome = JSON.parse(line) as { received: number; kind: string; message: string; later: string };
    const applied = Math.max(0, ...child.lines.filter((l) => l.startsWith('applied ')).map((l) => Number(l.slice(8))));
    assert.equal(outcome.kind, 'storage');
    assert.match(outcome.message, /could not write to the transaction log \S+ the records of 10 transactions received from peers/);
    assert.match(outcome.message, /EFBIG/);
    assert.equal(outcome.received, applied + 10, 'the failed batch was applied in memory');
    assert.equal(outcome.later, 'storage', 'a later update is refused');
    assert.ok(applied >= 10, `only ${applied} updates fit`);

    const { storage, replica } = await openStorage(dir);
    assert.equal(entry(replica.clock, 'beta'), applied);
    assert.equal(entry(replica.clock, 'alpha'), 0);
    await storage.close();
  });
});
