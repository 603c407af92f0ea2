import assert from 'node:assert/strict';
import { OwnSequenceGuard } from '../../src/node/ownSequenceGuard';

/** A guard on a clock the test moves by hand. */
function guardAt(patienceMs: number) {
  let now = 1_000;
  const expired: number[] = [];
  const guard = new OwnSequenceGuard(
    patienceMs,
    (seq) => expired.push(seq),
    () => now,
  );
  return { guard, expired, advance: (ms: number) => (now += ms) };
}

describe('OwnSequenceGuard', () => {
  it('a claim stands until the claimed transactions are ours', () => {
    const { guard } = guardAt(5000);
    const link = {};
    guard.claim(link, 5);
    assert.equal(guard.standing(3)?.seq, 5);
    assert.equal(guard.standing(5), undefined);
    assert.equal(guard.standing(0), undefined, 'a met claim is gone for good');
  });

  it('a claim nobody backs with transactions expires on our own clock, and says so once', () => {
    const { guard, expired, advance } = guardAt(5000);
    guard.claim({}, 1000);
    advance(4999);
    assert.equal(guard.standing(0)?.seq, 1000);
    advance(1);
    assert.equal(guard.standing(0), undefined);
    assert.equal(guard.standing(0), undefined);
    assert.deepEqual(expired, [1000]);
  });

  it('transactions arriving on the claiming link renew its claim', () => {
    const { guard, advance } = guardAt(5000);
    const link = {};
    guard.claim(link, 10);
    advance(4000);
    guard.progressed(link);
    advance(4000);
    assert.deepEqual(guard.standing(2), { seq: 10, until: 1_000 + 4000 + 5000 });
  });

  it('the highest of several standing claims counts', () => {
    const { guard } = guardAt(5000);
    guard.claim({}, 4);
    guard.claim({}, 9);
    assert.equal(guard.standing(1)?.seq, 9);
  });

  it('a closed link withdraws its claim and wakes whoever waits', async () => {
    const { guard } = guardAt(5000);
    const link = {};
    guard.claim(link, 3);
    const woke = guard.nextChange(new AbortController().signal);
    guard.withdraw(link);
    await woke;
    assert.equal(guard.standing(0), undefined);
  });
});
