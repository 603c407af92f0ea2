import { relativeTime } from './format';
import { PanelModel } from './panelModel';

/** A replica's name as the panel shows it. */
export type NameOf = (id: string) => string;

/**
 * Names replicas the way the node does: this one by its own name, a connected peer by the name of
 * its handshake, any other the node has heard of (also through a hub) by the name last heard, else
 * the id.
 */
export function replicaNamer(model: Pick<PanelModel, 'self' | 'peers' | 'replicas'>): NameOf {
  const connected = new Map<string, string>();
  for (const peer of model.peers) {
    if (peer.id !== null && peer.connected && peer.displayName) connected.set(peer.id, peer.displayName);
  }
  return (id) => {
    if (id === model.self?.id) return model.self.displayName;
    return connected.get(id) ?? (model.replicas.get(id)?.displayName || id);
  };
}

/**
 * What a name's tooltip says: the id it stands for, and whether the replica is online, when the
 * node knows. Empty for this replica shown by its id.
 */
export function replicaTitle(model: Pick<PanelModel, 'self' | 'replicas'>, id: string, name: string, now: number): string {
  const parts = name === id ? [] : [id];
  const known = id === model.self?.id ? undefined : model.replicas.get(id);
  if (known?.online === 'direct') parts.push('connected');
  else if (known?.online === 'via-peer') parts.push('online through a peer');
  else if (known && known.lastSeen !== null) parts.push(`offline, last seen ${relativeTime(known.lastSeen, now)}`);
  return parts.join(' · ');
}
