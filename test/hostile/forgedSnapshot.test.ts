import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { Json } from '../../src/core/json';
import { VectorClock } from '../../src/core/vectorClock';
import { Fleet, ServeNode, key, noDamageFor, words } from './harness';
import { EvilPeer } from './wire';

const flag = key('flag_ew', 'ops', 'freeze');
const oncall = key('set_aw', 'team', 'oncall');
const deploys = key('counter_pn', 'stats', 'deploys');
const builds = key('counter_pn_sb', 'stats', 'builds');
const reviewers = key('set_aw', 'team', 'reviewers');

describe('hostile 1: a forged snapshot from an authenticated peer', function () {
  this.timeout(90_000);
  let fleet: Fleet;
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => fleet.cleanup());

  async function valuesAt(node: ServeNode, keys = [flag, oncall, deploys]): Promise<Json[]> {
    return (await fleet.timedRead(node, keys)).values;
  }

  it('with a clock entry of 2^53-1 wipes nothing at the receiver, at its peers, or after a restart', async () => {
    let b = await fleet.serve({ id: 'recvB' });
    const c = await fleet.serve({ id: 'thirdC', peers: [b.url] });
    await fleet.mustUpdate(b, words(flag, 'enable'));
    const fromB = await fleet.mustUpdate(b, words(oncall, 'add', 'alice'));
    const fromC = await fleet.mustUpdate(c, words(deploys, 'increment', '5'));
    const everything = { ...fromB, ...fromC };
    await fleet.read(b, deploys, everything);
    await fleet.read(c, flag, everything);
    const expected: Json[] = [true, ['alice'], 5];
    assert.deepEqual(await valuesAt(b), expected);

    const evil = await EvilPeer.connect(b.url, { id: 'evil', secret: fleet.secret });
    const bClock = (await fleet.status(b)).clock;
    evil.sendSnapshot({ clock: { ...bClock, evil: 2 ** 53 - 1 }, objects: [] });

    await noDamageFor(3000, async () => {
      const atB = await fleet.timedRead(b, [flag, oncall, deploys]);
      if (!isDeepStrictEqual(atB.values, expected)) return `the receiver's values became ${JSON.stringify(atB.values)}`;
      if ('evil' in atB.clock) return `the receiver's clock took the forged entry: ${JSON.stringify(atB.clock)}`;
      const atC = await valuesAt(c);
      if (!isDeepStrictEqual(atC, expected)) return `the receiver's peer now has ${JSON.stringify(atC)}`;
      return undefined;
    });

    b = await fleet.restart(b);
    assert.deepEqual(await valuesAt(b), expected, 'after a restart of the receiver');
    assert.ok(!('evil' in (await fleet.status(b)).clock), 'the forged clock entry was persisted');
  });

  it('with a plausible clock loses nothing that clock does not cover, nor state-based counts it claims', async () => {
    let b = await fleet.serve({ id: 'recvB' });
    const c = await fleet.serve({ id: 'thirdC', peers: [b.url] });
    await fleet.mustUpdate(b, words(builds, 'increment', '3'));
    const fromC = await fleet.mustUpdate(c, words(reviewers, 'add', 'carol'));
    await fleet.read(b, reviewers, fromC);

    const evil = await EvilPeer.connect(b.url, { id: 'evil', secret: fleet.secret });
    const forged: Record<string, number> = { ...(await fleet.status(b)).clock, evil: 3 };
    delete forged.thirdC;
    evil.sendSnapshot({ clock: forged as VectorClock, objects: [] });

    // C's write is not covered by the forged clock; B's state-based counter joins by maximum.
    const expected: Json[] = [['carol'], 3];
    await noDamageFor(3000, async () => {
      const atB = await valuesAt(b, [reviewers, builds]);
      return isDeepStrictEqual(atB, expected) ? undefined : `the receiver's values became ${JSON.stringify(atB)}`;
    });
    b = await fleet.restart(b);
    assert.deepEqual(await valuesAt(b, [reviewers, builds]), expected, 'after a restart of the receiver');
  });
});
