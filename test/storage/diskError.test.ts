import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { killChildren, removeTempDirs, spawnFixture, tempDir } from './helpers';

/** What the fixture reports (see fixtures/fileLimit.ts). */
interface Outcome {
  acked: number;
  kind: string;
  message: string;
  unchanged: boolean;
  retry: string;
}

/** What the fixture reports (see fixtures/fsyncFailure.ts). */
interface FsyncOutcome {
  acked: number;
  failed: { name: string; kind: string; message: string; clock: number };
  retry: { name: string; kind: string; message: string; clock: number };
  reports: string[];
}

/**
 * Shell commands that mount, in the fixture's private mount namespace, an ext4 file system on a
 * loop device whose backing file sits on a 6 MiB tmpfs: writes succeed into the page cache, and
 * the fsync that has to write them back fails. Without a journal and with errors=continue the file
 * system stays writable, so the fsync is what reports the failure. Everything vanishes with the
 * namespace (the loop device is released when its mount goes).
 */
function failingDisk(root: string): string {
  return [
    'set -e',
    `mkdir -p ${root}/backing ${root}/mnt`,
    `mount -t tmpfs -o size=6m tmpfs ${root}/backing`,
    `truncate -s 64m ${root}/backing/disk.img`,
    `mkfs.ext4 -q -F -O ^has_journal ${root}/backing/disk.img`,
    `mount -o loop,errors=continue ${root}/backing/disk.img ${root}/mnt`,
  ].join(' && ');
}

const PRIVATE_MOUNTS = ['unshare', '--mount', '--propagation', 'private'];

/** Why a failing disk cannot be staged here, or undefined when it can. */
function cannotStageFailingDisk(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to mount a loop device';
  const root = tempDir();
  const probe = spawnSync(PRIVATE_MOUNTS[0], [...PRIVATE_MOUNTS.slice(1), 'bash', '-c', failingDisk(root)]);
  if (probe.error || probe.status !== 0) {
    return `could not mount a loop device in a private mount namespace: ${String(probe.error ?? probe.stderr)}`;
  }
  return undefined;
}

async function runOnFailingDisk(policy: string): Promise<FsyncOutcome> {
  const root = tempDir();
  const child = spawnFixture('fsyncFailure.ts', [`${root}/mnt/data`, policy], {
    wrapper: PRIVATE_MOUNTS,
    shellPrefix: failingDisk(root),
  });
  const line = await child.until((lines) => lines.find((l) => l.startsWith('{')));
  assert.equal((await child.exited).code, 0);
  return JSON.parse(line) as FsyncOutcome;
}

describe('storage: disk errors', function () {
  this.timeout(30_000);
  afterEach(async () => {
    await killChildren();
    removeTempDirs();
  });

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

  describe('when an fsync fails', function () {
    before(function () {
      const why = cannotStageFailingDisk();
      if (why) {
        for (const test of this.test?.parent?.tests ?? []) test.title += ` [skipped: ${why}]`;
        this.skip();
      }
    });

    it('says "outcome unknown" for the update it applied, then refuses updates until reopened', async () => {
      const outcome = await runOnFailingDisk('always');
      assert.ok(outcome.acked > 5, `only ${outcome.acked} updates fit`);
      const { failed, retry } = outcome;
      assert.deepEqual([failed.name, failed.kind], ['OutcomeUnknownError', 'unknown'], failed.message);
      assert.match(failed.message, /^outcome unknown: the transaction was applied in memory and may already have been sent to peers/);
      assert.match(failed.message, /may not be on disk \(could not fsync the transaction log \S+log-000001\.wal: (ENOSPC|EIO)/);
      assert.match(failed.message, /restart Minidote .*then read the value before retrying/);
      assert.equal(failed.clock, outcome.acked + 1, 'the update whose fsync failed was applied in memory');
      // No retry of the fsync can be trusted: the log stays read-only, and nothing more is applied.
      assert.deepEqual([retry.name, retry.kind], ['MinidoteError', 'storage'], retry.message);
      assert.match(retry.message, /read-only after an earlier failure, so the transaction was not applied: restart Minidote/);
      assert.match(retry.message, /could not fsync the transaction log/);
      assert.equal(retry.clock, failed.clock, 'the refused update changed the replica');
    });

    it('under interval, reports the failed background fsync and refuses later updates', async () => {
      const outcome = await runOnFailingDisk('interval:10');
      const { failed, retry } = outcome;
      assert.deepEqual([failed.name, failed.kind], ['MinidoteError', 'storage'], failed.message);
      assert.match(failed.message, /read-only after an earlier failure, so the transaction was not applied/);
      assert.equal(failed.clock, outcome.acked, 'a refused update changed the replica');
      assert.equal(retry.clock, outcome.acked);
      assert.match(outcome.reports.join('\n'), /could not fsync the transaction log .*the log is read-only until Minidote is restarted/);
    });
  });
});
