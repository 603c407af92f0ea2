import assert from 'node:assert/strict';
import { clockTable, distinctPeers, peerLabel } from '../../src/webview/model/clockTable';
import { PeerView } from '../../src/webview/protocol';
import { bob, carol, unreachable } from './fixtures';

const names: Record<string, string> = { alice: 'Alice', bob: 'Bob', carol: 'Carol' };
const nameOf = (id: string) => names[id] ?? id;

describe('webview/clockTable', () => {
  it('puts this replica first and compares every peer entry with its own', () => {
    const table = clockTable('alice', { alice: 12, bob: 7, carol: 4 }, [bob, carol, unreachable], nameOf);
    assert.deepEqual(
      table.columns.map((c) => [c.label, c.relation]),
      [
        ['Alice', 'in-sync'],
        ['Bob', 'diverged'],
        ['Carol', 'in-sync'],
        ['10.0.0.9:7878', 'unknown'],
      ],
    );
    assert.deepEqual(
      table.rows.map((r) => r.replica),
      ['alice', 'bob', 'carol'],
    );
    const cells = Object.fromEntries(table.rows.map((r) => [r.replica, r.cells.map((c) => `${c.value}:${c.status}`)]));
    assert.deepEqual(cells, {
      alice: ['12:same', '12:same', '12:same', 'null:unknown'],
      bob: ['7:same', '8:ahead', '7:same', 'null:unknown'],
      carol: ['4:same', '3:behind', '4:same', 'null:unknown'],
    });
  });

  it('names a peer ahead of or behind this replica, and lists replicas only peers know about', () => {
    const ahead: PeerView = { ...bob, clock: { alice: 1, bob: 3, dave: 2 } };
    const behind: PeerView = { ...carol, clock: {} };
    const table = clockTable('alice', { alice: 1, bob: 2 }, [ahead, behind], nameOf);
    assert.deepEqual(
      table.columns.slice(1).map((c) => c.relation),
      ['ahead', 'behind'],
    );
    assert.deepEqual(
      table.rows.map((r) => r.replica),
      ['alice', 'bob', 'carol', 'dave'],
    );
  });

  it('names every clock entry, not only the peers, and shows the id of a replica with no known name', () => {
    const table = clockTable('alice', { alice: 3, dave: 2, zed: 1 }, [bob], (id) => (id === 'dave' ? 'Dave (via hub)' : nameOf(id)));
    assert.deepEqual(
      table.rows.map((r) => [r.replica, r.label]),
      [
        ['alice', 'Alice'],
        ['bob', 'Bob'],
        ['carol', 'Carol'],
        ['dave', 'Dave (via hub)'],
        ['zed', 'zed'],
      ],
    );
  });

  it('shows one column per peer id, preferring the connected link, and keeps unidentified links', () => {
    const stale: PeerView = { ...bob, direction: 'inbound', state: 'closed', url: null, clock: { bob: 1 }, lastSeen: 10 };
    const newerStale: PeerView = { ...stale, lastSeen: 20 };
    assert.deepEqual(distinctPeers([stale, unreachable, bob]), [bob, unreachable]);
    assert.deepEqual(distinctPeers([stale, newerStale]), [newerStale]);
    assert.equal(peerLabel({ ...unreachable, url: 'wss://team.example:443/' }), 'team.example:443');
    assert.equal(peerLabel({ ...unreachable, url: null }), 'inbound peer');
  });
});
