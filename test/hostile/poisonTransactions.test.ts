import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ObjectKey } from '../../src/core/transaction';
import { Fleet, ServeNode, key, sleep, words } from './harness';
import { EvilPeer, effect, handshakeThenHangUp, nested, nestedArrayText, tagOf, transaction } from './wire';

const MAX = String(Number.MAX_SAFE_INTEGER);

describe('hostile 2: poison transactions', function () {
  this.timeout(90_000);
  let fleet: Fleet;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => fleet.cleanup());

  /** Two increments of MAX_SAFE_INTEGER: the second is refused, and the node and its link carry on. */
  async function overflowIsRefused(counter: ObjectKey): Promise<void> {
    let a = await fleet.serve({ id: 'poisonA' });
    const b = await fleet.serve({ id: 'poisonB', peers: [a.url] });
    await fleet.mustUpdate(a, words(counter, 'increment', MAX));
    const second = await fleet.update(a, words(counter, 'increment', MAX));
    assert.equal(second.code, 1, `the overflowing increment exited ${second.code}: ${second.stdout}${second.stderr}`);
    assert.match(second.stderr, /^minidote update: \S.*/);
    assert.equal(await fleet.value(a, counter), Number.MAX_SAFE_INTEGER);

    const later = key('flag_ew', 'poison', 'later');
    const laterClock = await fleet.mustUpdate(a, words(later, 'enable'));
    assert.equal(await fleet.value(b, later, laterClock), true, 'a later write reaches the connected peer');
    assert.equal(await fleet.value(b, counter), Number.MAX_SAFE_INTEGER);

    a = await fleet.restart(a);
    assert.equal(await fleet.value(a, counter), Number.MAX_SAFE_INTEGER, 'after a restart');
    assert.equal(await fleet.value(a, later), true, 'after a restart');
  }

  describe('(a) counter overflow', () => {
    it('a counter_pn_sb increment past MAX_SAFE_INTEGER exits 1, and replication and restarts go on', async () => {
      await overflowIsRefused(key('counter_pn_sb', 'c', 'big'));
    });

    it('a counter_pn increment past MAX_SAFE_INTEGER exits 1, and replication and restarts go on', async () => {
      await overflowIsRefused(key('counter_pn', 'c', 'big'));
    });
  });

  /** Five acknowledged increments, a restart, and all five must be there. */
  async function laterWritesSurviveRestart(node: ServeNode): Promise<ServeNode> {
    const acked = key('counter_pn', 'poison', 'acked');
    for (let i = 0; i < 5; i++) await fleet.mustUpdate(node, words(acked, 'increment'));
    const restarted = await fleet.restart(node);
    assert.equal(await fleet.value(restarted, acked), 5, 'acknowledged writes after the poison were lost in the restart');
    return restarted;
  }

  it('(b) a transaction whose time is 1e999 is refused, and later writes survive a restart', async () => {
    const a = await fleet.serve({ id: 'poisonA' });
    const evil = await EvilPeer.connect(a.url, { id: 'evil', secret: fleet.secret });
    evil.sendTxns([{ ...transaction('evil', 1, [effect.counterPn({ bucket: 'poison', key: 'inf' }, 1)]), at: Infinity }]);
    const refused = evil.closedWithin(5000);
    await laterWritesSurviveRestart(a);
    assert.ok(await refused, 'the node kept the link of a peer that sent "at": 1e999');
  });

  it('(c) a set element nested 3,300 levels deep is refused from a peer and from the CLI, and serve still restarts', async () => {
    const a = await fleet.serve({ id: 'poisonA' });
    const evil = await EvilPeer.connect(a.url, { id: 'evil', secret: fleet.secret });
    evil.sendTxns([transaction('evil', 1, [effect.setAwAdd({ bucket: 'poison', key: 'deep' }, tagOf('evil', 1), [nested(3300)])])]);
    const refused = evil.closedWithin(5000);
    const restarted = await laterWritesSurviveRestart(a);

    const cli = await fleet.update(restarted, ['set_aw', 'poison', 'deep-cli', 'add', nestedArrayText(3300)], ['--json']);
    assert.equal(cli.code, 2, `update --json of a 3,300-deep element exited ${cli.code}: ${cli.stderr}`);
    await fleet.restart(restarted);
    assert.ok(await refused, 'the node kept the link of a peer that sent a 3,300-deep element');
  });

  it('(d) a 200,000-element set, larger than one message, reaches a replica started later', async function () {
    this.timeout(200_000);
    const a = await fleet.serve({ id: 'bigA', extra: ['--fsync', 'never'] });
    const members = key('set_aw', 'big', 'members');
    const elements = Array.from({ length: 200_000 }, (_, i) => `e${String(i).padStart(7, '0')}`);
    // Added twice (the second round also retires the first round's tags): the history then weighs
    // more than the state, so a new peer is sent the state, and that one object exceeds 4 MiB.
    const batchDir = fleet.dir('batches');
    for (let round = 0; round < 2; round++) {
      for (let start = 0; start < elements.length; start += 25_000) {
        const file = path.join(batchDir, `r${round}-${start}.json`);
        const args = elements.slice(start, start + 25_000);
        writeFileSync(file, JSON.stringify([{ type: 'set_aw', bucket: members.bucket, key: members.key, op: 'add_all', args }]));
        await fleet.mustUpdate(a, [], ['--batch', file]);
      }
    }
    // Over a thousand transactions in the log: a new peer is considered for a snapshot.
    const feeder = await EvilPeer.connect(a.url, { id: 'feeder', secret: fleet.secret });
    const tally = { bucket: 'big', key: 'tally' };
    feeder.sendTxns(Array.from({ length: 1001 }, (_, i) => transaction('feeder', i + 1, [effect.counterPn(tally, 1)])));
    await fleet.read(a, key('counter_pn', 'big', 'tally'), { feeder: 1001 });
    feeder.close();

    const target = (await fleet.status(a)).clock;
    const late = await fleet.serve({ id: 'lateB', peers: [a.url] });
    // Through a client rather than the CLI: the value is 2 MB of JSON.
    const read = await fleet.timedRead(late, [members], { clock: target, timeoutMs: 120_000 }).catch(async (error: Error) => {
      const link = (await fleet.status(late)).peers[0];
      throw new Error(`${error.message}\nthe new replica's link: ${JSON.stringify(link)}`);
    });
    assert.equal((read.values[0] as string[]).length, elements.length);
  });

  it('(e) a peer that completes the handshake and hangs up is retried with growing backoff', async () => {
    const listener = await handshakeThenHangUp({ id: 'hangup', secret: fleet.secret });
    try {
      await fleet.serve({ id: 'backoffA', peers: [listener.url] });
      await sleep(5000);
      const attempts = listener.connections();
      assert.ok(attempts >= 1, 'the node never connected to its peer');
      assert.ok(attempts <= 6, `the node reconnected ${attempts} times in 5 s to a peer that hangs up after the handshake`);
    } finally {
      await listener.close();
    }
  });
});
