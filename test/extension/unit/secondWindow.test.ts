import assert from 'node:assert/strict';
import { UnavailableError } from '../../../src/core/errors';
import { NodeHost } from '../../../src/extension/nodeHost';
import { MinidoteSettings } from '../../../src/extension/settings';
import { MinidoteNode } from '../../../src/node/minidoteNode';
import { tempDir } from '../../support/tempDir';
import { waitUntil } from '../../support/waitFor';

const FLAG = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };

function settings(overrides: Partial<MinidoteSettings> = {}): MinidoteSettings {
  return { peers: [], listenHost: '127.0.0.1', listenPort: 0, displayName: 'ada', statusBarFlags: [], fsync: 'never', ...overrides };
}

describe('extension/nodeHost: windows on the same storage', function () {
  this.timeout(30_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function shared(): string {
    const dir = tempDir('minidote-window-');
    cleanups.push(dir.cleanup);
    return dir.path;
  }

  function window(dataDir: string, name: string): { host: NodeHost; reports: string[] } {
    const reports: string[] = [];
    const host = new NodeHost({ dataDir, report: (m) => reports.push(m) });
    cleanups.push(() => host.close());
    host.start({ settings: settings({ displayName: name }), secret: undefined });
    return { host, reports };
  }

  async function peer(): Promise<MinidoteNode> {
    const dir = tempDir('minidote-peer-');
    const node = await MinidoteNode.open({ dataDir: dir.path, id: 'peer', fsync: 'never', listen: { host: '127.0.0.1', port: 0 } });
    cleanups.push(dir.cleanup, () => node.close());
    return node;
  }

  const running = (host: NodeHost) =>
    waitUntil(() => host.phase === 'running', { timeoutMs: 15_000, subscribe: (wake) => host.onPhaseChanged(wake).dispose });

  it('lets a second window use the replica the first one holds, with no error, and its updates reach the peers', async () => {
    const dataDir = shared();
    const other = await peer();
    const first = window(dataDir, 'first');
    const owner = await first.host.whenReady();
    await first.host.connectPeer(other.listenUrl as string);
    await owner.update([{ ...FLAG, op: 'enable' }]);

    const second = window(dataDir, 'second');
    const attached = await second.host.whenReady();
    assert.equal(second.host.attached, true);
    assert.equal(first.host.attached, false);
    assert.deepEqual(second.reports, [], 'nothing to tell the user: the window works');
    assert.equal(attached.id, owner.id, 'one replica id per storage folder');
    assert.equal(attached.value(FLAG), true);

    await attached.update([{ ...FLAG, op: 'disable' }]);
    assert.equal(owner.value(FLAG), false);
    await waitUntil(() => other.value(FLAG) === false, { subscribe: (wake) => other.onDidChange(wake).dispose });
    await waitUntil(() => attached.status().peers.some((p) => p.connected), {
      subscribe: (wake) => second.host.onPeersChanged(wake).dispose,
      describe: () => JSON.stringify(attached.status().peers),
    });
  });

  it('hands the replica over when the window holding it closes, with its peers, and a third window attaches to the new holder', async () => {
    const dataDir = shared();
    const other = await peer();
    const first = window(dataDir, 'first');
    await (await first.host.whenReady()).update([{ ...FLAG, op: 'enable' }]);
    await first.host.connectPeer(other.listenUrl as string);
    const second = window(dataDir, 'second');
    await second.host.whenReady();
    const third = window(dataDir, 'third');
    await third.host.whenReady();
    assert.equal(second.host.attached && third.host.attached, true);

    await first.host.close();
    const holds = (w: typeof second) => w.host.phase === 'running' && !w.host.attached;
    const follows = (w: typeof second) => w.host.phase === 'running' && w.host.attached;
    await waitUntil(() => (holds(second) && follows(third)) || (holds(third) && follows(second)), {
      timeoutMs: 20_000,
      describe: () => [second, third].map((w) => `${w.host.phase}/${w.host.attached ? 'attached' : 'holder'}`).join(' '),
    });
    const [holder, follower] = holds(second) ? [second, third] : [third, second];
    const node = await follower.host.whenReady();
    assert.equal(node.value(FLAG), true, 'the same replica, with what the first window wrote');
    await node.update([{ ...FLAG, op: 'disable' }]);
    const held = await holder.host.whenReady();
    assert.equal(held.value(FLAG), false);
    assert.deepEqual(
      held.status().peers.map((p) => p.url),
      [other.listenUrl],
      'the peer the first window had joined',
    );
    await waitUntil(() => other.value(FLAG) === false, { subscribe: (wake) => other.onDidChange(wake).dispose });
    assert.deepEqual([...second.reports, ...third.reports], []);
  });

  it('says once that the replica is held elsewhere when the holder serves no windows, and takes over when it closes', async () => {
    const dataDir = shared();
    // A headless node (`minidote serve`) holds the folder: it serves CLI clients, not windows.
    const headless = await MinidoteNode.open({ dataDir, fsync: 'never' });
    await headless.update([{ ...FLAG, op: 'enable' }]);
    const second = window(dataDir, 'second');
    await assert.rejects(
      second.host.whenReady(),
      (error: unknown) => error instanceof UnavailableError && /open in another VS Code window/.test(error.message),
    );
    assert.equal(second.reports.length, 1);
    assert.doesNotMatch(second.reports[0], /remove|delete/i);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(second.reports.length, 1, 'retries say nothing more');

    await headless.close();
    await running(second.host);
    const node = await second.host.whenReady();
    assert.equal(second.host.attached, false);
    assert.equal(node.value(FLAG), true);
    assert.equal(node.status().displayName, 'second');
  });
});
