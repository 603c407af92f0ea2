import assert from 'node:assert/strict';
import { TypeName } from '../../../src/core/crdt/crdtType';
import { crdtType } from '../../../src/core/crdt/registry';
import { Json } from '../../../src/core/json';

/** The effect an operation makes on a fresh object of `type` at replica "alice", described. */
function described(type: TypeName, op: string, args: Json[] = [], before: (state: unknown) => unknown = (s) => s): string {
  const crdt = crdtType(type);
  let state = crdt.initial();
  state = before(state);
  const effect = crdt.prepare(state, op, args, { replica: 'alice', tag: 'alice:2:0' });
  return crdt.descriptor.describeEffect(effect);
}

describe('effect descriptions', () => {
  it('say whether a flag effect enabled or disabled it', () => {
    assert.equal(described('flag_ew', 'enable'), 'enabled');
    assert.equal(described('flag_ew', 'disable'), 'disabled');
    assert.equal(described('flag_ew', 'reset'), 'disabled');
  });

  it('name the elements a set effect added or removed, a long batch cut short', () => {
    assert.equal(described('set_aw', 'add', ['apples']), 'added "apples"');
    assert.equal(described('set_aw', 'add_all', ['a', 'b', 'c', 'd', 'e']), 'added "a", "b", "c" and 2 more');
    assert.equal(described('set_aw', 'add_all', ['a', { n: 1 }]), 'added "a" and {"n":1}');
    const holdingMilk = (state: unknown) => {
      const setAw = crdtType('set_aw');
      return setAw.apply(state, setAw.prepare(state, 'add', ['milk'], { replica: 'alice', tag: 'alice:1:0' }), 'alice');
    };
    assert.equal(described('set_aw', 'remove', ['milk'], holdingMilk), 'removed "milk"');
    assert.equal(described('set_aw', 'remove', ['milk']), 'changed nothing', 'nothing observed, nothing removed');
    assert.equal(described('set_2p', 'add', ['x']), 'added "x"');
    assert.equal(crdtType('set_2p').descriptor.describeEffect({ add: ['z'], remove: ['y'] }), 'added "z", removed "y"');
  });

  it('give a counter step its sign, and a state-based counter its new total', () => {
    assert.equal(described('counter_pn', 'increment', [5]), '+5');
    assert.equal(described('counter_pn', 'decrement', [2]), '−2');
    assert.equal(described('counter_pn_sb', 'increment', [3]), 'incremented (its increments total 3)');
    assert.equal(described('counter_pn_sb', 'decrement', [4]), 'decremented (its decrements total 4)');
  });

  it('quote the value a register was assigned, and cut a long one', () => {
    assert.equal(described('register_mv', 'assign', ['dark']), 'assigned "dark"');
    assert.equal(described('register_mv', 'assign', [42]), 'assigned 42');
    assert.match(described('register_mv', 'assign', ['x'.repeat(100)]), /^assigned "x+…$/);
    assert.equal(described('register_mv', 'reset'), 'reset');
  });
});
