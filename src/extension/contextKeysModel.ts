import type { PeerStatus } from '../node/minidoteNode';
import { formatKeyRef } from './keyRef';
import { ObjectEntry } from './objectsModel';
import { HostPhase } from './statusText';

/** The prefix of the one context key per flag: `minidote.flag.ops/deploy-freeze` is true while it is enabled. */
export const FLAG_KEY_PREFIX = 'minidote.flag.';

/**
 * The context keys the extension sets, for `when` clauses in keybindings, menus and views. VS Code's
 * `in` operator needs a context key on its left, so a flag is named in a clause by its own key:
 * `"when": "!minidote.flag.ops/deploy-freeze"`; `minidote.enabledFlags` lists them all.
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
  /** `minidote.flag.<bucket>/<key>` of every flag this replica holds: whether it is enabled. */
  readonly flags: Readonly<Record<string, boolean>>;
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
  const flags: Record<string, boolean> = {};
  for (const o of node?.objects ?? []) {
    if (o.key.type === 'flag_ew') flags[`${FLAG_KEY_PREFIX}${formatKeyRef(o.key)}`] = o.value === true;
  }
  const enabledFlags = Object.keys(flags)
    .filter((name) => flags[name])
    .map((name) => name.slice(FLAG_KEY_PREFIX.length))
    .sort();
  return {
    'minidote.phase': input.phase,
    'minidote.running': node !== undefined,
    'minidote.listening': node?.listening != null,
    'minidote.connectedPeers': node?.peers.filter((p) => p.connected).length ?? 0,
    'minidote.outboundPeers': node?.peers.filter((p) => p.direction === 'outbound').length ?? 0,
    'minidote.enabledFlags': enabledFlags,
    flags,
  };
}

export type ContextValue = string | number | boolean | readonly string[] | undefined;

/** Every key with its value, the per-flag keys included. */
export function contextKeyEntries(values: ContextKeyValues): Map<string, ContextValue> {
  const { flags, ...fixed } = values;
  return new Map<string, ContextValue>([...Object.entries(fixed), ...Object.entries(flags)]);
}

/**
 * What to send to the workbench to go from `before` (undefined: nothing sent yet) to `after`: the
 * keys whose value changed, and undefined for a flag key that is gone (its replica was reopened).
 */
export function contextKeyChanges(before: ContextKeyValues | undefined, after: ContextKeyValues): [string, ContextValue][] {
  const old = before ? contextKeyEntries(before) : new Map<string, ContextValue>();
  const next = contextKeyEntries(after);
  const changes: [string, ContextValue][] = [];
  for (const [name, value] of next) {
    if (!old.has(name) || JSON.stringify(old.get(name)) !== JSON.stringify(value)) changes.push([name, value]);
  }
  for (const name of old.keys()) if (!next.has(name)) changes.push([name, undefined]);
  return changes;
}
