import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { checkListenPolicy } from '../../src/node/listenPolicy';

describe('checkListenPolicy', () => {
  it('refuses to listen beyond loopback without a team secret', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      assert.throws(
        () => checkListenPolicy(host, undefined),
        (e: unknown) => e instanceof InvalidInputError && /without a team secret/.test(e.message),
      );
    }
  });

  it('allows loopback without a secret and any address with one', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) checkListenPolicy(host, undefined);
    checkListenPolicy('0.0.0.0', 'a team secret of some length');
  });
});
