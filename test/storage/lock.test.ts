import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/core/errors';
import { validateReplicaId } from '../../src/core/replica';
import { StorageLockedError, openStorage } from '../../src/storage';
import { acquireLock } from '../../src/storage/lock';
import { waitUntil } from '../support/waitFor';
import { killChildren, removeTempDirs, spawnFixture, tempDir } from './helpers';

/** What the lock file says, parsed. */
interface LockFile {
  format: string;
  pid: number;
  host: string;
  bootId: string | null;
  pidNamespace: string | null;
  token: string;
  heartbeatMs: number;
  leaseMs: number;
}

function readLockFile(dir: string): LockFile {
  return JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as LockFile;
}

function procOrNull(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** A lock file as a process running where this one runs would write it, with `changes` applied. */
function plantLock(dir: string, changes: Partial<LockFile>, ageMs = 0): void {
  const here: LockFile = {
    format: 'minidote-lock',
    pid: process.pid,
    host: hostname(),
    bootId: procOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: procOrNull(() => readlinkSync('/proc/self/ns/pid')),
    token: 'planted',
    heartbeatMs: 5000,
    leaseMs: 15000,
  };
  const path = join(dir, 'lock');
  writeFileSync(path, `${JSON.stringify({ ...here, ...changes })}\n`);
  ageLock(dir, ageMs);
}

function ageLock(dir: string, ageMs: number): void {
  const then = new Date(Date.now() - ageMs);
  utimesSync(join(dir, 'lock'), then, then);
}

function lockedError(check: (error: StorageLockedError) => void): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StorageLockedError, String(error));
    assert.equal(error.kind, 'storage');
    assert.doesNotMatch(error.message, /delete/i, 'never tell the user to delete a lock that may be live');
    check(error);
    return true;
  };
}

const NEEDS_NAMESPACES = 'needs root and unshare(1) to start processes in their own pid namespaces';

/** True when this machine can run a process in its own pid namespace (root with unshare). */
function canUnshare(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
  return probe.error === undefined && probe.status === 0;
}

const OWN_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

