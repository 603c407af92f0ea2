import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage } from '../../src/storage';
import { directoryBytes } from '../../src/storage/files';
import { applyUpdates, removeTempDirs, tempDir } from './helpers';

describe('storage: sizes in status', function () {
  this.timeout(60_000);
  afterEach(removeTempDirs);

  it('reports the bytes on disk without walking the directory, the same as walking it would', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', snapshotEvery: 1_000_000 });
    const check = (when: string) => assert.equal(storage.stats().diskBytes, directoryBytes(dir), when);
    check('when new');
    await applyUpdates(replica, 1, 50);
    check('after 50 updates');
    for (const to of [100, 150, 200]) {
      await storage.writeSnapshot();
      await applyUpdates(replica, to - 49, to);
      check(`after a snapshot and updates up to ${to}`);
    }
    await storage.close();
    // A torn tail is moved to damaged/ by recovery: counted from then on.
    appendFileSync(join(dir, 'log-000004.wal'), Buffer.from([9, 0, 0, 0, 1]));
    const again = await openStorage(dir);
    assert.equal(again.storage.recovery.cut.length, 1);
    assert.equal(again.storage.stats().diskBytes, directoryBytes(dir));
    await applyUpdates(again.replica, 201, 220);
    assert.equal(again.storage.stats().diskBytes, directoryBytes(dir));
    await again.storage.close();
  });
});
