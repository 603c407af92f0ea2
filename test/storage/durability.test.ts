import assert from 'node:assert/strict';
import { openStorage } from '../../src/storage';
import { updateFor } from './fixtures/workload';
import { removeTempDirs, tempDir } from './helpers';

const CONCURRENT = 200;

describe('storage: fsync policies and group commit', function () {
  this.timeout(30_000);
  afterEach(removeTempDirs);

  it('under always, concurrent updates share fsyncs instead of one each', async () => {
    const { storage, replica } = await openStorage(tempDir(), { fsync: 'always' });
    const before = storage.stats().fsyncs;
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => replica.update(updateFor(i + 1))));
    const used = storage.stats().fsyncs - before;
    assert.ok(used >= 1 && used <= CONCURRENT / 20, `${used} fsyncs for ${CONCURRENT} concurrent updates`);
    // One at a time, each acknowledgement waits for its own fsync.
    await replica.update(updateFor(CONCURRENT + 1));
    assert.equal(storage.stats().fsyncs - before, used + 1);
    await storage.close();
  });

  it('under interval, acknowledges at once and fsyncs in the background', async () => {
    const { storage, replica } = await openStorage(tempDir(), { fsync: { intervalMs: 10 } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => replica.update(updateFor(i + 1))));
    assert.equal(storage.stats().fsyncs, 0);
    while (storage.stats().fsyncs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await storage.close();
  });

  it('under never, leaves the fsync to close', async () => {
    const { storage, replica } = await openStorage(tempDir(), { fsync: 'never', snapshotEvery: 5 });
    for (let n = 1; n <= 20; n++) await replica.update(updateFor(n));
    assert.equal(storage.stats().fsyncs, 0);
    await storage.close();
    assert.equal(storage.stats().fsyncs, 1);
  });

  it('refuses updates after close without changing the replica', async () => {
    const { storage, replica } = await openStorage(tempDir(), { fsync: 'never' });
    await replica.update(updateFor(1));
    await storage.close();
    const clock = replica.clock;
    await assert.rejects(replica.update(updateFor(2)), /closed, so the transaction was not applied/);
    assert.deepEqual(replica.clock, clock);
  });

  it('checks the options it is given', async () => {
    await assert.rejects(openStorage(tempDir(), { fsync: { intervalMs: 0 } }), /fsync policy .* is not valid/);
    await assert.rejects(openStorage(tempDir(), { snapshotEvery: 0 }), /snapshotEvery must be a positive integer/);
  });
});
