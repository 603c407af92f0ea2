import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { tempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitFor';
import { key } from './harness';

const acked = key('counter_pn', 'local', 'acked');

/** Where a snapshot numbered `n` is written before its rename (src/storage/snapshots.ts, files.ts). */
const snapshotTempName = (n: number): string => `snap-${String(n).padStart(6, '0')}.snap.tmp`;

describe('hostile 6: a received snapshot that cannot be saved', function () {
  this.timeout(60_000);
  const dirs: { path: string; cleanup(): void }[] = [];
  const nodes: MinidoteNode[] = [];
  const dir = (name: string) => {
    const made = tempDir(`minidote-hostile-${name}-`);
    dirs.push(made);
    return made.path;
  };
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const made of dirs.splice(0)) made.cleanup();
  });

  it('loses no acknowledged local write', async () => {
    // A peer whose log was compacted: it can only bring a new replica up to date with a snapshot.
    const peer = await MinidoteNode.open({
      dataDir: dir('peer'),
      id: 'snapP',
      listen: { host: '127.0.0.1', port: 0 },
      snapshotEvery: 2,
      fsync: 'never',
    });
    nodes.push(peer);
    for (let i = 0; i < 8; i++) {
      await peer.update([{ type: 'set_aw', bucket: 'peer', key: 'items', op: 'add', args: [`p${i}`] }]);
      // Lets each automatic snapshot finish before the next update.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitUntil(() => peer.storage.transactionsSince({}) === undefined, { timeoutMs: 10_000 });

    const data = dir('receiver');
    const logs: string[] = [];
    let node = await MinidoteNode.open({ dataDir: data, id: 'snapN', log: (level, message) => logs.push(`${level} ${message}`) });
    nodes.push(node);
    // A real fault: each snapshot's temporary file name is taken by a directory, so open(.., 'w') fails with EISDIR.
    const obstacles = Array.from({ length: 40 }, (_, i) => path.join(data, snapshotTempName(i + 1)));
    for (const obstacle of obstacles) mkdirSync(obstacle);

    node.connectPeer(peer.listenUrl as string);
    await waitUntil(() => logs.some((line) => line.includes('EISDIR')), {
      timeoutMs: 20_000,
      describe: () => `the snapshot was never written (or the failure never reported): ${logs.join('\n')}`,
    });
    node.disconnectPeer(peer.listenUrl as string);

    for (let i = 0; i < 3; i++) await node.update([{ ...acked, op: 'increment' }]);
    await node.close();
    nodes.splice(nodes.indexOf(node), 1);
    for (const obstacle of obstacles) rmSync(obstacle, { recursive: true });

    node = await MinidoteNode.open({ dataDir: data, id: 'snapN' });
    nodes.push(node);
    assert.equal(node.replica.value(acked), 3, `acknowledged increments lost after the failed snapshot save:\n${logs.join('\n')}`);
  });
});
