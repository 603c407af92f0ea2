import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { DEFAULT_FSYNC, parseFsyncPolicy } from '../../src/storage';

describe('storage: fsync policy', () => {
  it('parses always, never, interval and interval:MS', () => {
    assert.equal(parseFsyncPolicy('always'), 'always');
    assert.equal(parseFsyncPolicy(' never '), 'never');
    assert.deepEqual(parseFsyncPolicy('interval'), { intervalMs: 1000 });
    assert.deepEqual(parseFsyncPolicy('interval:250'), { intervalMs: 250 });
  });

  it('rejects anything else with the accepted forms in the message', () => {
    const bad = ['', 'sometimes', 'ALWAYS', 'interval:', 'interval:0', 'interval:-5', 'interval:2.5', 'interval:99999999'];
    for (const text of bad) {
      assert.throws(
        () => parseFsyncPolicy(text),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, text);
          assert.match(error.message, /use always, never, interval/);
          return true;
        },
      );
    }
  });

  it('defaults to always', () => {
    assert.equal(DEFAULT_FSYNC, 'always');
  });
});
