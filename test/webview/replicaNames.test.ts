import assert from 'node:assert/strict';
import { emptyModel, reduce } from '../../src/webview/model/panelModel';
import { replicaNamer, replicaTitle } from '../../src/webview/model/replicaNames';
import { ReplicaView } from '../../src/webview/protocol';
import { bob, sampleSnapshot } from './fixtures';

const dave: ReplicaView = { id: 'dave', displayName: 'Dave (desktop)', online: 'via-peer', lastSeen: null };

function modelWith(replicas: readonly ReplicaView[], peers = sampleSnapshot().peers) {
  const model = emptyModel();
  reduce(model, [{ kind: 'reset', snapshot: { ...sampleSnapshot(), peers, replicas } }]);
  return model;
}

describe('webview/replicaNames', () => {
  it('names this replica, its peers and replicas known only through a hub, and falls back to the id', () => {
    const nameOf = replicaNamer(modelWith([dave]));
    assert.deepEqual(['alice', 'bob', 'carol', 'dave', 'zed'].map(nameOf), ['Alice (laptop)', 'Bob', 'Carol', 'Dave (desktop)', 'zed']);
  });

  it("prefers a connected peer's handshake name to the one last heard, and ignores a closed link's", () => {
    const heard: ReplicaView = { id: 'bob', displayName: 'Bob (old name)', online: 'direct', lastSeen: null };
    assert.equal(replicaNamer(modelWith([heard]))('bob'), 'Bob');
    const closed = { ...bob, connected: false, state: 'closed' as const, displayName: 'Bob (stale link)' };
    assert.equal(replicaNamer(modelWith([heard], [closed]))('bob'), 'Bob (old name)');
  });

  it('titles a name with its id and whether the replica is online, directly, through a peer, or last seen when', () => {
    const now = Date.now();
    const model = modelWith([
      dave,
      { id: 'bob', displayName: 'Bob', online: 'direct', lastSeen: null },
      { id: 'erin', displayName: 'Erin', online: 'offline', lastSeen: now - 5 * 60_000 },
    ]);
    assert.equal(replicaTitle(model, 'dave', 'Dave (desktop)', now), 'dave · online through a peer');
    assert.equal(replicaTitle(model, 'bob', 'Bob', now), 'bob · connected');
    assert.equal(replicaTitle(model, 'erin', 'Erin', now), 'erin · offline, last seen 5 min ago');
    assert.equal(replicaTitle(model, 'alice', 'Alice (laptop)', now), 'alice');
    assert.equal(replicaTitle(model, 'zed', 'zed', now), '', 'an id shown as itself needs no title');
  });
});
