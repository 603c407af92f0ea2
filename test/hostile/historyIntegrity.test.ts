import assert from 'node:assert/strict';
import { Fleet, NodeStatusJson, key, sleep, words } from './harness';
import { EvilPeer, effect, tagOf, transaction } from './wire';

describe('hostile 10: history integrity', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  const peers: EvilPeer[] = [];
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.close();
    fleet.cleanup();
  });

  async function evil(url: string, id: string, clock: Record<string, number> = {}): Promise<EvilPeer> {
    const peer = await EvilPeer.connect(url, { id, clock, secret: fleet.secret });
    peers.push(peer);
    return peer;
  }

  it('(a) a second, different version of a delivered transaction is refused and reported', async () => {
    const a = await fleet.serve({ id: 'historyA' });
    const register = key('register_mv', 'history', 'r');
    const version = (value: string) => transaction('X', 1, [effect.registerAssign(register, tagOf('X', 1), value)]);
    (await evil(a.url, 'X')).sendTxns([version('first')]);
    assert.deepEqual(await fleet.value(a, register, { X: 1 }), ['first']);

    (await evil(a.url, 'relay')).sendTxns([version('second')]);
    const reported = (status: NodeStatusJson) => status.conflicts?.some((c) => c.origin === 'X' && c.seq === 1) === true;
    let status = await fleet.status(a);
    for (let polls = 0; polls < 20 && !reported(status); polls++) {
      await sleep(500);
      status = await fleet.status(a);
    }
    assert.ok(reported(status), `status reports no conflict for X:1: ${JSON.stringify(status.conflicts)}`);
    assert.deepEqual(await fleet.value(a, register), ['first']);
  });

  it('(b) a hello claiming 1e15 of our own transactions is refused, and updates go on at once', async () => {
    const a = await fleet.serve({ id: 'historyA' });
    await assert.rejects(evil(a.url, 'claimer', { [a.id]: 1e15 }), 'a hello claiming sequence 1e15 was accepted');
    const started = Date.now();
    await fleet.mustUpdate(a, words(key('flag_ew', 'history', 'f'), 'enable'), ['--timeout', '3000']);
    assert.ok(Date.now() - started < 5000);
  });

  it('(b) a peer that claims 1000 of our transactions it never sends does not block updates', async () => {
    const a = await fleet.serve({ id: 'historyA' });
    const claimer = await evil(a.url, 'claimer', { [a.id]: 1000 });
    // It stays connected, but never sends our transactions (nor a heartbeat).
    const stop = claimer.keepAlive(1000);
    try {
      const started = Date.now();
      const result = await fleet.update(a, words(key('flag_ew', 'history', 'f'), 'enable'), ['--timeout', '20000']);
      const elapsed = Date.now() - started;
      assert.equal(result.code, 0, `the update failed after ${elapsed} ms: ${result.stderr}`);
      assert.ok(elapsed < 10_000, `the update waited ${elapsed} ms for transactions a peer only claimed`);
      assert.ok(!claimer.isClosed, 'the claiming peer was disconnected, so this did not test the claim');
    } finally {
      stop();
    }
  });
});
