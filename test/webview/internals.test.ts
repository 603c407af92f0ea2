import assert from 'node:assert/strict';
import { Replica } from '../../src/core/replica';
import { canonicalJson } from '../../src/core/json';
import { ObjectKey } from '../../src/core/transaction';
import { parseTag, readInternal } from '../../src/webview/model/internals';

const key = (type: ObjectKey['type']): ObjectKey => ({ bucket: 'b', key: 'k', type });

describe('webview/internals', () => {
  it('reads what Replica.inspect gives for each type', async () => {
    const alice = new Replica('alice');
    const bob = new Replica('bob');
    alice.onChange((c) => c.kind === 'transaction' && c.local && bob.receive(c.transaction));
    await alice.update([{ ...key('flag_ew'), op: 'enable' }]);
    await alice.update([{ ...key('set_aw'), op: 'add_all', args: ['x', { n: 1 }] }]);
    await alice.update([{ ...key('set_2p'), op: 'add_all', args: ['keep', 'gone'] }]);
    await alice.update([{ ...key('set_2p'), op: 'remove', args: ['gone'] }]);
    await alice.update([{ ...key('counter_pn_sb'), op: 'increment', args: [5] }]);
    await bob.update([{ ...key('counter_pn_sb'), op: 'decrement', args: [2] }]);
    await alice.update([{ ...key('register_mv'), op: 'assign', args: ['dark'] }]);
    await alice.update([{ ...key('counter_pn'), op: 'increment', args: [7] }]);

    assert.deepEqual(readInternal('flag_ew', alice.inspect(key('flag_ew'))), {
      kind: 'tokens',
      tokens: [{ tag: 'alice:1:0', replica: 'alice', seq: 1 }],
    });
    const tags = readInternal('set_aw', alice.inspect(key('set_aw')));
    assert.equal(tags.kind, 'tags');
    assert.deepEqual(tags.kind === 'tags' && tags.tagsByElement.get(canonicalJson({ n: 1 }))?.map((t) => t.tag), ['alice:2:0']);
    assert.deepEqual(readInternal('set_2p', alice.inspect(key('set_2p'))), { kind: 'tombstones', removed: ['gone'] });
    assert.deepEqual(readInternal('counter_pn_sb', bob.inspect(key('counter_pn_sb'))), {
      kind: 'counts',
      rows: [
        { replica: 'alice', p: 5, n: 0 },
        { replica: 'bob', p: 0, n: 2 },
      ],
    });
    const versions = readInternal('register_mv', alice.inspect(key('register_mv')));
    assert.deepEqual(versions.kind === 'versions' && versions.versions.map((v) => [v.value, v.tag.replica]), [['dark', 'alice']]);
    assert.deepEqual(readInternal('counter_pn', alice.inspect(key('counter_pn'))), {
      kind: 'contributions',
      rows: [{ replica: 'alice', amount: 7 }],
    });
    assert.deepEqual(readInternal('counter_pn', 7), { kind: 'contributions', rows: [{ replica: null, amount: 7 }] });
  });

  it('calls a shape it does not know unreadable instead of guessing', () => {
    assert.deepEqual(readInternal('flag_ew', { not: 'tags' }), { kind: 'unreadable' });
    assert.deepEqual(readInternal('counter_pn', '7'), { kind: 'unreadable' });
    assert.deepEqual(readInternal('counter_pn_sb', { p: [] }), { kind: 'unreadable' });
    assert.deepEqual(readInternal('register_mv', null), { kind: 'unreadable' });
    assert.deepEqual(readInternal('set_aw', {}), { kind: 'unreadable' });
    assert.deepEqual(readInternal('set_2p', []), { kind: 'unreadable' });
  });

  it('splits a tag into replica and sequence number', () => {
    assert.deepEqual(parseTag('node-1.eu:42:3'), { tag: 'node-1.eu:42:3', replica: 'node-1.eu', seq: 42 });
    assert.deepEqual(parseTag('odd'), { tag: 'odd', replica: 'odd', seq: null });
  });
});
