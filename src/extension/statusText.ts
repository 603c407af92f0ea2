import { ObjectKey } from '../core/transaction';
import type { PeerStatus } from '../node/minidoteNode';
import { matchesWatchPattern } from './keyRef';

/** Where the extension's replica is in its life. */
export type HostPhase = 'starting' | 'running' | 'failed' | 'closed';

export interface StatusInput {
  readonly phase: HostPhase;
  readonly error?: string;
  readonly peers: readonly PeerStatus[];
  readonly listening: string | null;
  /** Names of watched flags that are enabled, in settings order. */
  readonly enabledFlags: readonly string[];
}

export interface StatusContent {
  readonly text: string;
  readonly tooltip: string;
  /** Shown with the warning background (the replica is not running). */
  readonly warning: boolean;
}

function connectionText(peers: readonly PeerStatus[], listening: string | null): { icon: string; text: string; tip: string } {
  const connected = peers.filter((p) => p.connected).length;
  const listenTip = listening ? `Listening on ${listening}.` : 'Not listening.';
  if (peers.length === 0) {
    return { icon: 'database', text: 'local', tip: `No peers: changes stay on this machine until a peer connects. ${listenTip}` };
  }
  const plural = peers.length === 1 ? 'peer' : 'peers';
  const text = connected === peers.length ? `${connected} ${plural}` : `${connected}/${peers.length} ${plural}`;
  const icon = connected === 0 ? 'debug-disconnect' : 'radio-tower';
  return { icon, text, tip: `${connected} of ${peers.length} ${plural} connected. ${listenTip}` };
}

export function statusBarContent(input: StatusInput): StatusContent {
  const flags = input.enabledFlags.map((name) => ` $(flag) ${name}`).join('');
  switch (input.phase) {
    case 'starting':
      return { text: '$(sync~spin) Minidote', tooltip: 'Minidote: opening the replica…', warning: false };
    case 'closed':
      return { text: '$(circle-slash) Minidote', tooltip: 'Minidote: the replica is closed', warning: false };
    case 'failed':
      return {
        text: '$(error) Minidote',
        tooltip: `Minidote could not open the replica: ${input.error ?? 'unknown error'}`,
        warning: true,
      };
    case 'running': {
      const c = connectionText(input.peers, input.listening);
      const flagTip = input.enabledFlags.length ? `\nEnabled watched flags: ${input.enabledFlags.join(', ')}.` : '';
      return {
        text: `$(${c.icon}) Minidote: ${c.text}${flags}`,
        tooltip: `Minidote: ${c.tip}${flagTip}\nClick to show the replica state.`,
        warning: false,
      };
    }
  }
}

/** The display name of a watched flag: its key, or `bucket/key` when the setting names the bucket. */
export function watchedFlagName(patterns: readonly string[], key: ObjectKey): string | undefined {
  if (key.type !== 'flag_ew') return undefined;
  return patterns.find((p) => matchesWatchPattern(p, key));
}

export function flagChangeMessage(name: string, enabled: boolean, who: string): string {
  return `Minidote: ${name} was ${enabled ? 'enabled' : 'disabled'} by ${who}`;
}
