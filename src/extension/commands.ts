import * as os from 'node:os';
import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import { Json } from '../core/json';
import { ObjectKey } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { generateSecret } from '../net/auth';
import { parsePeerUrl } from '../net/peerUrl';
import { ReplicaNode } from '../node/replicaNode';
import {
  ObjectTarget,
  isPort,
  parseAmount,
  parseInviteArgs,
  parseJsonField,
  parseListenArgs,
  parseSecretArg,
  parseTarget,
  parseUrlArg,
} from './commandArgs';
import { Cancelled, Handler, given } from './commandFlow';
import { COMMAND_IDS, CommandId } from './commandIds';
import { Family, resolveType } from './families';
import { firstRunHandlers } from './firstRunCommands';
import { LinkTarget, addressChoices, addressLabel, buildJoinLink, isWildcardListen, peerUrlAt, serveLine } from './inviteModel';
import { joinHint, joinUrl } from './joinLink';
import { formatKeyRef } from './keyRef';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { objectEntries, valueLabel } from './objectsModel';
import { askText, integerProblem, pickObject, pickOne } from './prompts';
import { isTreeElementArg, needsRemovalConfirmation } from './removalConfirmModel';
import { EditorPreferences, MinidoteSettings } from './settings';
import { removalProblem, secretProblem } from './secretPolicy';
import { ObjectWatcher } from './objectWatcher';
import { taskHandlers } from './taskCommands';
import { watchHandlers } from './watchCommands';
import { askWhereToListen, ensureSecretToListen } from './teamSteps';
import { TeamSecret } from './teamSecret';

export interface CommandDeps {
  readonly host: NodeHost;
  readonly notifier: Notifier;
  readonly secret: TeamSecret;
  readonly settings: () => MinidoteSettings;
  readonly editor: () => EditorPreferences;
  /** Applies a new team secret to the running node. */
  readonly applySecret: (secret: string | undefined) => Promise<void>;
  readonly showPanel: (node: ReplicaNode) => void;
  /** Where invite links point: this editor's URI scheme and the extension's id. */
  readonly joinLinkTarget: LinkTarget;
  readonly watcher: ObjectWatcher;
}

/** Registers every command; each one reports its failure as a notification and resolves undefined. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const handlers: Record<CommandId, Handler> = {
    ...commandHandlers(deps),
    ...taskHandlers(deps.host),
    ...firstRunHandlers(deps),
    ...watchHandlers(deps.host, deps.watcher, deps.notifier),
  };
  return COMMAND_IDS.map((id) =>
    vscode.commands.registerCommand(id, async (arg?: unknown) => {
      try {
        return await handlers[id](arg);
      } catch (error) {
        if (!(error instanceof Cancelled)) deps.notifier.failure(t('Minidote: {0}', failureContext(id)), error);
        return undefined;
      }
    }),
  );
}

/**
 * Offers to generate a strong secret (copied to the clipboard, to send to teammates), to type the
 * team's, or to remove it. Resolves with the secret ('' = remove), undefined when dismissed.
 */
async function askSecret(current: string | undefined): Promise<string | undefined> {
  const choice = await pickOne(t('Minidote: Set Team Secret'), [
    {
      label: `$(sparkle) ${t('Generate a strong secret')}`,
      detail: t('Copied to the clipboard: send it to your teammates over a channel you trust'),
      value: 'generate' as const,
    },
    {
      label: `$(key) ${t('Enter the team secret')}`,
      detail: t('A teammate gave you one (at least 16 characters)'),
      value: 'enter' as const,
    },
    ...(current
      ? [{ label: `$(trash) ${t('Remove the secret')}`, detail: t('Links reconnect without authentication'), value: 'remove' as const }]
      : []),
  ]);
  if (choice === 'remove') return '';
  if (choice === 'generate') {
    const secret = generateSecret();
    await vscode.env.clipboard.writeText(secret);
    return secret;
  }
  if (choice === undefined) return undefined;
  return askText({
    title: t('Minidote: Set Team Secret'),
    prompt: t('The secret your team shares (kept in VS Code secret storage)'),
    password: true,
    check: secretProblem,
  });
}

