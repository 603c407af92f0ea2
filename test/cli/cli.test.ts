import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tempDir';
import { ServeProcess, runCli, startServe } from './cliProcess';

/** Everything through the CLI contract (docs/architecture.md, "CLI contract"), against real `minidote serve` processes. */
describe('cli: minidote serve / update / read / status', function () {
  this.timeout(60_000);
  const dirs: { path: string; cleanup(): void }[] = [];
  const nodes: ServeProcess[] = [];
  const dir = () => {
    const d = tempDir('minidote-cli-');
    dirs.push(d);
    return d.path;
  };
  async function serve(args: string[]): Promise<ServeProcess> {
    const node = await startServe(args);
    nodes.push(node);
    return node;
  }
  after(() => {
    for (const n of nodes) n.child.kill('SIGKILL');
    for (const d of dirs) d.cleanup();
  });

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await runCli(args, input);
    assert.equal(result.code, 0, `minidote ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  it('a 3-node cluster with updates everywhere converges', async () => {
    const a = await serve(['--data', dir(), '--id', 'cliA']);
    const b = await serve(['--data', dir(), '--id', 'cliB', '--peer', a.url]);
    const c = await serve(['--data', dir(), '--id', 'cliC', '--peer', b.url, '--peer', b.url]);
    const c1 = JSON.parse(await ok(['update', '--node', a.url, 'counter_pn', 'b', 'k', 'increment', '-7']));
    assert.deepEqual(c1, { cliA: 1 });
    await ok(['update', '--node', b.url, 'counter_pn', 'b', 'k', 'decrement', '-5']);
    await ok(['update', '--node', c.url, 'set_aw', 'team', 'oncall', 'add', 'alice']);
    await ok(['update', '--node', c.url, '--json', 'set_aw', 'team', 'oncall', 'add', '{"name":"bob"}']);
    const wanted = { cliA: 1, cliB: 1, cliC: 2 };
    for (const node of [a, b, c]) {
      const read = JSON.parse(await ok(['read', '--node', node.url, '--clock', JSON.stringify(wanted), 'counter_pn', 'b', 'k']));
      assert.equal(read.value, -2);
      const set = JSON.parse(await ok(['read', '--node', node.url, '--clock', JSON.stringify(wanted), 'set_aw', 'team', 'oncall']));
      assert.deepEqual(set.value, ['alice', { name: 'bob' }]);
    }
    const status = JSON.parse(await ok(['status', '--node', c.url]));
    assert.equal(status.id, 'cliC');
    assert.equal(status.peers.length, 1, 'the duplicate --peer is ignored');
    assert.equal(status.peers[0].url, b.url);
    assert.equal(status.peers[0].id, 'cliB');
    assert.equal(status.peers[0].connected, true);
    // The type is part of the identity: same bucket/key as a flag is another object.
    const flag = JSON.parse(await ok(['read', '--node', a.url, 'flag_ew', 'b', 'k']));
    assert.equal(flag.value, false);
  });

  it('a batch with one bad op changes nothing and exits 1; a good batch is one transaction', async () => {
    const a = await serve(['--data', dir(), '--id', 'batchA']);
    await ok(['update', '--node', a.url, 'set_2p', 'board', 'todo', 'add', 'remove-me']);
    await ok(['update', '--node', a.url, 'set_2p', 'board', 'todo', 'remove', 'remove-me']);
    const batch = JSON.stringify([
      { type: 'counter_pn', bucket: 'board', key: 'n', op: 'increment', args: [1] },
      { type: 'set_2p', bucket: 'board', key: 'todo', op: 'add', args: ['fresh'] },
      { type: 'set_2p', bucket: 'board', key: 'todo', op: 'add', args: ['remove-me'] },
    ]);
    const rejected = await runCli(['update', '--node', a.url, '--batch', '-'], batch);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /removed and can never be added again/);
    const n = JSON.parse(await ok(['read', '--node', a.url, 'counter_pn', 'board', 'n']));
    assert.deepEqual(n, { value: 0, clock: { batchA: 2 } });
    const file = path.join(dir(), 'batch.json');
    writeFileSync(
      file,
      JSON.stringify([
        { type: 'counter_pn', bucket: 'board', key: 'n', op: 'increment', args: [2] },
        { type: 'set_2p', bucket: 'board', key: 'todo', op: 'add', args: ['fresh'] },
      ]),
    );
    assert.deepEqual(JSON.parse(await ok(['update', '--node', a.url, '--batch', file])), { batchA: 3 });
    const removeAbsent = await runCli(['update', '--node', a.url, 'set_2p', 'board', 'todo', 'remove', 'ghost']);
    assert.equal(removeAbsent.code, 1);
  });

  it('bad usage and bad input exit 2 with a message', async () => {
    const a = await serve(['--data', dir(), '--id', 'usageA']);
    const cases: [string[], RegExp][] = [
      [['update', '--node', a.url, 'counter_xx', 'b', 'k', 'increment'], /known types: counter_pn/],
      [['update', '--node', a.url, 'counter_pn', 'b', 'k', 'explode'], /its operations: increment, decrement/],
      [['update', '--node', a.url, 'counter_pn', 'b', 'k', 'increment', 'x'], /must be an integer/],
      [['update', '--node', a.url, 'counter_pn_sb', 'b', 'k', 'increment', '0'], /must be > 0/],
      [['update', '--node', a.url, 'counter_pn', 'b', 'k', 'increment', '1', '2'], /at most one argument/],
      [['update', '--node', a.url, 'set_aw', 'b', 'k', 'add'], /exactly one argument/],
      [['update', '--node', a.url, '--json', 'set_aw', 'b', 'k', 'add', '{oops'], /not valid JSON/],
      [['update', '--node', a.url, '--clock', '{"a":', 'flag_ew', 'b', 'k', 'enable'], /--clock is not valid JSON/],
      [['update', '--node', a.url, '--clock', '{"a":-1}', 'flag_ew', 'b', 'k', 'enable'], /non-negative integer/],
      [['read', '--node', a.url, 'flag_ew', 'b'], /usage: minidote read/],
      [['read', '--bogus', 'flag_ew', 'b', 'k'], /unknown option --bogus/],
      [['update', '--node', a.url, '--batch', '-'], /not valid JSON/],
      [['frobnicate'], /unknown command/],
      [['serve'], /needs --data/],
      [['update', '--node', 'http://x', 'flag_ew', 'b', 'k', 'enable'], /not a WebSocket address/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, '');
      assert.equal(result.code, 2, `${args.join(' ')} → ${result.code}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    // Each element is within the value size limit; together they are over the message limit.
    const elements = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(60 * 1024, 'x'));
    const big = JSON.stringify([{ type: 'set_aw', bucket: 'b', key: 'k', op: 'add_all', args: elements }]);
    const oversized = await runCli(['update', '--node', a.url, '--batch', '-'], big);
    assert.equal(oversized.code, 2);
    assert.match(oversized.stderr, /message limit/);
  });

  it('serve --id X on a directory that holds another id exits 2 naming both', async () => {
    const d = dir();
    const a = await serve(['--data', d, '--id', 'first']);
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    const result = await runCli(['serve', '--data', d, '--id', 'second', '--port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /first/);
    assert.match(result.stderr, /second/);
  });

  it('a wrong secret exits 3; the right one works; cannot connect exits 3 naming the URL', async () => {
    const d = dir();
    const secret = path.join(d, 'secret');
    writeFileSync(secret, '  s3cret\n');
    const wrong = path.join(d, 'wrong');
    writeFileSync(wrong, 'other');
    const a = await serve(['--data', path.join(d, 'data'), '--id', 'authA', '--secret-file', secret]);
    const denied = await runCli(['update', '--node', a.url, '--secret-file', wrong, 'flag_ew', 'b', 'k', 'enable']);
    assert.equal(denied.code, 3);
    assert.match(denied.stderr, /authentication failed|refused/);
    const none = await runCli(['status', '--node', a.url]);
    assert.equal(none.code, 3);
    await ok(['update', '--node', a.url, '--secret-file', secret, 'flag_ew', 'b', 'k', 'enable']);
    const down = await runCli(['status', '--node', 'ws://127.0.0.1:9', '--timeout', '2000']);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /ws:\/\/127\.0\.0\.1:9/);
  });

  it('SIGTERM exits 0 and leaves a directory that reopens cleanly with the data', async () => {
    const d = dir();
    const a = await serve(['--data', d]);
    await ok(['update', '--node', a.url, 'register_mv', 'cfg', 'mode', 'assign', 'dark']);
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    const again = await serve(['--data', d]);
    assert.equal(again.id, a.id, 'the generated id is kept in the directory');
    const read = JSON.parse(await ok(['read', '--node', again.url, 'register_mv', 'cfg', 'mode']));
    assert.deepEqual(read, { value: ['dark'], clock: { [a.id]: 1 } });
  });

  it('read --clock against a lagging node waits, then sees the write; times out with exit 3', async () => {
    const aDir = dir();
    const a = await serve(['--data', aDir, '--id', 'lagA']);
    const clock = (await ok(['update', '--node', a.url, 'flag_ew', 'ops', 'freeze', 'enable'])).trim();
    a.child.kill('SIGTERM');
    await a.exited;
    // B's peer is down: B lags behind the clock until A comes back on the same address.
    const b = await serve(['--data', dir(), '--id', 'lagB', '--peer', a.url]);
    const timedOut = await runCli(['read', '--node', b.url, '--clock', clock, '--timeout', '300', 'flag_ew', 'ops', 'freeze']);
    assert.equal(timedOut.code, 3);
    assert.match(timedOut.stderr, /timed out/);
    const waiting = runCli(['read', '--node', b.url, '--clock', clock, '--timeout', '30000', 'flag_ew', 'ops', 'freeze']);
    await serve(['--data', aDir, '--id', 'lagA', '--port', new URL(a.url).port]);
    const result = await waiting;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).value, true);
  });

  it('a value larger than a pipe buffer reaches a reading pipe whole before the command exits', async () => {
    const node = await serve(['--data', dir()]);
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: 'set_aw',
      bucket: 'b',
      key: 'big',
      op: 'add_all',
      args: Array.from({ length: 1000 }, (_, j) => `${'x'.repeat(50)}${i}-${j}`),
    }));
    await ok(['update', '--node', node.url, '--batch', '-'], JSON.stringify(batch));
    const text = await ok(['read', '--node', node.url, 'set_aw', 'b', 'big']);
    assert.ok(text.length > 1_000_000, `only ${text.length} bytes arrived`);
    assert.equal((JSON.parse(text) as { value: string[] }).value.length, 20_000);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    assert.equal(await ok(['--version']), `${version}\n`);
  });

  it('--help works for the program and each command', async () => {
    assert.match(await ok(['--help']), /minidote serve/);
    for (const command of ['serve', 'update', 'read', 'status']) {
      assert.match(await ok([command, '--help']), new RegExp(`Usage: minidote ${command}`));
    }
  });
});
