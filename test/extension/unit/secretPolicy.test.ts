import assert from 'node:assert/strict';
import { generateSecret } from '../../../src/net/auth';
import { removalProblem, secretProblem } from '../../../src/extension/secretPolicy';

describe('extension/secretPolicy', () => {
  it('refuses a short or repetitive team secret and says how to do better', () => {
    assert.match(secretProblem('hunter2') ?? '', /too weak: .*7 characters.*generate one/);
    assert.match(secretProblem('abababababababababab') ?? '', /too weak: .*repeats/);
  });

  it('accepts a generated secret, a long typed one, and an empty one (which removes it)', () => {
    assert.equal(secretProblem(generateSecret()), undefined);
    assert.equal(secretProblem('correct horse battery staple'), undefined);
    assert.equal(secretProblem('   '), undefined);
  });

  it('refuses to remove the secret while listening beyond loopback, and allows it otherwise', () => {
    assert.match(removalProblem('ws://0.0.0.0:7878') ?? '', /listens on 0\.0\.0\.0.*Stop Listening/);
    assert.match(removalProblem('ws://[::]:7878') ?? '', /listens on \[::\]/);
    assert.equal(removalProblem('ws://127.0.0.1:7878'), undefined);
    assert.equal(removalProblem('ws://[::1]:7878'), undefined);
    assert.equal(removalProblem(undefined), undefined);
  });
});
