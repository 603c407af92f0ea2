import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/core/errors';
import { validateReplicaId } from '../../src/core/replica';
import { StorageLockedError, openStorage } from '../../src/storage';
import { removeTempDirs, spawnFixture, tempDir } from './helpers';

function isLockedBy(pid: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StorageLockedError, String(error));
    assert.equal(error.holderPid, pid);
    assert.equal(error.kind, 'storage');
    assert.match(error.message, new RegExp(`in use by process ${pid}`));
    return true;
  };
}

describe('storage: directory lock and replica id', function () {
  this.timeout(30_000);
  afterEach(removeTempDirs);

  it('lets one process at a time open a directory, and takes over the lock of a killed one', async () => {
    const dir = tempDir();
    const holder = spawnFixture('writer.ts', [dir, '--hold']);
    await holder.until((lines) => (lines.some((l) => l.startsWith('ready ')) ? true : undefined));
    await assert.rejects(openStorage(dir), isLockedBy(holder.pid));
    await holder.kill();
    assert.equal(readFileSync(join(dir, 'lock'), 'utf8').trim(), String(holder.pid), 'SIGKILL leaves the lock behind');

    const { storage } = await openStorage(dir);
    assert.equal(readFileSync(join(dir, 'lock'), 'utf8').trim(), String(process.pid));
    await storage.close();
    assert.ok(!existsSync(join(dir, 'lock')));
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, 'lock'), `${gone}\n`);
    const { storage } = await openStorage(dir);
    await storage.close();
  });

  it('takes over a lock with its own pid that it did not take (a restarted container has the same pid)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    const { storage } = await openStorage(dir);
    await storage.close();
  });

  it('refuses a second open in the same process, and allows it after close (close is idempotent)', async () => {
    const dir = tempDir();
    const first = await openStorage(dir);
    await assert.rejects(openStorage(dir), (error: unknown) => {
      assert.ok(error instanceof StorageLockedError && error.holderPid === process.pid);
      assert.match(error.message, /already open in this process/);
      return true;
    });
    await Promise.all([first.storage.close(), first.storage.close()]);
    await first.storage.close();
    const second = await openStorage(dir);
    await second.storage.close();
  });

  it('generates a replica id once and keeps it', async () => {
    const dir = tempDir();
    const first = await openStorage(dir);
    assert.equal(validateReplicaId(first.storage.id), first.replica.id);
    await first.storage.close();
    const second = await openStorage(dir);
    assert.equal(second.replica.id, first.replica.id);
    await second.storage.close();
  });

  it('refuses to open a directory under another replica id, naming both', async () => {
    const dir = tempDir();
    const { storage } = await openStorage(dir, { id: 'alpha' });
    await storage.close();
    await assert.rejects(openStorage(dir, { id: 'beta' }), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.match(error.message, /belongs to replica "alpha", not "beta"/);
      return true;
    });
    assert.ok(!existsSync(join(dir, 'lock')), 'a refused open releases the lock');
    await assert.rejects(openStorage(tempDir(), { id: '-bad id' }), InvalidInputError);
  });

  it('refuses to guess an id for a log whose replica.json is gone', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha' });
    await replica.update([{ type: 'flag_ew', bucket: 'b', key: 'k', op: 'enable' }]);
    await storage.close();
    writeFileSync(join(dir, 'replica.json'), '{"format":"minidote-replica"');
    await assert.rejects(openStorage(dir), /replica\.json is damaged/);
    rmSync(join(dir, 'replica.json'));
    await assert.rejects(openStorage(dir), /holds a log but no replica\.json/);
    const again = await openStorage(dir, { id: 'alpha' });
    assert.deepEqual(again.replica.value({ type: 'flag_ew', bucket: 'b', key: 'k' }), true);
    await again.storage.close();
  });
});
