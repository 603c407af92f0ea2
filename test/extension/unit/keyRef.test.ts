import assert from 'node:assert/strict';
import { formatKeyRef, keyRefProblem, matchesWatchPattern, parseKeyRef } from '../../../src/extension/keyRef';
import { InvalidInputError } from '../../../src/core/errors';

describe('extension/keyRef', () => {
  it('parses bucket/key, splitting at the first slash and trimming', () => {
    assert.deepEqual(parseKeyRef(' ops/deploy-freeze '), { bucket: 'ops', key: 'deploy-freeze' });
    assert.deepEqual(parseKeyRef('docs/guides/intro'), { bucket: 'docs', key: 'guides/intro' });
    assert.equal(formatKeyRef({ bucket: 'docs', key: 'guides/intro' }), 'docs/guides/intro');
  });

  it('explains what is missing, for inline validation', () => {
    assert.match(keyRefProblem('') ?? '', /bucket\/key/);
    assert.equal(keyRefProblem('deploy'), 'Add a bucket: bucket/deploy');
    assert.match(keyRefProblem('/x') ?? '', /bucket .* is empty/);
    assert.match(keyRefProblem('ops/') ?? '', /key .* is empty/);
    assert.equal(keyRefProblem('ops/x'), undefined);
  });

  it('rejects malformed text with an InvalidInputError naming it', () => {
    assert.throws(
      () => parseKeyRef('nokey'),
      (e: unknown) => e instanceof InvalidInputError && /"nokey"/.test(e.message),
    );
  });

  it('matches watch patterns by key in any bucket, or by bucket/key', () => {
    const flag = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };
    assert.equal(matchesWatchPattern('deploy-freeze', flag), true);
    assert.equal(matchesWatchPattern('ops/deploy-freeze', flag), true);
    assert.equal(matchesWatchPattern('dev/deploy-freeze', flag), false);
    assert.equal(matchesWatchPattern('freeze', flag), false);
  });
});
