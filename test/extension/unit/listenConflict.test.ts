import assert from 'node:assert/strict';
import { NodeHost } from '../../../src/extension/nodeHost';
import { MinidoteSettings } from '../../../src/extension/settings';
import { MinidoteNode } from '../../../src/node/minidoteNode';
import { tempDir } from '../../support/tempDir';
import { waitUntil } from '../../support/waitFor';

const FLAG = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };

function settings(overrides: Partial<MinidoteSettings> = {}): MinidoteSettings {
  return { peers: [], listenHost: '127.0.0.1', listenPort: 0, displayName: 'ada', statusBarFlags: [], fsync: 'never', ...overrides };
}

describe('extension/nodeHost: a listen port held by another window', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function dir(): string {
    const d = tempDir('minidote-conflict-');
    cleanups.push(d.cleanup);
    return d.path;
  }

  /** The first window: a node listening on a port, as a listen.port in the user settings makes it. */
  async function firstWindow(): Promise<{ node: MinidoteNode; port: number }> {
    const node = await MinidoteNode.open({ dataDir: dir(), id: 'first', fsync: 'never', listen: { host: '127.0.0.1', port: 0 } });
    cleanups.push(() => node.close());
    return { node, port: Number(new URL(node.listenUrl as string).port) };
  }

  function secondWindow(): { host: NodeHost; reports: string[] } {
    const reports: string[] = [];
    const host = new NodeHost({ dataDir: dir(), report: (m) => reports.push(m) });
    cleanups.push(() => host.close());
    return { host, reports };
  }

  it('says once, clearly, that the port is taken, and keeps the window working and replicating', async () => {
    const first = await firstWindow();
    const { host, reports } = secondWindow();
    const same = settings({ listenPort: first.port });
    host.start({ settings: same, secret: undefined });
    const node = await host.whenReady();

    assert.equal(reports.length, 1, reports.join('\n'));
    assert.match(
      reports[0],
      new RegExp(
        `could not listen on 127\\.0\\.0\\.1:${first.port}: the port is already in use, most likely by Minidote in another VS Code window`,
      ),
    );
    assert.match(reports[0], /keeps working/);
    assert.equal(host.phase, 'running');
    assert.equal(host.listenUrl(), undefined);
    assert.match(host.listenProblem ?? '', new RegExp(`port ${first.port} is already in use`));

    // Working: it writes, and reaches the first window as a peer.
    await host.configure({ settings: { ...same, peers: [first.node.listenUrl as string] }, secret: undefined });
    await node.update([{ ...FLAG, op: 'enable' }]);
    await waitUntil(() => first.node.replica.value(FLAG) === true, { subscribe: (wake) => first.node.onDidChange(wake).dispose });

    // A reopen (the display name changed) meets the same taken port: not reported again.
    await host.configure({ settings: { ...same, peers: [first.node.listenUrl as string], displayName: 'ada2' }, secret: undefined });
    const reopened = await host.whenReady();
    assert.notEqual(reopened, node);
    assert.equal(reopened.status().displayName, 'ada2');
    assert.equal(host.listenUrl(), undefined);
    assert.equal(reports.length, 1, reports.join('\n'));
  });

  it('listens on the port once it is free and the listen settings are applied again', async () => {
    const first = await firstWindow();
    const { host, reports } = secondWindow();
    host.start({ settings: settings({ listenPort: first.port }), secret: undefined });
    await host.whenReady();
    assert.equal(reports.length, 1);

    await first.node.close();
    await host.configure({ settings: settings({ listenPort: 0 }), secret: undefined });
    await host.configure({ settings: settings({ listenPort: first.port }), secret: undefined });
    assert.equal(host.listenUrl(), `ws://127.0.0.1:${first.port}`);
    assert.equal(host.listenProblem, undefined);
    assert.equal(reports.length, 1);
  });
});