/** What a failure message says the command was doing ("Minidote: add to set: …"). */
function failureContext(id: CommandId): string {
  switch (id) {
    case 'minidote.showPanel':
      return t('show panel');
    case 'minidote.toggleFlag':
      return t('toggle flag');
    case 'minidote.enableFlag':
      return t('enable flag');
    case 'minidote.disableFlag':
      return t('disable flag');
    case 'minidote.addToSet':
      return t('add to set');
    case 'minidote.removeFromSet':
      return t('remove from set');
    case 'minidote.incrementCounter':
      return t('increment counter');
    case 'minidote.decrementCounter':
      return t('decrement counter');
    case 'minidote.assignRegister':
      return t('assign register');
    case 'minidote.connectPeer':
      return t('connect peer');
    case 'minidote.disconnectPeer':
      return t('disconnect peer');
    case 'minidote.startListening':
      return t('start listening');
    case 'minidote.stopListening':
      return t('stop listening');
    case 'minidote.setTeamSecret':
      return t('set team secret');
    case 'minidote.copyJoinLink':
      return t('copy join link');
    case 'minidote.read':
      return t('read');
    case 'minidote.waitForFlag':
      return t('wait for flag');
    case 'minidote.showLog':
      return t('show log');
    case 'minidote.setDisplayName':
      return t('set your name');
    case 'minidote.joinTeam':
      return t('join a team');
    case 'minidote.startTeam':
      return t('start a team');
    case 'minidote.showFlagInStatusBar':
      return t('show a flag in the status bar');
    case 'minidote.inviteTeammate':
      return t('invite a teammate');
    case 'minidote.watchObject':
      return t('watch an object');
  }
}

type CoreCommand = Exclude<
  CommandId,
  | 'minidote.read'
  | 'minidote.waitForFlag'
  | 'minidote.setDisplayName'
  | 'minidote.joinTeam'
  | 'minidote.startTeam'
  | 'minidote.showFlagInStatusBar'
  | 'minidote.watchObject'
>;

