import assert from 'node:assert/strict';
import { Replica } from '../../../src/core/replica';
import { Transaction, Update } from '../../../src/core/transaction';
import { buildObjectsTree, objectEntries } from '../../../src/extension/objectsModel';

describe('extension/objectsModel', () => {
  async function replicaWith(...updates: Update[]): Promise<Replica> {
    const replica = new Replica('a');
    for (const u of updates) await replica.update([u]);
    return replica;
  }

  it('groups objects by bucket, sorted, with values for each kind', async () => {
    const replica = await replicaWith(
      { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew', op: 'enable' },
      { bucket: 'team', key: 'on-call', type: 'set_aw', op: 'add_all', args: ['bob', 'alice', 7] },
      { bucket: 'ops', key: 'builds', type: 'counter_pn', op: 'increment', args: [3] },
      { bucket: 'ops', key: 'cleanup', type: 'flag_ew', op: 'disable' },
      { bucket: 'team', key: 'lead', type: 'register_mv', op: 'assign', args: ['ada'] },
    );
    const tree = buildObjectsTree(objectEntries(replica));
    assert.deepEqual(
      tree.map((b) => [b.bucket, b.objects.map((o) => [o.key, o.description, o.checked])]),
      [
        [
          'ops',
          [
            ['builds', '3', undefined],
            ['cleanup', 'disabled', false],
            ['deploy-freeze', 'enabled', true],
          ],
        ],
        [
          'team',
          [
            ['lead', 'ada', undefined],
            ['on-call', 'set_aw · 3 elements', undefined],
          ],
        ],
      ],
    );
    const set = tree[1].objects[1];
    assert.deepEqual(
      set.children.map((c) => [c.kind, c.label, c.element]),
      [
        ['element', 'alice', 'alice'],
        ['element', 'bob', 'bob'],
        ['element', '7', 7],
      ],
    );
    // Nodes are command arguments: { bucket, key, type, element }.
    assert.deepEqual(
      { bucket: set.children[1].bucket, key: set.children[1].key, type: set.children[1].type },
      { bucket: 'team', key: 'on-call', type: 'set_aw' },
    );
  });

  it('shows concurrent register values as rows, and keeps ids stable and distinct', async () => {
    const a = new Replica('a');
    const b = new Replica('b');
    const fromB: Transaction[] = [];
    b.onChange((change) => {
      if (change.kind === 'transaction') fromB.push(change.transaction);
    });
    await a.update([{ bucket: 'cfg', key: 'theme', type: 'register_mv', op: 'assign', args: ['dark'] }]);
    await b.update([{ bucket: 'cfg', key: 'theme', type: 'register_mv', op: 'assign', args: ['light'] }]);
    await b.update([{ bucket: 'cfg', key: 'theme', type: 'set_2p', op: 'add', args: ['x'] }]);
    for (const txn of fromB) a.receive(txn);
    const [bucket] = buildObjectsTree(objectEntries(a));
    const register = bucket.objects.find((o) => o.type === 'register_mv');
    assert.equal(register?.description, 'dark | light (2 concurrent)');
    assert.deepEqual(
      register?.children.map((c) => [c.kind, c.label]),
      [
        ['registerValue', 'dark'],
        ['registerValue', 'light'],
      ],
    );
    const ids = [bucket.id, ...bucket.objects.flatMap((o) => [o.id, ...o.children.map((c) => c.id)])];
    assert.equal(new Set(ids).size, ids.length);
  });

  it('is empty for an empty replica', () => {
    assert.deepEqual(buildObjectsTree(objectEntries(new Replica('a'))), []);
  });

  it("carries each object's last-change line into its node, and none when unknown", async () => {
    const replica = await replicaWith(
      { bucket: 'ops', key: 'freeze', type: 'flag_ew', op: 'enable' },
      { bucket: 'ops', key: 'hits', type: 'counter_pn', op: 'increment' },
    );
    const [ops] = buildObjectsTree(objectEntries(replica), (key, value) =>
      key.key === 'freeze' ? `${value === true ? 'enabled' : 'disabled'} by Alice` : undefined,
    );
    assert.deepEqual(
      ops.objects.map((o) => [o.key, o.lastChange]),
      [
        ['freeze', 'enabled by Alice'],
        ['hits', undefined],
      ],
    );
  });
});
