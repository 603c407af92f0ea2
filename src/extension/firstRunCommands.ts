import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import { parsePeerUrl } from '../net/peerUrl';
import { parseListenArgs, parseTarget, parseUrlArg } from './commandArgs';
import { Handler, given } from './commandFlow';
import { formatKeyRef } from './keyRef';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { objectEntries } from './objectsModel';
import { askText, pickObject } from './prompts';
import { MinidoteSettings } from './settings';
import { askWhereToListen, ensureSecretToListen, rememberPeer, stringList } from './teamSteps';
import { TeamSecret } from './teamSecret';

export interface FirstRunDeps {
  readonly host: NodeHost;
  readonly secret: TeamSecret;
  readonly settings: () => MinidoteSettings;
}

type FirstRunCommand = 'minidote.setDisplayName' | 'minidote.joinTeam' | 'minidote.startTeam' | 'minidote.showFlagInStatusBar';

export const MAX_DISPLAY_NAME = 64;

export function displayNameProblem(text: string): string | undefined {
  const name = text.trim();
  if (name === '') return t('Type the name your teammates will see');
  if (name.length > MAX_DISPLAY_NAME) return t('Keep it under {0} characters', MAX_DISPLAY_NAME + 1);
  return undefined;
}

/** `"name"` or `{ name }`. */
function parseNameArg(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  const name = typeof arg === 'object' ? (arg as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') throw new InvalidInputError(t('expected the name as a string or { "name": "..." }'));
  return name;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('minidote');
}

/** Where to write a list setting: the workspace when it already sets one (which would hide a user value). */
function listTarget(name: string): vscode.ConfigurationTarget {
  return config().inspect(name)?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/**
 * The commands behind the first-run walkthrough and the Objects welcome view: set your name, join
 * a team (a teammate's join link or the team's always-on `minidote serve`) or start one, and show
 * a flag in the status bar. Each also takes its answer as an argument.
 */
export function firstRunHandlers(deps: FirstRunDeps): Record<FirstRunCommand, Handler> {
  const { host } = deps;
  return {
    'minidote.setDisplayName': async (arg) => {
      const current = deps.settings().displayName || host.node?.status().displayName || '';
      const name = (
        parseNameArg(arg) ??
        given(
          await askText({
            title: t('Minidote: Set Your Name'),
            prompt: t('The name your teammates see next to your changes and in their Peers view'),
            value: current,
            keepOpen: true,
            check: displayNameProblem,
          }),
        )
      ).trim();
      const problem = displayNameProblem(name);
      if (problem) throw new InvalidInputError(problem);
      // A user setting: the repository's settings cannot name you (the setting's scope is "application").
      await config().update('displayName', name, vscode.ConfigurationTarget.Global);
      return name;
    },

    'minidote.joinTeam': async (arg) => {
      const text =
        parseUrlArg(arg) ??
        given(
          await askText({
            title: t('Minidote: Join a Team'),
            prompt: t('Paste the join link a teammate copied ("Minidote: Copy Join Link"), or the address of your team\'s always-on node'),
            placeholder: 'ws://192.168.1.20:7878',
            keepOpen: true,
            check: (value) => void parsePeerUrl(value),
          }),
        );
      const url = await rememberPeer(host, text);
      vscode.window.setStatusBarMessage(t('Minidote: joining {0}…', url), 3000);
      return url;
    },

    'minidote.startTeam': async (arg) => {
      const listen = parseListenArgs(arg) ?? { host: await askWhereToListen(t('Minidote: Start a Team')) };
      const listenHost = listen.host ?? deps.settings().listenHost;
      await ensureSecretToListen(listenHost, deps.secret, arg === undefined);
      await host.listen(listenHost, listen.port ?? deps.settings().listenPort);
      return vscode.commands.executeCommand<string | undefined>('minidote.copyJoinLink');
    },

    'minidote.showFlagInStatusBar': async (arg) => {
      const fromArg = parseTarget(arg);
      let name: string;
      if (fromArg) name = formatKeyRef(fromArg);
      else {
        const node = await host.whenReady();
        name = formatKeyRef(given(await pickObject('flag', t('Minidote: Show a Flag in the Status Bar'), objectEntries(node))));
      }
      const flags = stringList(config().get('statusBar.flags'));
      if (!flags.includes(name)) await config().update('statusBar.flags', [...flags, name], listTarget('statusBar.flags'));
      return name;
    },
  };
}