describe('storage: directory lock and replica id', function () {
  this.timeout(30_000);
  afterEach(async () => {
    await killChildren();
    removeTempDirs();
  });

  it('lets one process at a time open a directory, and takes over the lock of a killed one', async () => {
    const dir = tempDir();
    const holder = spawnFixture('writer.ts', [dir, '--hold']);
    await holder.until((lines) => (lines.some((l) => l.startsWith('ready ')) ? true : undefined));
    await assert.rejects(
      openStorage(dir),
      lockedError((error) => {
        assert.equal(error.holderPid, holder.pid);
        assert.match(error.message, new RegExp(`in use by process ${holder.pid} on this machine, .*stop that process first`));
      }),
    );
    const held = readLockFile(dir);
    await holder.kill();
    assert.deepEqual(readLockFile(dir), held, 'SIGKILL leaves the lock behind');

    const reports: string[] = [];
    const { storage } = await openStorage(dir, { report: (m) => reports.push(m) });
    const mine = readLockFile(dir);
    assert.equal(mine.pid, process.pid);
    assert.notEqual(mine.token, held.token);
    assert.deepEqual(reports, [
      `took over the stale lock of process ${holder.pid} on this machine on ${dir} (process ${holder.pid} no longer runs)`,
    ]);
    await storage.close();
    assert.ok(!existsSync(join(dir, 'lock')));
  });

  it('refuses a directory held by a live process in another pid namespace, whatever its pid', async function () {
    if (!canUnshare()) {
      this.test!.title += ` [skipped: ${NEEDS_NAMESPACES}]`;
      this.skip();
    }
    const dir = tempDir();
    // Both processes are pid 1 in their own namespaces: a pid check would call the holder dead.
    const holder = spawnFixture('writer.ts', [dir, '--hold'], { wrapper: OWN_PID_NAMESPACE });
    await holder.until((lines) => (lines.some((l) => l.startsWith('ready ')) ? true : undefined));
    const held = readLockFile(dir);
    assert.equal(held.pid, 1);
    assert.notEqual(held.pidNamespace, readlinkSync('/proc/self/ns/pid'));

    const contender = spawnFixture('opener.ts', [dir], { wrapper: OWN_PID_NAMESPACE });
    const outcome = JSON.parse(await contender.until((lines) => lines.find((l) => l.startsWith('{')))) as {
      opened: boolean;
      name: string;
      kind: string;
      holderPid: number;
      message: string;
    };
    assert.equal(outcome.opened, false, 'a second process opened the directory');
    assert.deepEqual([outcome.name, outcome.kind, outcome.holderPid], ['StorageLockedError', 'storage', 1]);
    assert.match(outcome.message, /in use by process 1 on host \S+ in another pid namespace/);
    assert.deepEqual(readLockFile(dir), held, 'the holder still has its lock');

    await assert.rejects(
      openStorage(dir),
      lockedError((error) => {
        assert.equal(error.holderPid, 1);
        assert.match(error.message, /another pid namespace .*taken over automatically once it has not been refreshed for 15 s/);
      }),
    );
    // Killed, it can no longer refresh its lock; its pid means nothing here, so only the lease frees it.
    await holder.kill();
    await assert.rejects(openStorage(dir), StorageLockedError);
    ageLock(dir, 16_000);
    const { storage } = await openStorage(dir);
    assert.equal(readLockFile(dir).pid, process.pid);
    await storage.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
    plantLock(dir, { pid: gone });
    const reports: string[] = [];
    const { storage } = await openStorage(dir, { report: (m) => reports.push(m) });
    assert.match(reports.join('\n'), new RegExp(`took over the stale lock .*\\(process ${gone} no longer runs\\)`));
    assert.deepEqual([readLockFile(dir).pid, readLockFile(dir).token === 'planted'], [process.pid, false]);
    await storage.close();
  });

  it('takes over a lock with its own pid that it did not take (a restarted container has the same pid)', async () => {
    const dir = tempDir();
    plantLock(dir, { pid: process.pid });
    const reports: string[] = [];
    const { storage } = await openStorage(dir, { report: (m) => reports.push(m) });
    assert.match(reports.join('\n'), new RegExp(`\\(its pid ${process.pid} is this process\\)`));
    assert.notEqual(readLockFile(dir).token, 'planted');
    await storage.close();
    assert.ok(!existsSync(join(dir, 'lock')));
  });

  it('trusts only the heartbeat of a lock from elsewhere, or from an older release', async () => {
    const dir = tempDir();
    const foreign = { pid: 4242, host: 'other-host', pidNamespace: 'pid:[1]', leaseMs: 15000 };
    plantLock(dir, foreign, 2000);
    await assert.rejects(
      openStorage(dir),
      lockedError((error) => {
        assert.equal(error.holderPid, 4242);
        assert.equal(error.holder?.host, 'other-host');
        assert.match(error.message, /in use by process 4242 on host other-host, which refreshed its lock 2\.\d s ago/);
        assert.match(error.message, /taken over automatically .* \(in 1[23] s\)/);
      }),
    );
    ageLock(dir, 16_000);
    const reports: string[] = [];
    const { storage } = await openStorage(dir, { report: (m) => reports.push(m) });
    assert.match(reports.join('\n'), /took over the stale lock of process 4242 on host other-host .*\(not refreshed for 16 s\)/);
    await storage.close();

    // A bare pid (an older Minidote's lock, never refreshed): kept while that pid runs here...
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    ageLock(dir, 3_600_000);
    await assert.rejects(
      openStorage(dir),
      lockedError((error) => {
        assert.equal(error.holderPid, process.ppid);
        assert.match(
          error.message,
          new RegExp(`in use by process ${process.ppid} \\(its lock .* older Minidote\\): stop that process first`),
        );
      }),
    );
    // ...and otherwise says nothing about where its process runs: only its age frees it.
    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    await assert.rejects(
      openStorage(dir),
      lockedError((error) => {
        assert.equal(error.holderPid, process.pid);
        assert.match(error.message, /lock of an older Minidote.*does not tell where that process runs/);
      }),
    );
    ageLock(dir, 16_000);
    const again = await openStorage(dir);
    await again.storage.close();
  });

  it('refreshes its lock while it holds it, and notices when another process has taken it', async () => {
    const dir = tempDir();
    const lock = acquireLock(dir, { heartbeatMs: 50 });
    const path = join(dir, 'lock');
    ageLock(dir, 60_000);
    await waitUntil(() => Date.now() - statSync(path).mtimeMs < 10_000, { describe: () => 'the lock was not refreshed' });
    assert.doesNotThrow(() => lock.check());

    const lost: string[] = [];
    lock.onLost((error) => lost.push(error.message));
    plantLock(dir, { pid: 4242, host: 'other-host' }); // as a process elsewhere would after the lease ran out
    await waitUntil(() => lost.length > 0, { describe: () => 'the loss went unnoticed' });
    assert.match(lost[0], /lost the lock on the data directory .*process 4242 on host other-host holds it now/);
    assert.throws(() => lock.check(), /lost the lock/);
    lock.release();
    assert.equal(readLockFile(dir).pid, 4242, "releasing a lost lock leaves the new holder's file alone");
  });

  it('stops writing when its lock was taken over, so two writers never share a log', async function () {
    this.timeout(60_000);
    const dir = tempDir();
    const reports: string[] = [];
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', report: (m) => reports.push(m) });
    await replica.update([{ type: 'counter_pn', bucket: 'b', key: 'k', op: 'increment' }]);
    plantLock(dir, { pid: 4242, host: 'other-host' });
    // The default heartbeat (5 s) finds out.
    await waitUntil(() => reports.length > 0, { timeoutMs: 30_000, describe: () => 'the loss went unnoticed' });
    assert.match(reports[0], /lost the lock/);
    const clock = replica.clock;
    await assert.rejects(
      replica.update([{ type: 'counter_pn', bucket: 'b', key: 'k', op: 'increment' }]),
      /read-only after an earlier failure, so the transaction was not applied: restart Minidote.*lost the lock/,
    );
    assert.deepEqual(replica.clock, clock);
    await storage.close();
    assert.equal(readLockFile(dir).pid, 4242, "closing leaves the new holder's lock alone");
  });

  it('refuses a second open in the same process, and allows it after close (close is idempotent)', async () => {
    const dir = tempDir();
    const first = await openStorage(dir);
    const viaLink = join(tempDir(), 'link');
    symlinkSync(dir, viaLink);
    for (const path of [dir, viaLink]) {
      await assert.rejects(openStorage(path), (error: unknown) => {
        assert.ok(error instanceof StorageLockedError && error.holderPid === process.pid, String(error));
        assert.match(error.message, /already open in this process/);
        return true;
      });
    }
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
