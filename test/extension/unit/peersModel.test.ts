import assert from 'node:assert/strict';
import { NodeStatus, ReplicaPresence } from '../../../src/node/minidoteNode';
import { OtherReplicaNode, buildPeersTree, relativeTime } from '../../../src/extension/peersModel';

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

  it('lists this replica first, with its clock (entries by name), then each peer', () => {
    const [self, ...peers] = buildPeersTree(status, time);
    assert.equal(self.label, 'ada (this replica)');
    assert.equal(self.description, 'listening on ws://127.0.0.1:7878');
    assert.deepEqual(
      self.clock.map((c) => [c.label, c.description]),
      [
        ['ada', '3'],
        ['cy', '2'],
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
      ['bob'],
    );
    assert.match(down.tooltip, /unknown until the handshake/);
    assert.match(down.tooltip, /Last error: ECONNREFUSED/);
  });

  it('gives every row a distinct id', () => {
    const nodes = buildPeersTree(status, time);
    const ids = nodes.flatMap((n) => [n.id, ...n.clock.map((c) => c.id)]);
    assert.equal(new Set(ids).size, ids.length);
  });

  describe('replicas not connected here', () => {
    const now = 10 * 24 * 3_600_000;
    const replicas: ReplicaPresence[] = [
      { id: 'b2', displayName: 'bob', online: 'direct', via: [], lastSeen: now, seenBy: 'a1' },
      { id: 'old', displayName: 'Olga', online: 'offline', via: [], lastSeen: now - 3 * 24 * 3_600_000, seenBy: 'c3' },
      { id: 'd4', displayName: 'Dee', online: 'via-peer', via: [{ id: 'c3', displayName: 'cy' }], lastSeen: now - 20_000, seenBy: 'c3' },
      { id: 'e5', displayName: 'Eve', online: 'offline', via: [], lastSeen: now - 5 * 60_000, seenBy: 'c3' },
      { id: 'f6', displayName: 'f6', online: 'offline', via: [], lastSeen: null, seenBy: null },
      { id: 'c3', displayName: 'cy', online: 'via-peer', via: [{ id: 'b2', displayName: 'bob' }], lastSeen: now, seenBy: 'a1' },
    ];
    const others = () => buildPeersTree(status, time, replicas, now).filter((n): n is OtherReplicaNode => n.kind === 'replica');

    it('lists them after the links: online through a peer first, then by when they were last seen', () => {
      assert.deepEqual(
        others().map((n) => [n.label, n.description, n.online]),
        [
          ['Dee', 'online via cy', 'via-peer'],
          ['Eve', 'last seen 5 min ago', 'offline'],
          ['Olga', 'last seen 3 days ago', 'offline'],
          ['f6', 'never seen', 'offline'],
        ],
      );
    });

    it('says in the tooltip who saw them last and when, by name', () => {
      const [dee, eve] = others();
      assert.match(dee.tooltip, /Replica id: d4/);
      assert.match(dee.tooltip, /Online through cy/);
      assert.match(eve.tooltip, new RegExp(`Last seen: t${now - 5 * 60_000} \\(by cy\\)`));
    });

    it('names the entries of clocks when the name is known', () => {
      const [self] = buildPeersTree(status, time, replicas, now);
      assert.deepEqual(
        self.clock.map((c) => c.label),
        ['ada', 'cy'],
      );
    });

    it('keeps every row id distinct', () => {
      const nodes = buildPeersTree(status, time, replicas, now);
      const ids = nodes.flatMap((n) => [n.id, ...n.clock.map((c) => c.id)]);
      assert.equal(new Set(ids).size, ids.length);
    });
  });

  it('tells how long ago, in words', () => {
    const now = 1_000_000_000;
    assert.equal(relativeTime(now - 10_000, now), 'just now');
    assert.equal(relativeTime(now + 60_000, now), 'just now');
    assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago');
    assert.equal(relativeTime(now - 3 * 3_600_000, now), '3 h ago');
    assert.equal(relativeTime(now - 49 * 3_600_000, now), '2 days ago');
  });
});
