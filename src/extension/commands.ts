import * as os from 'node:os';
import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import { Json } from '../core/json';
import { ObjectKey } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { generateSecret } from '../net/auth';
import { parsePeerUrl } from '../net/peerUrl';
import { MinidoteNode } from '../node/minidoteNode';
import { ObjectTarget, isPort, parseAmount, parseJsonField, parseListenArgs, parseSecretArg, parseTarget, parseUrlArg } from './commandArgs';
import { COMMAND_IDS, CommandId } from './commandIds';
import { Family, resolveType } from './families';
import { joinHint, joinUrl } from './joinLink';
import { formatKeyRef } from './keyRef';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { objectEntries, valueLabel } from './objectsModel';
import { askText, integerProblem, pickObject, pickOne } from './prompts';
import { MinidoteSettings } from './settings';
import { removalProblem, secretProblem } from './secretPolicy';
import { TeamSecret } from './teamSecret';

export interface CommandDeps {
  readonly host: NodeHost;
  readonly notifier: Notifier;
  readonly secret: TeamSecret;
  readonly settings: () => MinidoteSettings;
  /** Applies a new team secret to the running node. */
  readonly applySecret: (secret: string | undefined) => Promise<void>;
  readonly showPanel: (node: MinidoteNode) => void;
}

/** A handler returns its result, or undefined when the user cancelled a prompt. */
type Handler = (arg: unknown) => Promise<unknown>;

/** Thrown to end a command quietly because the user dismissed a prompt. */
class Cancelled extends Error {}

function given<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}

