import assert from 'node:assert/strict';
import path from 'node:path';
import { Fleet, ServeNode, key, words } from './harness';
import { FailingDisk, whyNotPrivileged } from './system';

describe('hostile 7: an fsync failure under serve', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let disk: FailingDisk | undefined;
  let node: ServeNode | undefined;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(async () => {
    if (node) {
      node.process.child.kill('SIGKILL');
      await node.process.exited;
      node = undefined;
    }
    disk?.dispose();
    disk = undefined;
    fleet.cleanup();
  });

  it('ends the update "outcome unknown", not plain failure, and refuses later updates until reopened', async function () {
    const why = whyNotPrivileged(['mount', 'umount', 'losetup', 'mkfs.ext4', 'truncate', 'dd']);
    if (why !== undefined) this.skip();
    disk = FailingDisk.create(fleet.dir('disk'));
    node = await fleet.serve({ id: 'fsyncA', secret: false, data: path.join(disk.mountPoint, 'data'), extra: ['--fsync', 'always'] });
    const counter = key('counter_pn', 'disk', 'count');
    await fleet.mustUpdate(node, words(counter, 'increment'));

    disk.fill();
    const failed = await fleet.update(node, words(counter, 'increment', '10'));
    assert.notEqual(failed.code, 0, 'an update whose fsync failed was reported as a success');
    assert.match(failed.stderr, /outcome unknown/i, `the error does not say the outcome is unknown: ${failed.stderr}`);

    const later = await fleet.update(node, words(key('flag_ew', 'disk', 'later'), 'enable'));
    assert.notEqual(later.code, 0, 'an update was acknowledged after the log could no longer be made durable');
  });
});
