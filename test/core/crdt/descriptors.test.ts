import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FAMILIES } from '../../../src/core/crdt/crdtType';
import { crdtType, describeState, familyOf, TYPE_NAMES, typesOfFamily } from '../../../src/core/crdt/registry';
import { canonicalJson } from '../../../src/core/json';
import { keyOf, replicas, run, sync } from '../helpers';

describe('type descriptors', () => {
  it('put every type in one family, and every family has a type, its default first', () => {
    for (const family of FAMILIES) assert.ok(typesOfFamily(family).length > 0, family);
    assert.deepEqual(FAMILIES.flatMap((family) => typesOfFamily(family)).sort(), [...TYPE_NAMES].sort());
    assert.deepEqual(typesOfFamily('set'), ['set_aw', 'set_2p']);
    assert.deepEqual(typesOfFamily('counter'), ['counter_pn', 'counter_pn_sb']);
    assert.equal(familyOf('register_mv'), 'register');
    assert.equal(familyOf('flag_ew'), 'flag');
  });

  it('name icons that the shipped codicons have, and give each type its own label', () => {
    const css = readFileSync(require.resolve('@vscode/codicons/dist/codicon.css'), 'utf8');
    for (const name of TYPE_NAMES) {
      const { icon } = crdtType(name).descriptor;
      assert.ok(css.includes(`.codicon-${icon}:before`), `${name}: no codicon "${icon}"`);
    }
    const labels = TYPE_NAMES.map((name) => crdtType(name).descriptor.label);
    assert.equal(new Set(labels).size, labels.length);
  });

  it('describe what Replica.inspect gives for each type', async () => {
    const [alice, bob] = replicas('alice', 'bob');
    await run(alice, keyOf('flag_ew'), 'enable');
    await run(alice, keyOf('set_aw'), 'add_all', 'x', { n: 1 });
    await run(alice, keyOf('set_2p'), 'add_all', 'keep', 'gone');
    await run(alice, keyOf('set_2p'), 'remove', 'gone');
    await run(alice, keyOf('counter_pn_sb'), 'increment', 5);
    await run(bob, keyOf('counter_pn_sb'), 'decrement', 2);
    await run(alice, keyOf('register_mv'), 'assign', 'dark');
    await run(bob, keyOf('register_mv'), 'assign', 'light');
    sync(alice, bob);
    const seen = (name: (typeof TYPE_NAMES)[number]) => describeState(name, bob.replica.inspect(keyOf(name)));

    assert.deepEqual(seen('flag_ew'), { kind: 'tokens', tokens: [{ tag: 'alice:1:0', replica: 'alice', seq: 1 }] });
    const tags = seen('set_aw');
    assert.equal(tags.kind, 'tags');
    assert.deepEqual(tags.kind === 'tags' && [...tags.tagsByElement.keys()].sort(), [canonicalJson({ n: 1 }), canonicalJson('x')].sort());
    assert.deepEqual(tags.kind === 'tags' && tags.tagsByElement.get(canonicalJson('x')), [{ tag: 'alice:2:0', replica: 'alice', seq: 2 }]);
    assert.deepEqual(seen('set_2p'), { kind: 'tombstones', removed: ['gone'] });
    assert.deepEqual(seen('counter_pn_sb'), {
      kind: 'counts',
      rows: [
        { replica: 'alice', p: 5, n: 0 },
        { replica: 'bob', p: 0, n: 2 },
      ],
    });
    const versions = seen('register_mv');
    assert.deepEqual(versions.kind === 'versions' && versions.versions.map((v) => [v.value, v.tag.tag]), [
      ['dark', 'alice:6:0'],
      ['light', 'bob:2:0'],
    ]);
  });

  describe('counter_pn', () => {
    it('shows each origin’s contribution, zero ones left out', async () => {
      const [alice, bob] = replicas('alice', 'bob');
      const counter = keyOf('counter_pn');
      await run(alice, counter, 'increment', 7);
      await run(bob, counter, 'decrement', 3);
      await run(bob, counter, 'increment', 3);
      await run(bob, counter, 'decrement', 2);
      sync(bob, alice);
      assert.deepEqual(describeState('counter_pn', alice.replica.inspect(counter)), {
        kind: 'contributions',
        rows: [
          { replica: 'alice', amount: 7 },
          { replica: 'bob', amount: -2 },
        ],
      });
    });

    it('shows a total written before contributions were kept apart as a row of no replica, first', () => {
      assert.deepEqual(describeState('counter_pn', 42), { kind: 'contributions', rows: [{ replica: null, amount: 42 }] });
      assert.deepEqual(describeState('counter_pn', { zed: 1, '': 40, amy: -2 }), {
        kind: 'contributions',
        rows: [
          { replica: null, amount: 40 },
          { replica: 'amy', amount: -2 },
          { replica: 'zed', amount: 1 },
        ],
      });
    });
  });

  it('call a state its type would refuse unreadable instead of guessing', () => {
    const refused: [(typeof TYPE_NAMES)[number], Parameters<typeof describeState>[1]][] = [
      ['flag_ew', { not: 'tags' }],
      ['flag_ew', ['no-tag']],
      ['counter_pn', '7'],
      ['counter_pn', { alice: 1.5 }],
      ['counter_pn_sb', { p: [] }],
      ['register_mv', null],
      ['set_aw', {}],
      ['set_2p', []],
    ];
    for (const [name, encoded] of refused) {
      assert.deepEqual(describeState(name, encoded), { kind: 'unreadable' }, `${name} ${JSON.stringify(encoded)}`);
    }
  });
});
