import assert from 'node:assert/strict';
import { Effect, objectId } from '../../../src/core/transaction';
import { toggledWatchList, watchedChangeMessages } from '../../../src/extension/watchModel';

const roster = { bucket: 'team', key: 'on-call', type: 'set_aw' as const };
const freeze = { bucket: 'ops', key: 'freeze', type: 'flag_ew' as const };

describe('extension/watchModel', () => {
  it('watching twice unwatches, and other pins stay', () => {
    const once = toggledWatchList([objectId(freeze)], roster);
    assert.deepEqual(once, [objectId(freeze), objectId(roster)]);
    assert.deepEqual(toggledWatchList(once, roster), [objectId(freeze)]);
  });

  it('names the person and what they did, only for pinned objects', () => {
    const effects: Effect[] = [
      { ...roster, effect: { tag: 'bob:3:0', add: ['carol'], rm: [] } },
      { ...freeze, effect: { rm: [], enable: 'bob:3:1' } },
    ];
    const messages = watchedChangeMessages(new Set([objectId(roster)]), effects, 'Bob');
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0].key, roster);
    assert.match(messages[0].message, /^Bob added "carol".*\(team\/on-call\)$/);
  });
});
