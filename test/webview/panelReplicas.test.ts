import assert from 'node:assert/strict';
import { replicaViews } from '../../src/extension/panel/panelReplicas';
import type { ReplicaPresence } from '../../src/node/replicaDirectory';

function presence(id: string, online: ReplicaPresence['online'], lastSeen: number | null): ReplicaPresence {
  return { id, displayName: id.toUpperCase(), online, via: [], lastSeen, seenBy: lastSeen === null ? null : 'hub' };
}

describe('webview/panelReplicas (what the host tells the page of other replicas)', () => {
  it('sends each known replica by name and state, with a last-seen time only for one offline', () => {
    const views = replicaViews([presence('bob', 'direct', 100), presence('dave', 'via-peer', 90), presence('erin', 'offline', 80)], {});
    assert.deepEqual(views, [
      { id: 'bob', displayName: 'BOB', online: 'direct', lastSeen: null },
      { id: 'dave', displayName: 'DAVE', online: 'via-peer', lastSeen: null },
      { id: 'erin', displayName: 'ERIN', online: 'offline', lastSeen: 80 },
    ]);
  });

  it('keeps at most the limit: replicas in the clock or online first, then the most recently seen', () => {
    const known = [
      presence('a-old', 'offline', 10),
      presence('b-recent', 'offline', 50),
      presence('c-in-clock', 'offline', 1),
      presence('d-online', 'via-peer', null),
      presence('e-never', 'offline', null),
    ];
    assert.deepEqual(
      replicaViews(known, { 'c-in-clock': 4 }, 3).map((r) => r.id),
      ['c-in-clock', 'd-online', 'b-recent'],
    );
    assert.equal(replicaViews(known, {}, 5).length, 5);
  });
});
