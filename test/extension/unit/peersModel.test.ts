import assert from 'node:assert/strict';
import { NodeStatus } from '../../../src/node/minidoteNode';
import { buildPeersTree } from '../../../src/extension/peersModel';

describe('extension/peersModel', () => {
  const status = {
    id: 'a1',
    displayName: 'ada',
    clock: { a1: 3, b2: 0, c3: 2 },
    listening: 'ws://127.0.0.1:7878',
    peers: [
      {
        id: 'b2',
        url: 'ws://10.0.0.2:7878',
        direction: 'outbound',
        connected: true,
        state: 'connected',
        displayName: 'bob',
        lastSeen: 1000,
        clock: { b2: 4 },
        lastError: null,
      },
      {
        id: null,
        url: 'ws://10.0.0.3:7878',
        direction: 'outbound',
        connected: false,
        state: 'reconnecting',
        displayName: null,
        lastSeen: null,
        clock: null,
        lastError: 'ECONNREFUSED',
      },
      {
        id: 'c3',
        url: null,
        direction: 'inbound',
        connected: true,
        state: 'connected',
        displayName: 'cy',
        lastSeen: 2000,
        clock: { c3: 2 },
        lastError: null,
      },
    ],
    waiting: [],
    storage: {},
  } as unknown as NodeStatus;
  const time = (ms: number) => `t${ms}`;

  it('lists this replica first, with its clock, then each peer', () => {
    const [self, ...peers] = buildPeersTree(status, time);
    assert.equal(self.label, 'ada (this replica)');
    assert.equal(self.description, 'listening on ws://127.0.0.1:7878');
    assert.deepEqual(
      self.clock.map((c) => [c.label, c.description]),
      [
        ['a1', '3'],
        ['c3', '2'],
      ],
    );
    assert.deepEqual(
      peers.map((p) => [p.label, p.description, p.kind === 'peer' && p.url]),
      [
        ['bob', 'connected', 'ws://10.0.0.2:7878'],
        ['ws://10.0.0.3:7878', 'reconnecting · never seen', 'ws://10.0.0.3:7878'],
        ['cy', 'connected (inbound)', null],
      ],
    );
  });

  it('puts the details in the tooltip: direction, id, last seen, their clock, last error', () => {
    const [, bob, down] = buildPeersTree(status, time);
    assert.match(bob.tooltip, /Outbound to ws:\/\/10\.0\.0\.2:7878/);
    assert.match(bob.tooltip, /Last seen: t1000/);
    assert.match(bob.tooltip, /Their clock: \{"b2":4\}/);
    assert.deepEqual(
      bob.clock.map((c) => c.label),
      ['b2'],
    );
    assert.match(down.tooltip, /unknown until the handshake/);
    assert.match(down.tooltip, /Last error: ECONNREFUSED/);
  });

  it('gives every row a distinct id', () => {
    const nodes = buildPeersTree(status, time);
    const ids = nodes.flatMap((n) => [n.id, ...n.clock.map((c) => c.id)]);
    assert.equal(new Set(ids).size, ids.length);
  });
});