/** Registers every command; each one reports its failure as a notification and resolves undefined. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const handlers = commandHandlers(deps);
  return COMMAND_IDS.map((id) =>
    vscode.commands.registerCommand(id, async (arg?: unknown) => {
      try {
        return await handlers[id](arg);
      } catch (error) {
        if (!(error instanceof Cancelled)) deps.notifier.failure(`Minidote: ${titleOf(id)}`, error);
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
  const choice = await pickOne('Minidote: Set Team Secret', [
    { label: '$(sparkle) Generate a strong secret', detail: 'Copied to the clipboard: send it to your teammates over a channel you trust', value: 'generate' as const },
    { label: '$(key) Enter the team secret', detail: 'A teammate gave you one (at least 16 characters)', value: 'enter' as const },
    ...(current ? [{ label: '$(trash) Remove the secret', detail: 'Links reconnect without authentication', value: 'remove' as const }] : []),
  ]);
  if (choice === 'remove') return '';
  if (choice === 'generate') {
    const secret = generateSecret();
    await vscode.env.clipboard.writeText(secret);
    return secret;
  }
  if (choice === undefined) return undefined;
  return askText({
    title: 'Minidote: Set Team Secret',
    prompt: 'The secret your team shares (kept in VS Code secret storage)',
    password: true,
    check: secretProblem,
  });
}

/** "minidote.addToSet" → "add to set", for error messages. */
function titleOf(id: CommandId): string {
  return id.slice('minidote.'.length).replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function commandHandlers(deps: CommandDeps): Record<CommandId, Handler> {
  const { host, notifier } = deps;

  /** The object a command acts on: from the argument, else picked (or typed) by the user. */
  async function target(family: Family, arg: unknown, title: string): Promise<{ node: MinidoteNode; key: ObjectKey; given: boolean }> {
    const node = await host.whenReady();
    const entries = objectEntries(node.replica);
    const fromArg: ObjectTarget | undefined = parseTarget(arg);
    if (fromArg) {
      const type = resolveType(family, fromArg, entries.map((e) => e.key), fromArg.type);
      return { node, key: { bucket: fromArg.bucket, key: fromArg.key, type }, given: true };
    }
    return { node, key: given(await pickObject(family, title, entries)), given: false };
  }

  async function update(node: MinidoteNode, key: ObjectKey, op: string, args: readonly Json[] = []): Promise<VectorClock> {
    return node.update([{ ...key, op, args }]);
  }

  async function amount(key: ObjectKey, arg: unknown, fromArg: boolean, verb: string): Promise<number> {
    const n = parseAmount(arg);
    if (n !== undefined) return n;
    // A target without an amount (a keybinding, the tree's inline +/−) means one step.
    if (fromArg) return 1;
    const positive = key.type === 'counter_pn_sb';
    const text = await askText({
      title: `Minidote: ${verb} ${formatKeyRef(key)}`,
      prompt: `How much to ${verb.toLowerCase()} by`,
      value: '1',
      check: (t) => integerProblem(t, positive),
    });
    return Number(given(text));
  }

  async function counter(arg: unknown, op: 'increment' | 'decrement', verb: string): Promise<VectorClock> {
    const t = await target('counter', arg, `Minidote: ${verb} Counter`);
    return update(t.node, t.key, op, [await amount(t.key, arg, t.given, verb)]);
  }

  async function flag(arg: unknown, op: 'enable' | 'disable' | 'toggle'): Promise<VectorClock> {
    const title = { enable: 'Enable Flag', disable: 'Disable Flag', toggle: 'Toggle Flag' }[op];
    const t = await target('flag', arg, `Minidote: ${title}`);
    const next = op === 'toggle' ? (t.node.replica.value(t.key) === true ? 'disable' : 'enable') : op;
    return update(t.node, t.key, next);
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
      const t = await target('set', arg, 'Minidote: Add to Set');
      const element =
        parseJsonField(arg, 'element') ??
        given(
          await askText({
            title: `Minidote: Add to ${formatKeyRef(t.key)}`,
            prompt: 'Element to add (added as text)',
            check: (text) => (text === '' ? 'Type the element to add' : undefined),
          }),
        );
      return update(t.node, t.key, 'add', [element]);
    },

    'minidote.removeFromSet': async (arg) => {
      const t = await target('set', arg, 'Minidote: Remove from Set');
      let element = parseJsonField(arg, 'element');
      if (element === undefined) {
        const current = t.node.replica.value(t.key);
        const elements = Array.isArray(current) ? current : [];
        if (elements.length === 0) throw new InvalidInputError(`${formatKeyRef(t.key)} is empty: there is nothing to remove`);
        const items = elements.map((e) => ({ label: valueLabel(e), value: e }));
        element = given(await pickOne(`Minidote: Remove from ${formatKeyRef(t.key)}`, items));
      }
      return update(t.node, t.key, 'remove', [element]);
    },

    'minidote.incrementCounter': (arg) => counter(arg, 'increment', 'Increment'),
    'minidote.decrementCounter': (arg) => counter(arg, 'decrement', 'Decrement'),

    'minidote.assignRegister': async (arg) => {
      const t = await target('register', arg, 'Minidote: Assign Register');
      let value = parseJsonField(arg, 'value');
      if (value === undefined) {
        const current = t.node.replica.value(t.key);
        const shown = Array.isArray(current) && current.length === 1 ? valueLabel(current[0]) : '';
        value = given(
          await askText({
            title: `Minidote: Assign ${formatKeyRef(t.key)}`,
            prompt: 'New value (assigned as text; replaces the values you see now)',
            value: shown,
          }),
        );
      }
      return update(t.node, t.key, 'assign', [value]);
    },

    'minidote.connectPeer': async (arg) => {
      const text =
        parseUrlArg(arg) ??
        given(
          await askText({
            title: 'Minidote: Connect to Peer',
            prompt: 'WebSocket URL of a peer (from its "Minidote: Copy Join Link" or `minidote serve`)',
            placeholder: 'ws://192.168.1.20:7878',
            check: peerUrlProblem,
          }),
        );
      const url = parsePeerUrl(text);
      await host.connectPeer(url);
      vscode.window.setStatusBarMessage(`Minidote: connecting to ${url}…`, 3000);
      return url;
    },

    'minidote.disconnectPeer': async (arg) => {
      let url = parseUrlArg(arg);
      if (url === undefined) {
        const node = await host.whenReady();
        const peers = node.status().peers.filter((p) => p.direction === 'outbound' && p.url !== null);
        if (peers.length === 0) throw new InvalidInputError('there is no outbound peer to disconnect');
        const items = peers.map((p) => ({ label: p.url as string, description: `${p.displayName ?? p.id ?? ''} ${p.state}`.trim(), value: p.url as string }));
        url = given(await pickOne('Minidote: Disconnect Peer', items));
      }
      const normalized = parsePeerUrl(url);
      await host.disconnectPeer(normalized);
      if (deps.settings().peers.includes(normalized)) {
        void notifier.info(`Minidote: disconnected ${normalized} for this session; it is in the minidote.peers setting, so remove it there to drop it for good.`);
      }
      return normalized;
    },

    'minidote.startListening': async (arg) => {
      const settings = deps.settings();
      let listen = parseListenArgs(arg);
      if (!listen) {
        const port = await askText({
          title: 'Minidote: Start Listening',
          prompt: `Port to listen on at ${settings.listenHost} (0 = any free port)`,
          value: String(settings.listenPort || 7878),
          check: (t) => (/^\d+$/.test(t.trim()) && isPort(Number(t)) ? undefined : 'Type a port from 0 to 65535'),
        });
        listen = { port: Number(given(port)) };
      }
      const url = await host.listen(listen.host ?? settings.listenHost, listen.port ?? settings.listenPort);
      void notifier.info(`Minidote is listening on ${url}.`, 'Copy Join Link').then((choice) => {
        if (choice) void vscode.commands.executeCommand('minidote.copyJoinLink');
      });
      return url;
    },

    'minidote.stopListening': async () => {
      await host.stopListening();
      vscode.window.setStatusBarMessage('Minidote: stopped listening', 3000);
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
        void notifier.error('Minidote: not listening, so there is no link to copy. Start listening first.', 'Start Listening').then((choice) => {
          if (choice) void vscode.commands.executeCommand('minidote.startListening');
        });
        return undefined;
      }
      const url = joinUrl(listening, os.networkInterfaces());
      await vscode.env.clipboard.writeText(url);
      void notifier.info(`Minidote: ${joinHint(url)}`);
      return url;
    },
  };
}
