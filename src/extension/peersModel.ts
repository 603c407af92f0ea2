import { VectorClock, normalize } from '../core/vectorClock';
import type { NodeStatus, PeerStatus, ReplicaPresence } from '../node/minidoteNode';
import { t } from './localize';

/**
 * The Peers view as plain data: this replica first, then each peer link with its last known clock,
 * then the other replicas this one has heard of (online through a peer, or when last seen).
 */
export type PeersNode = SelfNode | PeerNode | OtherReplicaNode | ClockEntryNode;

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

/** A replica not connected to this one: online through a peer (a hub), or offline. */
export interface OtherReplicaNode {
  readonly kind: 'replica';
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly online: 'via-peer' | 'offline';
  readonly clock: readonly ClockEntryNode[];
}

export interface ClockEntryNode {
  readonly kind: 'clock';
  readonly id: string;
  /** The replica's display name when known, else its id. */
  readonly label: string;
  readonly replica: string;
  readonly description: string;
}

export type TimeFormat = (epochMs: number) => string;

type NameOf = (id: string) => string;

function clockEntries(owner: string, clock: VectorClock | null, nameOf: NameOf): ClockEntryNode[] {
  if (!clock) return [];
  return Object.entries(normalize(clock)).map(([replica, count]) => ({
    kind: 'clock',
    id: `${owner}/clock/${replica}`,
    label: nameOf(replica),
    replica,
    description: String(count),
  }));
}

/** "just now", "5 min ago", "3 h ago", "2 days ago": how long before `now` (a time ahead of it is now). */
export function relativeTime(epochMs: number, now: number): string {
  const minutes = Math.max(0, now - epochMs) / 60_000;
  if (minutes < 1) return t('just now');
  if (minutes < 90) return t('{0} min ago', Math.round(minutes));
  if (minutes < 36 * 60) return t('{0} h ago', Math.round(minutes / 60));
  return t('{0} days ago', Math.round(minutes / (24 * 60)));
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

/** Display names by replica id, from what the node knows; an unknown id stands for itself. */
function namesOf(status: NodeStatus, replicas: readonly ReplicaPresence[]): NameOf {
  const names = new Map<string, string>();
  for (const replica of replicas) names.set(replica.id, replica.displayName);
  for (const peer of status.peers) if (peer.id !== null && peer.displayName !== null) names.set(peer.id, peer.displayName);
  names.set(status.id, status.displayName);
  return (id) => names.get(id) ?? id;
}

function otherReplica(replica: ReplicaPresence, time: TimeFormat, now: number, nameOf: NameOf): OtherReplicaNode {
  const through = replica.via.map((peer) => peer.displayName).join(', ');
  const seen = replica.lastSeen === null ? t('never seen') : t('last seen {0}', relativeTime(replica.lastSeen, now));
  const lines = [t('Replica id: {0}', replica.id)];
  if (replica.online === 'via-peer') lines.push(t('Online through {0}', through));
  if (replica.lastSeen !== null) {
    const by = replica.seenBy === null ? '' : nameOf(replica.seenBy);
    lines.push(t('Last seen: {0} (by {1})', time(replica.lastSeen), by));
  }
  return {
    kind: 'replica',
    id: `replica/${replica.id}`,
    label: replica.displayName,
    description: replica.online === 'via-peer' ? t('online via {0}', through) : seen,
    tooltip: lines.join('\n'),
    online: replica.online === 'via-peer' ? 'via-peer' : 'offline',
    clock: [],
  };
}

/** Online through a peer first, by name; then the others, seen most recently first. */
function byPresence(a: ReplicaPresence, b: ReplicaPresence): number {
  if (a.online !== b.online) return a.online === 'via-peer' ? -1 : 1;
  if (a.online === 'via-peer') return a.displayName.localeCompare(b.displayName);
  return (b.lastSeen ?? -1) - (a.lastSeen ?? -1) || a.displayName.localeCompare(b.displayName);
}

/**
 * The rows of the Peers view. `replicas` (MinidoteNode.replicas) adds the replicas not connected
 * here, and names the entries of clocks; `now` is when relative times are counted from.
 */
export function buildPeersTree(
  status: NodeStatus,
  time: TimeFormat,
  replicas: readonly ReplicaPresence[] = [],
  now = Date.now(),
): (SelfNode | PeerNode | OtherReplicaNode)[] {
  const nameOf = namesOf(status, replicas);
  const self: SelfNode = {
    kind: 'self',
    id: 'self',
    label: t('{0} (this replica)', status.displayName),
    description: status.listening ? t('listening on {0}', status.listening) : t('not listening'),
    tooltip: [t('Replica id: {0}', status.id), t('Clock: {0}', clockText(status.clock))].join('\n'),
    clock: clockEntries('self', status.clock, nameOf),
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
      clock: clockEntries(id, peer.clock, nameOf),
    };
  });
  const linked = new Set(status.peers.filter((p) => p.connected && p.id !== null).map((p) => p.id));
  const others = replicas
    .filter((r) => r.online !== 'direct' && !linked.has(r.id) && r.id !== status.id)
    .sort(byPresence)
    .map((r) => otherReplica(r, time, now, nameOf));
  return [self, ...peers, ...others];
}
