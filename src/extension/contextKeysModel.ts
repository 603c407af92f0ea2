import { formatKeyRef } from './keyRef';
import { ObjectEntry } from './objectsModel';
import type { PeerStatus } from '../node/minidoteNode';
import { HostPhase } from './statusText';

/**
 * The context keys the extension sets, for `when` clauses in keybindings, menus and views, e.g.
 * `"when": "'ops/deploy-freeze' in minidote.enabledFlags"`.
 */
export interface ContextKeyValues {
  readonly 'minidote.phase': HostPhase;
  readonly 'minidote.running': boolean;
  readonly 'minidote.listening': boolean;
  /** Peers with a live link, both directions. */
  readonly 'minidote.connectedPeers': number;
  /** Outbound peers, connected or not: what "Disconnect Peer" can act on. */
  readonly 'minidote.outboundPeers': number;
  /** `bucket/key` of every enabled flag, sorted. */
  readonly 'minidote.enabledFlags': readonly string[];
}

export interface ContextKeyInput {
  readonly phase: HostPhase;
  /** The running node's state; undefined while it is not running. */
  readonly node?: {
    readonly listening: string | null;
    readonly peers: readonly Pick<PeerStatus, 'connected' | 'direction'>[];
    readonly objects: readonly ObjectEntry[];
  };
}

export function contextKeyValues(input: ContextKeyInput): ContextKeyValues {
  const node = input.phase === 'running' ? input.node : undefined;
  const enabledFlags = (node?.objects ?? [])
    .filter((o) => o.key.type === 'flag_ew' && o.value === true)
    .map((o) => formatKeyRef(o.key))
    .sort();
  return {
    'minidote.phase': input.phase,
    'minidote.running': node !== undefined,
    'minidote.listening': node?.listening != null,
    'minidote.connectedPeers': node?.peers.filter((p) => p.connected).length ?? 0,
    'minidote.outboundPeers': node?.peers.filter((p) => p.direction === 'outbound').length ?? 0,
    'minidote.enabledFlags': [...new Set(enabledFlags)],
  };
}

export type ContextKeyName = keyof ContextKeyValues;

/** The keys whose value differs between `before` (undefined: nothing set yet) and `after`. */
export function changedContextKeys(before: ContextKeyValues | undefined, after: ContextKeyValues): ContextKeyName[] {
  return (Object.keys(after) as ContextKeyName[]).filter(
    (name) => before === undefined || JSON.stringify(before[name]) !== JSON.stringify(after[name]),
  );
}
