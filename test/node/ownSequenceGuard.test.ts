import assert from 'node:assert/strict';
import { CLAIM_HEARTBEATS, OwnSequenceGuard } from '../../src/node/ownSequenceGuard';

describe('OwnSequenceGuard', () => {
  it('a claim stands until the claimed transactions are ours', () => {
    const guard = new OwnSequenceGuard();
    const link = {};
    guard.claim(link, 5);
    assert.equal(guard.highest(), 5);
    assert.equal(guard.heartbeat(link, 3), undefined);
    assert.equal(guard.highest(), 5);
    assert.equal(guard.heartbeat(link, 5), undefined);
    assert.equal(guard.highest(), 0);
  });

  it('a link that only claims loses its claim after a few heartbeats, and says which', () => {
    const guard = new OwnSequenceGuard();
    const link = {};
    guard.claim(link, 1000);
    for (let i = 1; i < CLAIM_HEARTBEATS; i++) assert.equal(guard.heartbeat(link, 0), undefined);
    assert.equal(guard.heartbeat(link, 0), 1000);
    assert.equal(guard.highest(), 0);
  });

  it('progress on our history renews the claim', () => {
    const guard = new OwnSequenceGuard();
    const link = {};
    guard.claim(link, 10);
    for (let i = 1; i < CLAIM_HEARTBEATS; i++) guard.heartbeat(link, 2);
    guard.progressed(link);
    assert.equal(guard.heartbeat(link, 4), undefined);
    assert.equal(guard.highest(), 10);
  });

  it('a closed link withdraws its claim and wakes whoever waits', async () => {
    const guard = new OwnSequenceGuard();
    const link = {};
    guard.claim(link, 3);
    const stop = new AbortController();
    const woke = guard.nextChange(stop.signal);
    guard.withdraw(link);
    await woke;
    assert.equal(guard.highest(), 0);
  });
});
