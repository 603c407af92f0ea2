import assert from 'node:assert/strict';
import { InvalidInputError } from '../../../src/core/errors';
import { DEFAULT_WAIT_SECONDS, parseReadArgs, parseWaitArgs, resolveReadKey, valueAsText } from '../../../src/extension/taskArgs';

describe('extension/taskArgs', () => {
  it('reads "bucket/key" or { bucket, key, type?, format? }', () => {
    assert.deepEqual(parseReadArgs('ops/release-train'), { ref: { bucket: 'ops', key: 'release-train' }, format: 'text' });
    assert.deepEqual(parseReadArgs({ bucket: 'ops', key: 'n', type: 'counter_pn', format: 'json' }), {
      ref: { bucket: 'ops', key: 'n' },
      type: 'counter_pn',
      format: 'json',
    });
    for (const bad of [
      undefined,
      'no-bucket',
      { bucket: 'ops' },
      { bucket: 'a', key: 'b', type: 'nope' },
      { bucket: 'a', key: 'b', format: 'xml' },
    ]) {
      assert.throws(() => parseReadArgs(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('finds the type of an existing object, and refuses to guess one', () => {
    const existing = [
      { bucket: 'ops', key: 'release-train', type: 'register_mv' as const },
      { bucket: 'team', key: 'x', type: 'set_aw' as const },
      { bucket: 'team', key: 'x', type: 'set_2p' as const },
    ];
    assert.deepEqual(resolveReadKey(parseReadArgs('ops/release-train'), existing), existing[0]);
    assert.throws(() => resolveReadKey(parseReadArgs('ops/unknown'), existing), /does not exist on this replica.*"type"/);
    assert.throws(() => resolveReadKey(parseReadArgs('team/x'), existing), /exists as set_aw, set_2p/);
    assert.deepEqual(resolveReadKey(parseReadArgs({ bucket: 'ops', key: 'unknown', type: 'flag_ew' }), existing), {
      bucket: 'ops',
      key: 'unknown',
      type: 'flag_ew',
    });
  });

  it('gives values as text a task can put on a command line, or as JSON', () => {
    assert.equal(valueAsText(['train-42'], 'text'), 'train-42');
    assert.equal(valueAsText(['a', 'b', 3, { x: 1 }], 'text'), 'a,b,3,{"x":1}');
    assert.equal(valueAsText(true, 'text'), 'true');
    assert.equal(valueAsText(false, 'text'), 'false');
    assert.equal(valueAsText(-3, 'text'), '-3');
    assert.equal(valueAsText([], 'text'), '');
    assert.equal(valueAsText(['train-42'], 'json'), '["train-42"]');
  });

  it('waits for a flag, with a timeout in seconds', () => {
    assert.deepEqual(parseWaitArgs('ops/deploy-freeze'), {
      ref: { bucket: 'ops', key: 'deploy-freeze' },
      timeoutMs: DEFAULT_WAIT_SECONDS * 1000,
    });
    assert.equal(parseWaitArgs({ bucket: 'ops', key: 'f', timeout: 2.5 }).timeoutMs, 2500);
    for (const bad of [
      { bucket: 'ops', key: 'f', timeout: 0 },
      { bucket: 'ops', key: 'f', timeout: '5' },
      { bucket: 'ops', key: 'f', type: 'set_aw' },
      'x',
    ]) {
      assert.throws(() => parseWaitArgs(bad), InvalidInputError, JSON.stringify(bad));
    }
  });
});
