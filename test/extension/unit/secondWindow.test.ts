import assert from 'node:assert/strict';
import { UnavailableError } from '../../../src/core/errors';
import { NodeHost } from '../../../src/extension/nodeHost';
import { MinidoteSettings } from '../../../src/extension/settings';
import { tempDir } from '../../support/tempDir';
import { waitUntil } from '../../support/waitFor';

const FLAG = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };

function settings(overrides: Partial<MinidoteSettings> = {}): MinidoteSettings {
  return { peers: [], listenHost: '127.0.0.1', listenPort: 0, displayName: 'ada', statusBarFlags: [], fsync: 'never', ...overrides };
}

describe('extension/nodeHost: a second window on the same storage', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function window(dataDir: string): { host: NodeHost; reports: string[] } {
    const reports: string[] = [];
    const host = new NodeHost({ dataDir, report: (m) => reports.push(m) });
    cleanups.push(() => host.close());
    return { host, reports };
  }

  it('says once that the replica is open in another window, without advice to remove the lock, and takes over when that window closes', async () => {
    const shared = tempDir('minidote-window-');
    cleanups.push(shared.cleanup);
    const first = window(shared.path);
    first.host.start({ settings: settings(), secret: undefined });
    await (await first.host.whenReady()).update([{ ...FLAG, op: 'enable' }]);

    const second = window(shared.path);
    second.host.start({ settings: settings({ displayName: 'second' }), secret: undefined });
    await assert.rejects(
      second.host.whenReady(),
      (error: unknown) => error instanceof UnavailableError && /open in another VS Code window/.test(error.message),
    );
    assert.equal(second.host.phase, 'failed');
    assert.equal(second.host.error, 'this replica is open in another VS Code window');
    assert.equal(second.reports.length, 1);
    assert.match(second.reports[0], /open in another VS Code window/);
    assert.match(second.reports[0], /once the other window closes/);
    assert.doesNotMatch(second.reports[0], /remove|delete/i);

    // Retries while the first window holds the storage say nothing more.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(second.host.phase, 'failed');
    assert.equal(second.reports.length, 1);

    await first.host.close();
    await waitUntil(() => second.host.phase === 'running', {
      timeoutMs: 15_000,
      subscribe: (wake) => second.host.onPhaseChanged(wake).dispose,
    });
    const node = await second.host.whenReady();
    assert.equal(node.replica.value(FLAG), true, 'the same replica, with what the first window wrote');
    assert.equal(node.status().displayName, 'second');
    assert.equal(second.reports.length, 1);
  });
});
