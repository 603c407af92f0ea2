import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { UnavailableError } from '../../../src/core/errors';
import { NodeHost } from '../../../src/extension/nodeHost';
import { MinidoteSettings } from '../../../src/extension/settings';
import { MinidoteNode } from '../../../src/node/minidoteNode';
import { ReplicaNode } from '../../../src/node/replicaNode';
import { tempDir } from '../../support/tempDir';
import { waitUntil } from '../../support/waitFor';

const FLAG = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };

function settings(overrides: Partial<MinidoteSettings> = {}): MinidoteSettings {
  return { peers: [], listenHost: '127.0.0.1', listenPort: 0, displayName: 'ada', statusBarFlags: [], fsync: 'never', ...overrides };
}

describe('extension/nodeHost', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function dir(): string {
    const d = tempDir('minidote-host-');
    cleanups.push(d.cleanup);
    return d.path;
  }

  function host(dataDir = dir()): { host: NodeHost; reports: string[] } {
    const reports: string[] = [];
    const h = new NodeHost({ dataDir, report: (m) => reports.push(m) });
    cleanups.push(() => h.close());
    return { host: h, reports };
  }

  async function peer(): Promise<MinidoteNode> {
    const node = await MinidoteNode.open({ dataDir: dir(), id: 'peer', fsync: 'never', listen: { host: '127.0.0.1', port: 0 } });
    cleanups.push(() => node.close());
    return node;
  }

  it('opens in the background; calls made meanwhile wait for it', async () => {
    const { host: h, reports } = host();
    assert.equal(h.phase, 'starting');
    h.start(new Promise((resolve) => setImmediate(() => resolve({ settings: settings(), secret: undefined }))));
    const node = await h.whenReady();
    assert.equal(h.phase, 'running');
    assert.equal(node.status().displayName, 'ada');
    assert.deepEqual(reports, []);
  });

  it('keeps replicating when a change listener throws, and logs it', async () => {
    const logged: string[] = [];
    const h = new NodeHost({ dataDir: dir(), report: () => undefined, log: (_level, message) => logged.push(message) });
    cleanups.push(() => h.close());
    const seen: string[] = [];
    h.onDidChange(() => {
      throw new Error('view bug');
    });
    h.onDidChange((change) => seen.push(change.kind));
    h.start({ settings: settings(), secret: undefined });
    const node = await h.whenReady();
    await node.update([{ ...FLAG, op: 'enable' }]);
    assert.deepEqual(seen, ['transaction']);
    assert.equal(node.value(FLAG), true);
    assert.ok(
      logged.some((m) => /a change listener failed: view bug/.test(m)),
      logged.join('\n'),
    );
  });

  it('applies peer and listen settings live, and keeps peers added by command', async () => {
    const other = await peer();
    const { host: h } = host();
    h.start({ settings: settings(), secret: undefined });
    const node = await h.whenReady();
    await h.configure({ settings: settings({ peers: [other.listenUrl as string], listenPort: 0 }), secret: undefined });
    await node.update([{ ...FLAG, op: 'enable' }]);
    await waitUntil(() => other.replica.value(FLAG) === true, { subscribe: (wake) => other.onDidChange(wake).dispose });
    assert.equal(h.node, node, 'peers change without a reopen');

    const url = await h.listen('127.0.0.1', 0);
    assert.equal(node.listenUrl, url);
    const third = await peer();
    await h.connectPeer(third.listenUrl as string);
    await h.configure({ settings: settings({ peers: [], listenHost: 'localhost' }), secret: undefined });
    assert.deepEqual(
      node
        .status()
        .peers.filter((p) => p.direction === 'outbound')
        .map((p) => p.url),
      [third.listenUrl],
    );
    assert.equal(node.listenUrl, undefined, 'a listen settings change replaces the listen command');
  });

  it('reopens the same storage when a setting needs it, keeping state and command peers', async () => {
    const other = await peer();
    const { host: h } = host();
    h.start({ settings: settings(), secret: undefined });
    const first = await h.whenReady();
    await first.update([{ ...FLAG, op: 'enable' }]);
    await h.connectPeer(other.listenUrl as string);
    const phases: string[] = [];
    h.onPhaseChanged((p) => phases.push(p));
    const opened: ReplicaNode[] = [];
    h.onDidOpenNode((node) => opened.push(node));
    await h.configure({ settings: settings({ fsync: 'always', displayName: 'ada2' }), secret: undefined });
    const second = await h.whenReady();
    assert.notEqual(second, first);
    assert.deepEqual(phases, ['starting', 'running']);
    assert.equal(opened.length, 1);
    assert.equal(opened[0], second, 'holders of the node are told of the new one');
    assert.equal(second.id, first.id);
    assert.equal(second.value(FLAG), true);
    assert.equal(second.status().displayName, 'ada2');
    assert.deepEqual(
      second.status().peers.map((p) => p.url),
      [other.listenUrl],
    );
  });

  it('reports a port it cannot listen on, and keeps running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const { host: h, reports } = host();
    h.start({ settings: settings({ listenPort: port }), secret: undefined });
    const node = await h.whenReady();
    assert.equal(reports.length, 1);
    assert.match(reports[0], new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}`));
    await node.update([{ ...FLAG, op: 'enable' }]);
  });

  it('refuses to listen beyond loopback without a secret, with the reason', async () => {
    const { host: h } = host();
    h.start({ settings: settings(), secret: undefined });
    await h.whenReady();
    await assert.rejects(h.listen('0.0.0.0', 0), /without a team secret/);
  });

  it('fails clearly when the storage cannot be opened', async () => {
    const parent = dir();
    const file = path.join(parent, 'not-a-dir');
    writeFileSync(file, 'x');
    const { host: h, reports } = host(file);
    h.start({ settings: settings(), secret: undefined });
    await assert.rejects(h.whenReady(), (e: unknown) => e instanceof UnavailableError && /not running/.test(e.message));
    assert.equal(h.phase, 'failed');
    assert.ok(h.error);
    assert.match(reports[0], /could not open its replica in .*not-a-dir/);
  });

  it('gives a host whose storage a headless node holds a clear error, and opens on a later settings change', async () => {
    const shared = dir();
    const first = await MinidoteNode.open({ dataDir: shared, fsync: 'never' });
    const second = host(shared);
    second.host.start({ settings: settings(), secret: undefined });
    await assert.rejects(second.host.whenReady(), UnavailableError);
    assert.equal(second.reports.length, 1);
    await first.close();
    await second.host.configure({ settings: settings({ displayName: 'retry' }), secret: undefined });
    assert.equal((await second.host.whenReady()).status().displayName, 'retry');
  });

  it('closes the node and releases the storage', async () => {
    const shared = dir();
    const { host: h } = host(shared);
    h.start({ settings: settings(), secret: undefined });
    await (await h.whenReady()).update([{ ...FLAG, op: 'enable' }]);
    await h.close();
    assert.equal(h.phase, 'closed');
    await assert.rejects(h.whenReady(), /closed/);
    const reopened = await MinidoteNode.open({ dataDir: shared, fsync: 'never' });
    cleanups.push(() => reopened.close());
    assert.equal(reopened.replica.value(FLAG), true);
  });
});
