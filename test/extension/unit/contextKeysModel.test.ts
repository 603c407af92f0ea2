import assert from 'node:assert/strict';
import { changedContextKeys, contextKeyValues } from '../../../src/extension/contextKeysModel';
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

  it('lists the enabled flags as sorted bucket/key, for `in` clauses', () => {
    const values = contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects: [objects[2], ...objects] } });
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
      const values = contextKeyValues({ phase, node: { listening: 'ws://127.0.0.1:1', peers: [{ connected: true, direction: 'inbound' }], objects } });
      assert.deepEqual(values, {
        'minidote.phase': phase,
        'minidote.running': false,
        'minidote.listening': false,
        'minidote.connectedPeers': 0,
        'minidote.outboundPeers': 0,
        'minidote.enabledFlags': [],
      });
    }
  });

  it('names every key at first, then only the keys whose value changed', () => {
    const before = contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects } });
    assert.equal(changedContextKeys(undefined, before).length, 6);
    assert.deepEqual(changedContextKeys(before, contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects } })), []);
    const after = contextKeyValues({ phase: 'running', node: { listening: null, peers: [], objects: [flag('ops', 'deploy-freeze', false)] } });
    assert.deepEqual(changedContextKeys(before, after), ['minidote.enabledFlags']);
  });
});
