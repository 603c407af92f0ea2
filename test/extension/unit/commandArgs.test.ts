import assert from 'node:assert/strict';
import { InvalidInputError } from '../../../src/core/errors';
import { parseAmount, parseJsonField, parseListenArgs, parseSecretArg, parseTarget, parseUrlArg } from '../../../src/extension/commandArgs';

describe('extension/commandArgs', () => {
  it('reads a target from "bucket/key", an object, or a tree node with extra fields', () => {
    assert.equal(parseTarget(undefined), undefined);
    assert.deepEqual(parseTarget('ops/deploy-freeze'), { bucket: 'ops', key: 'deploy-freeze' });
    assert.deepEqual(parseTarget({ bucket: 'b', key: 'k', type: 'set_2p' }), { bucket: 'b', key: 'k', type: 'set_2p' });
    assert.deepEqual(parseTarget({ kind: 'element', id: 'x', bucket: 'b', key: 'k', element: 3 }), { bucket: 'b', key: 'k' });
  });

  it('refuses targets it cannot read, saying what it expects', () => {
    for (const bad of [42, { bucket: 'b' }, { bucket: '', key: 'k' }, 'nokey', { bucket: 'b', key: 'k', type: 7 }]) {
      assert.throws(() => parseTarget(bad), InvalidInputError, JSON.stringify(bad));
    }
  });

  it('reads JSON fields and integer amounts', () => {
    assert.deepEqual(parseJsonField({ element: { a: [1, 'x'] } }, 'element'), { a: [1, 'x'] });
    assert.equal(parseJsonField({ bucket: 'b' }, 'element'), undefined);
    assert.equal(parseJsonField('b/k', 'value'), undefined);
    assert.throws(() => parseJsonField({ value: () => 1 }, 'value'), InvalidInputError);
    assert.equal(parseAmount({ amount: -7 }), -7);
    assert.equal(parseAmount({ bucket: 'b', key: 'k' }), undefined);
    assert.throws(() => parseAmount({ amount: 1.5 }), /integer/);
    assert.throws(() => parseAmount({ amount: '2' }), /integer/);
  });

  it('reads URLs, listen addresses and secrets', () => {
    assert.equal(parseUrlArg('ws://h:1'), 'ws://h:1');
    assert.equal(parseUrlArg({ url: 'ws://h:1', label: 'peer' }), 'ws://h:1');
    assert.throws(() => parseUrlArg({ url: null }), InvalidInputError);
    assert.deepEqual(parseListenArgs(7878), { port: 7878 });
    assert.deepEqual(parseListenArgs({ host: '0.0.0.0', port: 0 }), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseListenArgs({}), {});
    assert.throws(() => parseListenArgs({ port: 70000 }), /0 to 65535/);
    assert.equal(parseSecretArg({ secret: 's3' }), 's3');
    assert.equal(parseSecretArg(''), '');
    assert.throws(() => parseSecretArg({}), InvalidInputError);
  });
});
