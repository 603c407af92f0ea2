import assert from 'node:assert/strict';
import { LastChangeView, authorIds, lastChangeText } from '../../src/webview/model/lastChange';

const at = (author: string, op: string, clock: Record<string, number>) => ({ origin: author.toLowerCase(), author, at: 0, clock, op });
const time = () => '10:42';

describe('webview/lastChange text', () => {
  it('says what the last change did, who did it and when', () => {
    const change: LastChangeView = { ...at('Alice', 'enabled', { alice: 1 }), concurrent: [] };
    assert.equal(lastChangeText(change, 'flag', true, time), 'enabled by Alice, 10:42');
  });

  it('names the loser of concurrent flag changes: a disable loses to an enable', () => {
    const aliceWins: LastChangeView = { ...at('Alice', 'enabled', { alice: 1 }), concurrent: [at('Bob', 'disabled', { bob: 1 })] };
    assert.equal(lastChangeText(aliceWins, 'flag', true, time), "enabled by Alice, 10:42. Bob's concurrent disable lost: enable wins");
    const bobLast: LastChangeView = { ...at('Bob', 'disabled', { bob: 1 }), concurrent: [at('Alice', 'enabled', { alice: 1 })] };
    assert.equal(lastChangeText(bobLast, 'flag', true, time), "disabled by Bob, 10:42. Bob's concurrent disable lost: enable wins");
    const bothOff: LastChangeView = { ...at('Bob', 'disabled', { bob: 1 }), concurrent: [at('Alice', 'disabled', { alice: 1 })] };
    assert.equal(lastChangeText(bothOff, 'flag', false, time), 'disabled by Bob, 10:42 (concurrently with Alice)');
  });

  it('says that concurrent assigns to a register are all kept, and names other concurrent writers', () => {
    const theme: LastChangeView = {
      ...at('Bob', 'assigned "light"', { bob: 1 }),
      concurrent: [at('Alice', 'assigned "dark"', { alice: 1 })],
    };
    assert.equal(
      lastChangeText(theme, 'register', ['dark', 'light'], time),
      'assigned "light" by Bob, 10:42. Concurrent with Alice (assigned "dark"): all values kept',
    );
    const cart: LastChangeView = { ...at('Bob', 'added "x"', { bob: 1 }), concurrent: [at('Alice', 'removed "x"', { alice: 1 })] };
    assert.equal(lastChangeText(cart, 'set', ['x'], time), 'added "x" by Bob, 10:42. Concurrent with Alice (removed "x")');
  });

  it('tells which replica each named author is, once each, for the tooltip', () => {
    const change: LastChangeView = {
      ...at('Alice', 'enabled', { alice: 2 }),
      concurrent: [at('Bob', 'disabled', { bob: 1 }), at('Bob', 'disabled', { bob: 2 }), at('x', 'enabled', { x: 1 })],
    };
    assert.equal(authorIds(change), 'Alice: alice\nBob: bob');
    assert.equal(authorIds({ ...at('z', 'enabled', { z: 1 }), concurrent: [] }), '');
  });
});
