import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { Socket, createConnection } from 'node:net';
import { join } from 'node:path';
import { OutcomeUnknownError, UnavailableError } from '../../../src/core/errors';
import { ObjectKey } from '../../../src/core/transaction';
import { localSocketPath } from '../../../src/net/localSocket';
import { MinidoteNode } from '../../../src/node/minidoteNode';
import { AttachedNode } from '../../../src/node/windowLink/attachedNode';
import { WindowServer } from '../../../src/node/windowLink/windowServer';
import { tempDir } from '../../support/tempDir';
import { waitUntil } from '../../support/waitFor';

const flag: ObjectKey = { bucket: 'team', key: 'freeze', type: 'flag_ew' };
const queue: ObjectKey = { bucket: 'team', key: 'reviews', type: 'set_aw' };

function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Resolves once the other side has closed the socket (whatever it sent before is read and dropped). */
function closedBy(socket: Socket): Promise<void> {
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('windows sharing a replica over the local socket', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let owner: MinidoteNode;
  let server: WindowServer;
  const attached: AttachedNode[] = [];

  async function attach(): Promise<AttachedNode> {
    const node = await AttachedNode.attach(dir.path);
    attached.push(node);
    return node;
  }

  beforeEach(async () => {
    dir = tempDir();
    owner = await MinidoteNode.open({ dataDir: dir.path, id: 'owner', displayName: 'Owner window' });
    server = await WindowServer.start(owner, dir.path, () => undefined);
  });

  afterEach(async () => {
    for (const node of attached.splice(0)) await node.close();
    await server.close();
    await owner.close();
    dir.cleanup();
  });

  it('shows the owner replica, with its id, name, values and history', async () => {
    await owner.update([{ ...queue, op: 'add', args: ['pr-1'] }]);
    const window = await attach();
    assert.equal(window.id, 'owner');
    assert.equal(window.displayName, 'Owner window');
    assert.deepEqual(window.value(queue), ['pr-1']);
    assert.deepEqual(window.listObjects(), [queue]);
    assert.deepEqual(window.clock, owner.clock);
    assert.equal(window.history(queue).entries.length, 1);
    assert.equal(window.lastChange(queue)?.origin, 'owner');
  });

  it('sends its updates to the owner, which logs them, and reads its own write at once', async () => {
    const window = await attach();
    const clock = await window.update([{ ...flag, op: 'enable' }]);
    assert.equal(window.value(flag), true);
    assert.equal(owner.value(flag), true);
    assert.deepEqual(clock, { owner: 1 });
    await owner.close();
    const reopened = await MinidoteNode.open({ dataDir: dir.path });
    try {
      assert.equal(reopened.value(flag), true, 'the update is in the owner log');
    } finally {
      await reopened.close();
    }
  });

  it('follows the owner updates as they are delivered', async () => {
    const window = await attach();
    await owner.update([{ ...queue, op: 'add', args: ['pr-2'] }]);
    await waitUntil(() => JSON.stringify(window.value(queue)) === '["pr-2"]', { describe: () => JSON.stringify(window.value(queue)) });
    assert.equal(window.recentTransactions().at(-1)?.local, true, 'a write of this replica counts as local');
  });

  it('keeps every attached window current, and a window that detached does not hold the others back', async () => {
    const [first, second, third] = [await attach(), await attach(), await attach()];
    await third.close();
    await second.update([{ ...queue, op: 'add', args: ['from-second'] }]);
    await owner.update([{ ...queue, op: 'add', args: ['from-owner'] }]);
    for (const window of [first, second]) {
      await waitUntil(() => JSON.stringify(window.value(queue)) === '["from-owner","from-second"]', {
        describe: () => JSON.stringify(window.value(queue)),
      });
    }
    await waitUntil(() => server.attached === 2, { describe: () => `${server.attached} attached` });
  });

  it('starts over from the owner state when the owner installs a snapshot, without repeating its recent transactions', async () => {
    const bobDir = tempDir();
    const bob = await MinidoteNode.open({ dataDir: bobDir.path, id: 'bob', fsync: 'never', listen: { host: '127.0.0.1', port: 0 } });
    const counter: ObjectKey = { bucket: 'team', key: 'deploys', type: 'counter_pn' };
    const shown = (node: { recentTransactions(): { origin: string; clock: object }[] }) =>
      node.recentTransactions().map((t) => `${t.origin}:${JSON.stringify(t.clock)}`);
    try {
      await owner.update([{ ...flag, op: 'enable' }]);
      owner.connectPeer(bob.listenUrl as string);
      await waitUntil(() => bob.value(flag) === true, { subscribe: (wake) => bob.onDidChange(wake).dispose });
      owner.disconnectPeer(bob.listenUrl as string);
      const window = await attach();
      for (let i = 0; i < 1_200; i++) await bob.update([{ ...counter, op: 'increment', args: [1] }]);
      let snapshots = 0;
      owner.onDidChange((change) => {
        if (change.kind === 'snapshot') snapshots++;
      });
      owner.connectPeer(bob.listenUrl as string);
      await waitUntil(() => window.value(counter) === 1_200, { describe: () => JSON.stringify(window.value(counter)) });
      assert.ok(snapshots > 0, 'the owner caught up by a snapshot');
      assert.deepEqual(shown(window), shown(owner));
    } finally {
      await bob.close();
      bobDir.cleanup();
    }
  });

  it('refuses an invalid update with the owner error and changes nothing', async () => {
    const window = await attach();
    await assert.rejects(window.update([{ ...flag, op: 'explode' }]), /explode/);
    assert.deepEqual(owner.clock, {});
  });

  it('asks the owner to listen and reports where, also through status', async () => {
    const window = await attach();
    const url = await window.listen('127.0.0.1', 0);
    assert.equal(url, owner.listenUrl);
    await waitUntil(() => window.status().listening === url);
    assert.equal(window.listenUrl, url);
  });

  it('knows the names of the replicas the owner knows, and who of them is online', async () => {
    const peerDir = tempDir();
    const bob = await MinidoteNode.open({ dataDir: peerDir.path, id: 'bob', displayName: 'Bob', listen: { host: '127.0.0.1', port: 0 } });
    try {
      const window = await attach();
      owner.connectPeer(bob.listenUrl as string);
      await waitUntil(() => window.displayNameOf('bob') === 'Bob', {
        subscribe: (wake) => window.onPeersChanged(wake).dispose,
        describe: () => JSON.stringify(window.replicas()),
      });
      assert.equal(window.replicas().find((r) => r.id === 'bob')?.online, 'direct');
    } finally {
      await bob.close();
      peerDir.cleanup();
    }
  });

  it('does not attach to a socket whose owner cannot prove it knows the token', async () => {
    await server.close();
    const impostor = await WindowServer.start(owner, dir.path, () => undefined);
    // Another token in the file than the one the owner listening now holds.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir.path, 'window.token'), 'a'.repeat(64));
    await assert.rejects(
      AttachedNode.attach(dir.path),
      (error: Error) => error instanceof UnavailableError && /does not know the token/.test(error.message),
    );
    server = impostor;
  });

  it('closes a link that does not prove the token, and keeps serving other windows', async () => {
    const socket = createConnection(localSocketPath(dir.path));
    const gone = closedBy(socket);
    socket.write(frame(JSON.stringify({ t: 'hello', nonce: 'ab'.repeat(16) })));
    socket.write(frame(JSON.stringify({ t: 'proof', proof: '0'.repeat(64) })));
    await gone;
    const window = await attach();
    assert.equal(window.id, 'owner');
  });

  for (const [what, bytes] of [
    ['a frame announcing 4 GiB', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b])],
    ['a frame that is not JSON', frame('{"t":')],
    ['JSON nested deeper than any message', frame('['.repeat(10_000) + ']'.repeat(10_000))],
    ['a request before the handshake', frame(JSON.stringify({ t: 'request', id: 1, request: { call: 'stopListening' } }))],
    ['a message of no known kind', frame(JSON.stringify({ t: 'wipe' }))],
  ] as const) {
    it(`closes a link that sends ${what}, and the owner stays whole`, async () => {
      await owner.update([{ ...flag, op: 'enable' }]);
      const socket = createConnection(localSocketPath(dir.path));
      const gone = closedBy(socket);
      socket.write(bytes);
      await gone;
      assert.equal(owner.value(flag), true);
      assert.equal(server.attached, 0);
      const window = await attach();
      assert.equal(window.value(flag), true);
    });
  }
});

