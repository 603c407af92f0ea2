import assert from 'node:assert/strict';
import { runCli } from './cliProcess';

/** JSON text of arrays nested `levels` deep. */
const deepText = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/**
 * Hostile or careless input exits 2 (bad input) with a reason, before any connection: the node
 * address here is one nothing listens on, so reaching it would exit 3 instead.
 */
describe('cli: deeply nested or non-finite input is bad input (exit 2), not a crash', function () {
  this.timeout(60_000);
  const node = ['--node', 'ws://127.0.0.1:9', '--timeout', '2000'];

  it('a --batch nested 100,000 levels deep exits 2', async () => {
    const result = await runCli(['update', ...node, '--batch', '-'], deepText(100_000));
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the batch is not accepted: it nests deeper/);
  });

  it('a --batch whose argument is nested 5,000 levels deep exits 2', async () => {
    const batch = `[{"type":"set_aw","bucket":"b","key":"k","op":"add","args":[${deepText(5000)}]}]`;
    const result = await runCli(['update', ...node, '--batch', '-'], batch);
    assert.equal(result.code, 2, result.stderr);
  });

  // One command-line word may be at most 128 KiB.
  it('a --json argument nested 30,000 levels deep exits 2', async () => {
    const result = await runCli(['update', ...node, '--json', 'set_aw', 'b', 'k', 'add', deepText(30_000)]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /deeper/);
  });

  it('a --clock with a deeply nested entry exits 2', async () => {
    const clock = `{"a":${deepText(30_000)}}`;
    const result = await runCli(['read', ...node, '--clock', clock, 'flag_ew', 'b', 'k']);
    assert.equal(result.code, 2, result.stderr);
  });

  it('a --clock entry beyond the largest sequence number exits 2', async () => {
    const result = await runCli(['read', ...node, '--clock', '{"a":9007199254740991}', 'flag_ew', 'b', 'k']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /at most/);
  });

  it('an amount of 1e999 in a batch exits 2', async () => {
    const batch = '[{"type":"counter_pn","bucket":"b","key":"k","op":"increment","args":[1e999]}]';
    const result = await runCli(['update', ...node, '--batch', '-'], batch);
    assert.equal(result.code, 2, result.stderr);
  });

  it('options after the positional arguments are taken as options', async () => {
    const result = await runCli(['read', 'flag_ew', 'b', 'k', ...node]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /ws:\/\/127\.0\.0\.1:9/);
  });
});
