import assert from 'node:assert/strict';
import { Fleet, key, words } from './harness';
import { UpgradeOutcome, upgradeWith } from './wire';

/** Refused before the protocol starts: an HTTP 403, or the socket closed, never a challenge. */
function assertRefusedBeforeChallenge(outcome: UpgradeOutcome, what: string): void {
  assert.notEqual(outcome.kind, 'message', `${what} was answered with ${outcome.kind === 'message' ? outcome.text : ''}`);
  if (outcome.kind === 'refused') assert.equal(outcome.status, 403, `${what} was refused with HTTP ${outcome.status}`);
}

describe('hostile 3: a web page cannot talk to a node on loopback', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => fleet.cleanup());

  it('refuses an upgrade with an Origin header and one with a foreign Host, and still serves the CLI', async () => {
    // No secret: the default of `npm start`, where the upgrade policy is the only barrier.
    const a = await fleet.serve({ id: 'loopA', secret: false });
    assertRefusedBeforeChallenge(await upgradeWith(a.url, { Origin: 'http://evil.example' }), 'an upgrade from a web page');
    assertRefusedBeforeChallenge(
      await upgradeWith(a.url, { Host: `attacker.example:${a.port}` }),
      'an upgrade for attacker.example (DNS rebinding)',
    );
    const flag = key('flag_ew', 'web', 'ok');
    await fleet.mustUpdate(a, words(flag, 'enable'));
    assert.equal(await fleet.value(a, flag), true);
  });
});
