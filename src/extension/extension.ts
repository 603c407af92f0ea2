import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { MinidoteApi, createApi } from './api';
import { registerCommands } from './commands';
import { ContextKeys } from './contextKeys';
import { FlagWatcher } from './flagWatcher';
import { ObjectWatcher } from './objectWatcher';
import { t, useTranslator } from './localize';
import { JoinLinkHandler } from './joinHandler';
import { HostConfig, NodeHost } from './nodeHost';
import { Notification, Notifier } from './notifier';
import { ObjectsTreeProvider, createObjectsView } from './objectsTree';
import { ReplicaPanel, registerReplicaPanelSerializer } from './panel/replicaPanel';
import { PeersTreeProvider, createPeersView } from './peersTree';
import { SettingsReading, readSettings } from './settings';
import { StatusBar } from './statusBar';
import { TeamSecret } from './teamSecret';

/**
 * The extension's parts, reachable from the extension-host tests through the exports under this
 * symbol (not part of the API for other extensions).
 */
export const INTERNALS = Symbol.for('minidote.internals');
export interface MinidoteInternals {
  readonly host: NodeHost;
  readonly objects: ObjectsTreeProvider;
  readonly peers: PeersTreeProvider;
  readonly statusBar: StatusBar;
  readonly contextKeys: ContextKeys;
  readonly notifications: () => readonly Notification[];
  /** The `vscode://…/join` link handler (its confirmation can be answered by the tests). */
  readonly join: JoinLinkHandler;
  readonly secret: TeamSecret;
}

let activeHost: NodeHost | undefined;

/**
 * Cheap on purpose: the replica opens its storage and links in the background (commands and API
 * calls wait for it); views, commands and settings are wired immediately.
 */
export function activate(context: vscode.ExtensionContext): MinidoteApi {
  useTranslator((message, ...args) => vscode.l10n.t(message, ...args));
  const output = vscode.window.createOutputChannel('Minidote', { log: true });
  const notifier = new Notifier(output);
  const secret = new TeamSecret(context.secrets);
  const dataDir = (context.storageUri ?? context.globalStorageUri).fsPath;

  let reading = readSettings(settingSource());
  reportProblems(notifier, reading.problems);
  const host = new NodeHost({
    dataDir,
    report: (message) => void notifier.error(message),
    log: (level, message) => output[level](message),
    defaultDisplayName: userName(),
  });
  activeHost = host;
  const configFor = async (settings = reading.settings): Promise<HostConfig> => ({ settings, secret: await secret.get() });
  host.start(mkdir(dataDir, { recursive: true }).then(() => configFor()));

  const settings = () => reading.settings;
  // What the panel's host side finds wrong (a malformed message from the page) goes to the log.
  const panelLog = (message: string) => output.warn(message);
  const objects = new ObjectsTreeProvider(host);
  const peers = new PeersTreeProvider(host);
  const statusBar = new StatusBar(host, settings);
  const flagWatcher = new FlagWatcher(host, settings, notifier);
  const watcher = new ObjectWatcher(host, context.workspaceState, notifier);
  const contextKeys = new ContextKeys(host);
  const { api, disposable: apiDisposable } = createApi(host);
  const applySecret = async (value: string | undefined) => host.configure({ settings: reading.settings, secret: value });
  const join = new JoinLinkHandler({ host, secret, notifier, applySecret });
  const reconfigure = async () => {
    try {
      await host.configure(await configFor());
    } catch (error) {
      notifier.failure(t('Minidote: applying the settings'), error);
    }
  };

  context.subscriptions.push(
    notifier,
    objects,
    peers,
    statusBar,
    flagWatcher,
    watcher,
    contextKeys,
    apiDisposable,
    ...createObjectsView(objects, host, notifier),
    createPeersView(peers),
    // An open panel follows the node when a settings change reopens it (the old one is closed).
    host.onDidOpenNode((node) => ReplicaPanel.attach(node)),
    ...registerCommands({
      host,
      notifier,
      secret,
      settings,
      editor: () => reading.editor,
      applySecret,
      showPanel: (node) => ReplicaPanel.show(context.extensionUri, node, panelLog),
      joinLinkTarget: { scheme: vscode.env.uriScheme, extensionId: context.extension.id },
      watcher,
    }),
    vscode.window.registerUriHandler(join),
    registerReplicaPanelSerializer(context.extensionUri, () => host.node, panelLog),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('minidote')) return;
      const previous = reading;
      reading = readSettings(settingSource());
      reportProblems(notifier, reading.problems, previous);
      statusBar.update();
      flagWatcher.resync();
      void reconfigure();
    }),
    secret.onDidChange(() => void reconfigure()),
  );

  Object.defineProperty(api, INTERNALS, {
    value: {
      host,
      objects,
      peers,
      statusBar,
      contextKeys,
      notifications: () => notifier.history,
      join,
      secret,
    } satisfies MinidoteInternals,
  });
  return api;
}

/** Closes the links and flushes the storage before the extension host exits. */
export async function deactivate(): Promise<void> {
  const host = activeHost;
  activeHost = undefined;
  await host?.close();
}

function settingSource(): (name: string) => unknown {
  const config = vscode.workspace.getConfiguration('minidote');
  return (name) => config.get(name);
}

/** Settings problems, each shown once (not again on every later settings change). */
function reportProblems(notifier: Notifier, problems: readonly string[], previous?: SettingsReading): void {
  for (const problem of problems) {
    if (!previous?.problems.includes(problem)) void notifier.error(t('Minidote: {0}', problem));
  }
}

function userName(): string | undefined {
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined; // no user database entry (some containers): the node's id is used instead
  }
}