describe('a window attached to an owner that dies', function () {
  this.timeout(30_000);

  function startOwner(dataDir: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'owner.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`the owner exited with ${code}`)));
    });
  }

  it('hears that it is detached, and its later updates fail as unavailable', async () => {
    const dir = tempDir();
    const child = await startOwner(dir.path);
    try {
      const window = await AttachedNode.attach(dir.path);
      await window.update([{ ...flag, op: 'enable' }]);
      const detached = new Promise<string>((resolve) => window.onDetached(resolve));
      child.kill('SIGKILL');
      assert.match(await detached, /closed|reset|EOF|ECONNRESET/i);
      await assert.rejects(window.update([{ ...flag, op: 'disable' }]), UnavailableError);
      assert.equal(window.value(flag), true, 'the copy keeps what it had');
      await window.close();
    } finally {
      child.kill('SIGKILL');
      dir.cleanup();
    }
  });

  it('fails an update in flight as of unknown outcome, not as refused', async () => {
    const dir = tempDir();
    const child = await startOwner(dir.path);
    try {
      const window = await AttachedNode.attach(dir.path);
      // Waits for a clock the owner never reaches, so the update is still in flight when it dies.
      const inFlight = window.update([{ ...flag, op: 'enable' }], { elsewhere: 1 }, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGKILL');
      await assert.rejects(inFlight, OutcomeUnknownError);
      await window.close();
    } finally {
      child.kill('SIGKILL');
      dir.cleanup();
    }
  });
});
