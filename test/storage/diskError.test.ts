import assert from 'node:assert/strict';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { removeTempDirs, spawnFixture, tempDir } from './helpers';

/** What the fixture reports (see fixtures/fileLimit.ts). */
interface Outcome {
  acked: number;
  kind: string;
  message: string;
  unchanged: boolean;
  retry: string;
}

describe('storage: disk errors', function () {
  this.timeout(30_000);
  afterEach(removeTempDirs);

  it('fails an update it cannot log, leaves the replica unchanged, and keeps the log consistent', async () => {
    const dir = tempDir();
    const child = spawnFixture('fileLimit.ts', [dir], { shellPrefix: 'ulimit -f 256' });
    const line = await child.until((lines) => lines.find((l) => l.startsWith('{')));
    const { code } = await child.exited;
    assert.equal(code, 0);
    const result = JSON.parse(line) as Outcome;
    assert.equal(result.kind, 'storage');
    assert.match(result.message, /could not write to the transaction log \S+log-000001\.wal/);
    assert.match(result.message, /so the transaction was not applied/);
    assert.match(result.message, /EFBIG.*\(the file size limit was reached\)/);
    assert.ok(result.unchanged, 'the failed update changed the replica');
    assert.equal(result.retry, 'storage', 'a retry against the same limit fails the same way');
    assert.ok(result.acked > 5, `only ${result.acked} updates fit`);

    // Without the limit: the partial record was taken back, and every acknowledged update is there.
    const { storage, replica } = await openStorage(dir);
    assert.deepEqual(storage.recovery.cut, []);
    assert.equal(entry(replica.clock, 'alpha'), result.acked);
    await replica.update([{ type: 'counter_pn', bucket: 'b', key: 'after', op: 'increment' }]);
    await storage.close();
  });
});
