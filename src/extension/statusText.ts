import { ObjectKey } from '../core/transaction';
import type { PeerStatus } from '../node/minidoteNode';
import { matchesWatchPattern } from './keyRef';
import { t } from './localize';

/** Where the extension's replica is in its life. */
export type HostPhase = 'starting' | 'running' | 'failed' | 'closed';

export interface StatusInput {
  readonly phase: HostPhase;
  readonly error?: string;
  readonly peers: readonly PeerStatus[];
  readonly listening: string | null;
  /** Names of watched flags that are enabled, in settings order. */
  readonly enabledFlags: readonly string[];
  /** This window uses the replica another window holds. */
  readonly attached?: boolean;
}

export interface StatusContent {
  readonly text: string;
  readonly tooltip: string;
  /** Shown with the warning background (the replica is not running). */
  readonly warning: boolean;
}

function connectionText(peers: readonly PeerStatus[], listening: string | null): { icon: string; text: string; tip: string } {
  const connected = peers.filter((p) => p.connected).length;
  const listenTip = listening ? t('Listening on {0}.', listening) : t('Not listening.');
  if (peers.length === 0) {
    return { icon: 'database', text: t('local'), tip: t('No peers: changes stay on this machine until a peer connects. {0}', listenTip) };
  }
  const one = peers.length === 1;
  const all = connected === peers.length;
  const text = all
    ? one
      ? t('{0} peer', connected)
      : t('{0} peers', connected)
    : one
      ? t('{0}/{1} peer', connected, peers.length)
      : t('{0}/{1} peers', connected, peers.length);
  const icon = connected === 0 ? 'debug-disconnect' : 'radio-tower';
  const tip = one
    ? t('{0} of {1} peer connected. {2}', connected, peers.length, listenTip)
    : t('{0} of {1} peers connected. {2}', connected, peers.length, listenTip);
  return { icon, text, tip };
}

export function statusBarContent(input: StatusInput): StatusContent {
  const flags = input.enabledFlags.map((name) => ` $(flag) ${name}`).join('');
  switch (input.phase) {
    case 'starting':
      return { text: '$(sync~spin) Minidote', tooltip: t('Minidote: opening the replica…'), warning: false };
    case 'closed':
      return { text: '$(circle-slash) Minidote', tooltip: t('Minidote: the replica is closed'), warning: false };
    case 'failed':
      return {
        text: '$(error) Minidote',
        tooltip: t('Minidote could not open the replica: {0}', input.error ?? t('unknown error')),
        warning: true,
      };
    case 'running': {
      const c = connectionText(input.peers, input.listening);
      const flagTip = input.enabledFlags.length ? `\n${t('Enabled watched flags: {0}.', input.enabledFlags.join(', '))}` : '';
      const sharedTip = input.attached
        ? `\n${t('This window uses the replica that another VS Code window holds; it takes the replica over when that window closes.')}`
        : '';
      return {
        text: `$(${c.icon}) Minidote: ${c.text}${flags}`,
        tooltip: `${t('Minidote: {0}', c.tip)}${flagTip}${sharedTip}\n${t('Click to show the replica state.')}`,
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
  return enabled ? t('Minidote: {0} was enabled by {1}', name, who) : t('Minidote: {0} was disabled by {1}', name, who);
}
