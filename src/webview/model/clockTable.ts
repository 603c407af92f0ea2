import { compareCanonical } from '../../core/json';
import { VectorClock, compare, entry } from '../../core/vectorClock';
import { PeerState, PeerView } from '../protocol';
import { NameOf } from './replicaNames';

/** How a peer's last known clock relates to this replica's. */
export type PeerRelation = 'in-sync' | 'behind' | 'ahead' | 'diverged' | 'unknown';

/** One clock entry of a peer, compared with the same entry of this replica. */
export type CellStatus = 'same' | 'ahead' | 'behind' | 'unknown';

export interface ClockColumn {
  readonly label: string;
  readonly detail: string;
  readonly self: boolean;
  readonly state: PeerState | 'self';
  readonly relation: PeerRelation;
  readonly peer: PeerView | null;
}

export interface ClockCell {
  readonly value: number | null;
  readonly status: CellStatus;
}

export interface ClockRow {
  readonly replica: string;
  /** The replica's name, or its id when none is known. */
  readonly label: string;
  readonly self: boolean;
  readonly cells: readonly ClockCell[];
}

export interface ClockTable {
  readonly columns: readonly ClockColumn[];
  readonly rows: readonly ClockRow[];
}

const relationOf: Record<ReturnType<typeof compare>, PeerRelation> = {
  equal: 'in-sync',
  before: 'behind',
  after: 'ahead',
  concurrent: 'diverged',
};

/**
 * One peer per replica id: a peer often has both an inbound and an outbound connection, and the
 * one that is connected (or else the most recently seen) tells the current story.
 */
export function distinctPeers(peers: readonly PeerView[]): PeerView[] {
  const byId = new Map<string, PeerView>();
  const anonymous: PeerView[] = [];
  const rank = (p: PeerView) => (p.state === 'connected' ? 2 : 0) + (p.clock ? 1 : 0);
  for (const peer of peers) {
    if (peer.id === null) {
      anonymous.push(peer);
      continue;
    }
    const known = byId.get(peer.id);
    if (!known || rank(peer) > rank(known) || (rank(peer) === rank(known) && (peer.lastSeen ?? 0) > (known.lastSeen ?? 0))) {
      byId.set(peer.id, peer);
    }
  }
  const named = [...byId.values()].sort((a, b) => compareCanonical(a.id as string, b.id as string));
  return [...named, ...anonymous];
}

/** A peer's name; one not identified yet goes by its address (host:port). */
export function peerLabel(peer: PeerView): string {
  return peer.displayName ?? peer.id ?? (peer.url ? peer.url.replace(/^wss?:\/\//, '').replace(/\/$/, '') : 'inbound peer');
}

/** This replica's clock and each peer's last known clock side by side, entry by entry, each entry named. */
export function clockTable(selfId: string, selfClock: VectorClock, peers: readonly PeerView[], nameOf: NameOf): ClockTable {
  const shown = distinctPeers(peers);
  const replicas = new Set<string>(Object.keys(selfClock));
  for (const peer of shown) {
    if (peer.id) replicas.add(peer.id);
    for (const id of Object.keys(peer.clock ?? {})) replicas.add(id);
  }
  replicas.delete(selfId);
  const order = [selfId, ...[...replicas].sort(compareCanonical)];

  const columns: ClockColumn[] = [
    { label: nameOf(selfId), detail: 'this replica', self: true, state: 'self', relation: 'in-sync', peer: null },
    ...shown.map((peer) => ({
      label: peerLabel(peer),
      detail: peer.url ?? (peer.direction === 'inbound' ? 'inbound' : ''),
      self: false,
      state: peer.state,
      relation: peer.clock ? relationOf[compare(peer.clock, selfClock)] : ('unknown' as const),
      peer,
    })),
  ];

  const rows = order.map((replica) => {
    const mine = entry(selfClock, replica);
    const cells: ClockCell[] = [{ value: mine, status: 'same' }];
    for (const peer of shown) {
      if (!peer.clock) {
        cells.push({ value: null, status: 'unknown' });
        continue;
      }
      const theirs = entry(peer.clock, replica);
      cells.push({ value: theirs, status: theirs === mine ? 'same' : theirs > mine ? 'ahead' : 'behind' });
    }
    return { replica, label: nameOf(replica), self: replica === selfId, cells };
  });
  return { columns, rows };
}
