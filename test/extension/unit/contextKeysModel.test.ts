import assert from 'node:assert/strict';
import { contextKeyChanges, contextKeyValues } from '../../../src/extension/contextKeysModel';
import { ObjectEntry } from '../../../src/extension/objectsModel';

const flag = (bucket: string, key: string, value: boolean): ObjectEntry => ({ key: { bucket, key, type: 'flag_ew' }, value });

describe('extension/contextKeysModel', () => {
  const objects: ObjectEntry[] = [
    flag('ops', 'deploy-freeze', true),
    flag('ops', 'maintenance', false),
    flag('team', 'demo', true),
    // Not flags, whatever their value looks like.
    { key: { bucket: 'ops', key: 'truthy', type: 'register_mv' }, value: [true] },
    { key: { bucket: 'ops', key: 'count', type: 'counter_pn' }, value: 1 },
  ];

  it('gives each flag its own key, true while enabled, and lists the enabled ones as sorted bucket/key', () => {
    const values = contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects: [objects[2], ...objects] } });
    assert.deepEqual(values.flags, {
      'minidote.flag.ops/deploy-freeze': true,
      'minidote.flag.ops/maintenance': false,
      'minidote.flag.team/demo': true,
    });
    assert.deepEqual(values['minidote.enabledFlags'], ['ops/deploy-freeze', 'team/demo']);
  });

  it('counts connected peers in both directions and outbound peers whatever their state', () => {
    const peers = [
      { connected: true, direction: 'outbound' as const },
      { connected: false, direction: 'outbound' as const },
      { connected: true, direction: 'inbound' as const },
    ];
    const values = contextKeyValues({ phase: 'running', node: { listening: 'ws://127.0.0.1:7878', peers, objects: [] } });
    assert.equal(values['minidote.connectedPeers'], 2);
    assert.equal(values['minidote.outboundPeers'], 2);
    assert.equal(values['minidote.listening'], true);
    assert.equal(values['minidote.running'], true);
  });

  it('says nothing is running, listening or enabled while the replica is not running', () => {
    for (const phase of ['starting', 'failed', 'closed'] as const) {
      const values = contextKeyValues({
        phase,
        node: { listening: 'ws://127.0.0.1:1', peers: [{ connected: true, direction: 'inbound' }], objects },
      });
      assert.deepEqual(values, {
        'minidote.phase': phase,
        'minidote.running': false,
        'minidote.listening': false,
        'minidote.connectedPeers': 0,
        'minidote.outboundPeers': 0,
        'minidote.enabledFlags': [],
        flags: {},
      });
    }
  });

  it('sends every key at first, then only what changed, and clears the keys of flags that are gone', () => {
    const running = (list: ObjectEntry[]) => contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects: list } });
    const before = running(objects);
    assert.equal(contextKeyChanges(undefined, before).length, 6 + 3);
    assert.deepEqual(contextKeyChanges(before, running(objects)), []);
    assert.deepEqual(
      contextKeyChanges(
        before,
        running([flag('ops', 'deploy-freeze', false), flag('ops', 'maintenance', false), flag('team', 'demo', true)]),
      ),
      [
        ['minidote.enabledFlags', ['team/demo']],
        ['minidote.flag.ops/deploy-freeze', false],
      ],
    );
    const stopped = contextKeyChanges(before, contextKeyValues({ phase: 'closed' }));
    assert.deepEqual(
      stopped.filter(([name]) => name.startsWith('minidote.flag.')),
      [
        ['minidote.flag.ops/deploy-freeze', undefined],
        ['minidote.flag.ops/maintenance', undefined],
        ['minidote.flag.team/demo', undefined],
      ],
    );
  });
});
