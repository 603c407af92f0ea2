import { VectorClock, normalize } from '../core/vectorClock';
import type { NodeStatus, PeerStatus } from '../node/minidoteNode';

/** The Peers view as plain data: this replica first, then each peer with its last known clock. */
export type PeersNode = SelfNode | PeerNode | ClockEntryNode;

export type PeerState = PeerStatus['state'];

export interface SelfNode {
  readonly kind: 'self';
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly clock: readonly ClockEntryNode[];
}

export interface PeerNode {
  readonly kind: 'peer';
  readonly id: string;
  /** Configured outbound peers have a URL: the Disconnect action passes the node as `{ url }`. */
  readonly url: string | null;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly state: PeerState;
  readonly clock: readonly ClockEntryNode[];
}

export interface ClockEntryNode {
  readonly kind: 'clock';
  readonly id: string;
  readonly label: string;
  readonly description: string;
}

export type TimeFormat = (epochMs: number) => string;

function clockEntries(owner: string, clock: VectorClock | null): ClockEntryNode[] {
  if (!clock) return [];
  return Object.entries(normalize(clock)).map(([replica, count]) => ({
    kind: 'clock',
    id: `${owner}/clock/${replica}`,
    label: replica,
    description: String(count),
  }));
}

function clockText(clock: VectorClock | null): string {
  return clock ? JSON.stringify(normalize(clock)) : 'not known yet';
}

function peerDescription(peer: PeerStatus, time: TimeFormat): string {
  const seen = peer.lastSeen === null ? 'never seen' : `last seen ${time(peer.lastSeen)}`;
  switch (peer.state) {
    case 'connected':
      return peer.direction === 'inbound' ? 'connected (inbound)' : 'connected';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return `reconnecting · ${seen}`;
    case 'closed':
      return `closed · ${seen}`;
  }
}

function peerTooltip(peer: PeerStatus, time: TimeFormat): string {
  const lines = [
    `${peer.direction === 'outbound' ? 'Outbound to' : 'Inbound from'} ${peer.url ?? 'a peer that connected here'}`,
    `Replica id: ${peer.id ?? 'unknown until the handshake'}`,
    `State: ${peer.state}`,
    `Last seen: ${peer.lastSeen === null ? 'never' : time(peer.lastSeen)}`,
    `Their clock: ${clockText(peer.clock)}`,
  ];
  if (peer.lastError) lines.push(`Last error: ${peer.lastError}`);
  return lines.join('\n');
}

export function buildPeersTree(status: NodeStatus, time: TimeFormat): (SelfNode | PeerNode)[] {
  const self: SelfNode = {
    kind: 'self',
    id: 'self',
    label: `${status.displayName} (this replica)`,
    description: status.listening ? `listening on ${status.listening}` : 'not listening',
    tooltip: [`Replica id: ${status.id}`, `Clock: ${clockText(status.clock)}`].join('\n'),
    clock: clockEntries('self', status.clock),
  };
  const peers = status.peers.map((peer, index): PeerNode => {
    const id = `peer/${peer.url ?? `inbound/${peer.id ?? index}`}`;
    return {
      kind: 'peer',
      id,
      url: peer.direction === 'outbound' ? peer.url : null,
      label: peer.displayName ?? peer.id ?? peer.url ?? 'inbound peer',
      description: peerDescription(peer, time),
      tooltip: peerTooltip(peer, time),
      state: peer.state,
      clock: clockEntries(id, peer.clock),
    };
  });
  return [self, ...peers];
}
