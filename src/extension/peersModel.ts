import { VectorClock, normalize } from '../core/vectorClock';
import type { NodeStatus, PeerStatus } from '../node/minidoteNode';
import { t } from './localize';

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
  return clock ? JSON.stringify(normalize(clock)) : t('not known yet');
}

function peerDescription(peer: PeerStatus, time: TimeFormat): string {
  const seen = peer.lastSeen === null ? t('never seen') : t('last seen {0}', time(peer.lastSeen));
  switch (peer.state) {
    case 'connected':
      return peer.direction === 'inbound' ? t('connected (inbound)') : t('connected');
    case 'connecting':
      return t('connecting…');
    case 'reconnecting':
      return t('reconnecting · {0}', seen);
    case 'closed':
      return t('closed · {0}', seen);
  }
}

function peerTooltip(peer: PeerStatus, time: TimeFormat): string {
  const lines = [
    peer.direction === 'outbound'
      ? t('Outbound to {0}', peer.url ?? '')
      : t('Inbound from {0}', peer.url ?? t('a peer that connected here')),
    t('Replica id: {0}', peer.id ?? t('unknown until the handshake')),
    t('State: {0}', peer.state),
    t('Last seen: {0}', peer.lastSeen === null ? t('never') : time(peer.lastSeen)),
    t('Their clock: {0}', clockText(peer.clock)),
  ];
  if (peer.lastError) lines.push(t('Last error: {0}', peer.lastError));
  return lines.join('\n');
}

export function buildPeersTree(status: NodeStatus, time: TimeFormat): (SelfNode | PeerNode)[] {
  const self: SelfNode = {
    kind: 'self',
    id: 'self',
    label: t('{0} (this replica)', status.displayName),
    description: status.listening ? t('listening on {0}', status.listening) : t('not listening'),
    tooltip: [t('Replica id: {0}', status.id), t('Clock: {0}', clockText(status.clock))].join('\n'),
    clock: clockEntries('self', status.clock),
  };
  const peers = status.peers.map((peer, index): PeerNode => {
    const id = `peer/${peer.url ?? `inbound/${peer.id ?? index}`}`;
    return {
      kind: 'peer',
      id,
      url: peer.direction === 'outbound' ? peer.url : null,
      label: peer.displayName ?? peer.id ?? peer.url ?? t('inbound peer'),
      description: peerDescription(peer, time),
      tooltip: peerTooltip(peer, time),
      state: peer.state,
      clock: clockEntries(id, peer.clock),
    };
  });
  return [self, ...peers];
}
