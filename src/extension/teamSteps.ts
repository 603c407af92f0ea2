import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import { PeerStatus } from '../core/peerStatus';
import { isLoopbackHost, parsePeerUrl } from '../net/peerUrl';
import { Cancelled, given } from './commandFlow';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { pickOne } from './prompts';
import { TeamSecret } from './teamSecret';

/**
 * Steps shared by the team commands (Join a Team, Start a Team, Start Listening, Invite
 * Teammate) and the join link handler.
 */

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('minidote');
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Connects to `peer` now and keeps it in the user settings, so this editor rejoins next time. */
export async function rememberPeer(host: NodeHost, peer: string): Promise<string> {
  const url = parsePeerUrl(peer);
  await host.connectPeer(url);
  const peers = stringList(config().inspect('peers')?.globalValue);
  if (!peers.includes(url)) await config().update('peers', [...peers, url], vscode.ConfigurationTarget.Global);
  return url;
}

/** "Teammates on my network" (all addresses) or "only this machine" (loopback). */
export async function askWhereToListen(title: string): Promise<string> {
  return given(
    await pickOne(title, [
      {
        label: t('$(organization) Teammates on my network'),
        detail: t('Listens on all addresses (0.0.0.0); needs a team secret'),
        value: '0.0.0.0',
      },
      {
        label: t('$(vm) Only this machine'),
        detail: t('Listens on 127.0.0.1, for a node or another editor on this machine'),
        value: '127.0.0.1',
      },
    ]),
  );
}

/**
 * Listening beyond loopback needs a team secret: interactively, "Set Team Secret" runs first (the
 * command ends quietly when the user dismisses it); with an argument, the command fails instead.
 */
export async function ensureSecretToListen(listenHost: string, secret: TeamSecret, interactive: boolean): Promise<void> {
  if (isLoopbackHost(listenHost) || (await secret.get())) return;
  if (!interactive)
    throw new InvalidInputError(t('listening on {0} needs a team secret: run "Minidote: Set Team Secret" first', listenHost));
  await vscode.commands.executeCommand('minidote.setTeamSecret');
  if (!(await secret.get())) throw new Cancelled();
}

/**
 * The outbound link to `url` once it is connected, or as it stands after `timeoutMs` (a peer that
 * is down keeps being retried in the background).
 */
export function settledPeer(host: NodeHost, url: string, timeoutMs: number): Promise<PeerStatus | undefined> {
  const find = () => host.node?.status().peers.find((p) => p.direction === 'outbound' && p.url === url);
  return new Promise((resolve) => {
    const check = () => {
      const peer = find();
      if (peer?.connected) finish(peer);
    };
    const subscription = host.onPeersChanged(check);
    const timer = setTimeout(() => finish(find()), timeoutMs);
    function finish(peer: PeerStatus | undefined) {
      clearTimeout(timer);
      subscription.dispose();
      resolve(peer);
    }
    check();
  });
}