function commandHandlers(deps: CommandDeps): Record<CoreCommand, Handler> {
  const { host, notifier } = deps;
  /** The user confirmed a permanent removal in this session: not asked again until the next one. */
  let removalConfirmed = false;

  /** The object a command acts on: from the argument, else picked (or typed) by the user. */
  async function target(family: Family, arg: unknown, title: string): Promise<{ node: ReplicaNode; key: ObjectKey; given: boolean }> {
    const node = await host.whenReady();
    const entries = objectEntries(node);
    const fromArg: ObjectTarget | undefined = parseTarget(arg);
    if (fromArg) {
      const type = resolveType(
        family,
        fromArg,
        entries.map((e) => e.key),
        fromArg.type,
      );
      return { node, key: { bucket: fromArg.bucket, key: fromArg.key, type }, given: true };
    }
    return { node, key: given(await pickObject(family, title, entries)), given: false };
  }

  async function update(node: ReplicaNode, key: ObjectKey, op: string, args: readonly Json[] = []): Promise<VectorClock> {
    return node.update([{ ...key, op, args }]);
  }

  async function amount(key: ObjectKey, arg: unknown, fromArg: boolean, increment: boolean): Promise<number> {
    const n = parseAmount(arg);
    if (n !== undefined) return n;
    // A target without an amount (a keybinding, the tree's inline +/−) means one step.
    if (fromArg) return 1;
    const positive = key.type === 'counter_pn_sb';
    const name = formatKeyRef(key);
    const text = await askText({
      title: increment ? t('Minidote: Increment {0}', name) : t('Minidote: Decrement {0}', name),
      prompt: increment ? t('How much to increment by') : t('How much to decrement by'),
      value: '1',
      check: (v) => integerProblem(v, positive),
    });
    return Number(given(text));
  }

  async function counter(arg: unknown, op: 'increment' | 'decrement'): Promise<VectorClock> {
    const title = op === 'increment' ? t('Minidote: Increment Counter') : t('Minidote: Decrement Counter');
    const c = await target('counter', arg, title);
    return update(c.node, c.key, op, [await amount(c.key, arg, c.given, op === 'increment')]);
  }

  async function flag(arg: unknown, op: 'enable' | 'disable' | 'toggle'): Promise<VectorClock> {
    const title = { enable: t('Minidote: Enable Flag'), disable: t('Minidote: Disable Flag'), toggle: t('Minidote: Toggle Flag') }[op];
    const f = await target('flag', arg, title);
    const next = op === 'toggle' ? (f.node.value(f.key) === true ? 'disable' : 'enable') : op;
    return update(f.node, f.key, next);
  }

  /** A set_2p never takes a removed element back: the first such removal of a session asks. */
  async function confirmRemoval(key: ObjectKey, element: Json, interactive: boolean): Promise<void> {
    const ask = needsRemovalConfirmation({
      type: key.type,
      interactive,
      confirmSetting: deps.editor().confirmPermanentRemoval,
      confirmedThisSession: removalConfirmed,
    });
    if (!ask) return;
    const remove = t('Remove');
    const never = t("Remove, Don't Ask Again");
    const choice = await vscode.window.showWarningMessage(
      t('Remove "{0}" from {1} for good?', valueLabel(element), formatKeyRef(key)),
      {
        modal: true,
        detail: t('{0} is a two-phase set (set_2p): an element removed from it can never be added again, by anyone.', formatKeyRef(key)),
      },
      remove,
      never,
    );
    if (choice === undefined) throw new Cancelled();
    removalConfirmed = true;
    if (choice === never)
      await vscode.workspace.getConfiguration('minidote').update('confirmPermanentRemoval', false, vscode.ConfigurationTarget.Global);
  }

  function peerUrlProblem(text: string): string | undefined {
    parsePeerUrl(text);
    return undefined;
  }

  return {
    'minidote.showPanel': async () => deps.showPanel(await host.whenReady()),
    'minidote.toggleFlag': (arg) => flag(arg, 'toggle'),
    'minidote.enableFlag': (arg) => flag(arg, 'enable'),
    'minidote.disableFlag': (arg) => flag(arg, 'disable'),

    'minidote.addToSet': async (arg) => {
      const s = await target('set', arg, t('Minidote: Add to Set'));
      const element =
        parseJsonField(arg, 'element') ??
        given(
          await askText({
            title: t('Minidote: Add to {0}', formatKeyRef(s.key)),
            prompt: t('Element to add (added as text)'),
            check: (text) => (text === '' ? t('Type the element to add') : undefined),
          }),
        );
      return update(s.node, s.key, 'add', [element]);
    },

    'minidote.removeFromSet': async (arg) => {
      const s = await target('set', arg, t('Minidote: Remove from Set'));
      let element = parseJsonField(arg, 'element');
      const picked = element === undefined;
      if (element === undefined) {
        const current = s.node.value(s.key);
        const elements = Array.isArray(current) ? current : [];
        if (elements.length === 0) throw new InvalidInputError(t('{0} is empty: there is nothing to remove', formatKeyRef(s.key)));
        const items = elements.map((e) => ({ label: valueLabel(e), value: e }));
        element = given(await pickOne(t('Minidote: Remove from {0}', formatKeyRef(s.key)), items));
      }
      await confirmRemoval(s.key, element, picked || isTreeElementArg(arg));
      return update(s.node, s.key, 'remove', [element]);
    },

    'minidote.incrementCounter': (arg) => counter(arg, 'increment'),
    'minidote.decrementCounter': (arg) => counter(arg, 'decrement'),

    'minidote.assignRegister': async (arg) => {
      const r = await target('register', arg, t('Minidote: Assign Register'));
      let value = parseJsonField(arg, 'value');
      if (value === undefined) {
        const current = r.node.value(r.key);
        const shown = Array.isArray(current) && current.length === 1 ? valueLabel(current[0]) : '';
        value = given(
          await askText({
            title: t('Minidote: Assign {0}', formatKeyRef(r.key)),
            prompt: t('New value (assigned as text; replaces the values you see now)'),
            value: shown,
          }),
        );
      }
      return update(r.node, r.key, 'assign', [value]);
    },

    'minidote.connectPeer': async (arg) => {
      const text =
        parseUrlArg(arg) ??
        given(
          await askText({
            title: t('Minidote: Connect to Peer'),
            prompt: t('WebSocket URL of a peer (from its "Minidote: Copy Join Link" or `minidote serve`)'),
            placeholder: 'ws://192.168.1.20:7878',
            check: peerUrlProblem,
          }),
        );
      const url = parsePeerUrl(text);
      await host.connectPeer(url);
      vscode.window.setStatusBarMessage(t('Minidote: connecting to {0}…', url), 3000);
      return url;
    },

    'minidote.disconnectPeer': async (arg) => {
      let url = parseUrlArg(arg);
      if (url === undefined) {
        const node = await host.whenReady();
        const peers = node.status().peers.filter((p) => p.direction === 'outbound' && p.url !== null);
        if (peers.length === 0) throw new InvalidInputError(t('there is no outbound peer to disconnect'));
        const items = peers.map((p) => ({
          label: p.url as string,
          description: `${p.displayName ?? p.id ?? ''} ${p.state}`.trim(),
          value: p.url as string,
        }));
        url = given(await pickOne(t('Minidote: Disconnect Peer'), items));
      }
      const normalized = parsePeerUrl(url);
      await host.disconnectPeer(normalized);
      if (deps.settings().peers.includes(normalized)) {
        void notifier.info(
          t(
            'Minidote: disconnected {0} for this session; it is in the minidote.peers setting, so remove it there to drop it for good.',
            normalized,
          ),
        );
      }
      return normalized;
    },

    'minidote.startListening': async (arg) => {
      const settings = deps.settings();
      let listen = parseListenArgs(arg);
      if (!listen) {
        const where = await askWhereToListen(t('Minidote: Start Listening'));
        const port = await askText({
          title: t('Minidote: Start Listening'),
          prompt: t('Port to listen on at {0} (0 = any free port)', where),
          value: String(settings.listenPort || 7878),
          check: (v) => (/^\d+$/.test(v.trim()) && isPort(Number(v)) ? undefined : t('Type a port from 0 to 65535')),
        });
        listen = { host: where, port: Number(given(port)) };
      }
      const listenHost = listen.host ?? settings.listenHost;
      await ensureSecretToListen(listenHost, deps.secret, arg === undefined);
      const url = await host.listen(listenHost, listen.port ?? settings.listenPort);
      const invite = t('Invite Teammate');
      const copy = t('Copy Join Link');
      void notifier.info(t('Minidote is listening on {0}.', url), invite, copy).then((choice) => {
        if (choice === invite) void vscode.commands.executeCommand('minidote.inviteTeammate');
        if (choice === copy) void vscode.commands.executeCommand('minidote.copyJoinLink');
      });
      return url;
    },

    'minidote.inviteTeammate': async (arg) => {
      const title = t('Minidote: Invite Teammate');
      const options = parseInviteArgs(arg) ?? {};
      const node = await host.whenReady();
      let listening = node.listenUrl;
      if (!listening) {
        if (arg !== undefined)
          throw new InvalidInputError(t('not listening, so there is nothing to invite to: run "Minidote: Start a Team" first'));
        const where = await askWhereToListen(title);
        await ensureSecretToListen(where, deps.secret, true);
        listening = await host.listen(where, deps.settings().listenPort);
      }
      let peer = listening;
      if (options.address !== undefined) peer = peerUrlAt(listening, options.address);
      else if (isWildcardListen(listening)) {
        const choices = addressChoices(os.networkInterfaces());
        const address =
          choices.length === 1
            ? choices[0].address
            : given(
                await pickOne(
                  t('{0}: the address your teammate can reach', title),
                  choices.map((c) => ({ ...addressLabel(c), value: c.address })),
                ),
              );
        peer = peerUrlAt(listening, address);
      }
      const secret = await deps.secret.get();
      const includeSecret =
        secret !== undefined &&
        (options.includeSecret ??
          given(
            await pickOne(title, [
              {
                label: t('$(lock) Link without the team secret'),
                detail: t('Send the secret separately; the teammate sets it with "Minidote: Set Team Secret"'),
                value: false,
              },
              {
                label: t('$(key) Link that contains the team secret'),
                detail: t('One click to join; send the link only over a channel you trust'),
                value: true,
              },
            ]),
          ));
      const link = buildJoinLink(deps.joinLinkTarget, { peer, ...(includeSecret && { secret }) });
      const headless = serveLine(peer, secret !== undefined);
      await vscode.env.clipboard.writeText(link);
      const copyLine = t('Copy Command for a Headless Node');
      const message = includeSecret
        ? t('Minidote: copied an invite link to {0}. It CONTAINS the team secret: send it only over a channel you trust.', peer)
        : t('Minidote: copied an invite link to {0} (without the team secret). A teammate opens it to join.', peer);
      void notifier.info(message, copyLine).then((choice) => {
        if (choice === copyLine) void vscode.env.clipboard.writeText(headless);
      });
      return { link, peer, serveLine: headless };
    },

    'minidote.stopListening': async () => {
      await host.stopListening();
      vscode.window.setStatusBarMessage(t('Minidote: stopped listening'), 3000);
    },

    'minidote.setTeamSecret': async (arg) => {
      const secret = (parseSecretArg(arg) ?? given(await askSecret(await deps.secret.get()))).trim();
      const weak = secretProblem(secret);
      if (weak) throw new InvalidInputError(weak);
      if (secret === '') {
        const refused = removalProblem(host.listenUrl());
        if (refused) throw new InvalidInputError(`cannot remove the team secret: ${refused}`);
      }
      await deps.secret.set(secret);
      const value = await deps.secret.get();
      await deps.applySecret(value);
      void notifier.info(
        value ? 'Minidote: team secret saved; links reconnect with it.' : 'Minidote: team secret removed; links reconnect without it.',
      );
    },

    'minidote.copyJoinLink': async () => {
      const node = await host.whenReady();
      const listening = node.listenUrl;
      if (!listening) {
        const start = t('Start Listening');
        void notifier.error(t('Minidote: not listening, so there is no link to copy. Start listening first.'), start).then((choice) => {
          if (choice === start) void vscode.commands.executeCommand('minidote.startListening');
        });
        return undefined;
      }
      const url = joinUrl(listening, os.networkInterfaces());
      await vscode.env.clipboard.writeText(url);
      void notifier.info(t('Minidote: {0}', joinHint(url)));
      return url;
    },

    'minidote.showLog': async () => notifier.output.show(true),
  };
}
