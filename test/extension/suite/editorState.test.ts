import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { HeadlessNode } from '../support/headless';
import { Activated, activated, notificationsSince, until } from '../support/host';

/**
 * Team state driving the editor, against a headless peer (`minidote serve`) that changes it with
 * the command line: the context keys `when` clauses read, the commands tasks use as inputs, and
 * the commands behind the first-run walkthrough. (How the workbench evaluates a keybinding's
 * `when` clause on these keys, as the values sent here, is checked by test/extension/ui/editor.ui.mjs.)
 */
describe('team state that drives the editor (context keys, task inputs, walkthrough)', () => {
  let ext: Activated;
  let headless: HeadlessNode;
  const folder = () => (vscode.workspace.workspaceFolders ?? [])[0].uri.fsPath;
  const tasksFile = () => path.join(folder(), '.vscode/tasks.json');
  const config = () => vscode.workspace.getConfiguration('minidote');
  const keys = () => ext.internals.contextKeys.values;
  const node = () => ext.internals.host.node;
  let displayNameBefore: unknown;

  before(async () => {
    ext = await activated();
    await ext.internals.host.whenReady();
    displayNameBefore = config().inspect('displayName')?.globalValue;
    headless = await HeadlessNode.start(ext.extension.extensionPath, 'editor-peer');
    await vscode.commands.executeCommand('minidote.connectPeer', headless.url);
    const peer = () =>
      node()
        ?.status()
        .peers.find((p) => p.url === headless.url);
    await until(
      () => peer()?.connected === true,
      () => `connected to the headless peer: ${JSON.stringify(node()?.status().peers)}`,
      ext.internals,
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('minidote.disconnectPeer', headless.url);
    for (const name of ['peers', 'statusBar.flags']) await config().update(name, undefined, vscode.ConfigurationTarget.Global);
    await config().update('displayName', displayNameBefore, vscode.ConfigurationTarget.Global);
    if (existsSync(tasksFile())) rmSync(tasksFile());
    await headless?.stop();
    // The suites after this one expect the replica as the host started it: running, under its name.
    const name = typeof displayNameBefore === 'string' ? displayNameBefore : undefined;
    await until(
      () => ext.internals.host.phase === 'running' && (name === undefined || node()?.status().displayName === name),
      'the replica runs under its name again',
      ext.internals,
    );
  });

  /** The flag as this replica sees it, once the peer's change has arrived. */
  const localFlag = (key: string) => node()?.value({ bucket: 'ops', key, type: 'flag_ew' });

  it("sets a flag's context key and minidote.enabledFlags when a peer enables it, and clears them when it disables it", async () => {
    assert.equal(keys()?.['minidote.running'], true);
    // The keys follow peer events, which may arrive after the status already says connected.
    await until(
      () => (keys()?.['minidote.connectedPeers'] ?? 0) >= 1,
      () => `the keys count the connected peer: ${JSON.stringify(keys())}`,
      ext.internals,
    );
    const flagKey = () => keys()?.flags['minidote.flag.ops/when-freeze'];
    const listed = () => keys()?.['minidote.enabledFlags'].includes('ops/when-freeze');
    assert.notEqual(flagKey(), true);

    await headless.update('flag_ew', 'ops', 'when-freeze', 'enable');
    await until(
      () => flagKey() === true && listed() === true,
      () => `the keys say enabled: ${JSON.stringify(keys())}`,
      ext.internals,
    );

    await headless.update('flag_ew', 'ops', 'when-freeze', 'disable');
    await until(
      () => flagKey() === false && listed() === false,
      () => `the keys say disabled: ${JSON.stringify(keys())}`,
      ext.internals,
    );
    assert.equal(localFlag('when-freeze'), false);
  });

  /** Writes the workspace's tasks.json and waits until the task system lists `labels`. */
  async function useTasks(tasks: object[], inputs: object[], labels: string[]): Promise<void> {
    await mkdir(path.dirname(tasksFile()), { recursive: true });
    writeFileSync(tasksFile(), JSON.stringify({ version: '2.0.0', tasks, inputs }, null, 2));
    await until(
      async () => {
        const names = (await vscode.tasks.fetchTasks()).map((t) => t.name);
        return labels.every((l) => names.includes(l));
      },
      `the task system lists ${labels.join(', ')}`,
    );
  }

  /** Starts a tasks.json task by its label, as "Tasks: Run Task" does; resolves when its process ends. */
  function runTask(label: string): { started: Promise<void>; ended: Promise<number | undefined> } {
    let onStart: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (onStart = resolve));
    const ended = new Promise<number | undefined>((resolve) => {
      const subscriptions = [
        vscode.tasks.onDidStartTask((e) => {
          if (e.execution.task.name === label) onStart();
        }),
        vscode.tasks.onDidEndTaskProcess((e) => {
          if (e.execution.task.name !== label) return;
          for (const s of subscriptions) s.dispose();
          resolve(e.exitCode);
        }),
      ];
    });
    void vscode.commands.executeCommand('workbench.action.tasks.runTask', label);
    return { started, ended };
  }

  /** A shell task that writes `text` (with `${input:…}` resolved by VS Code) into `file` in the workspace. */
  const writeTask = (label: string, text: string, file: string) => ({
    label,
    type: 'shell',
    command: `echo ${text} > "\${workspaceFolder}/${file}"`,
    presentation: { reveal: 'never', close: true },
    problemMatcher: [],
  });

  it('gives a task the value of a `minidote.read` command input', async () => {
    await headless.update('register_mv', 'ops', 'release-train', 'assign', 'train-42');
    const train = { bucket: 'ops', key: 'release-train', type: 'register_mv' as const };
    await until(async () => (await ext.api.read([train])).values[0]?.toString() === 'train-42', 'the register arrived', ext.internals);
    assert.equal(await vscode.commands.executeCommand('minidote.read', 'ops/release-train'), 'train-42');
    assert.equal(await vscode.commands.executeCommand('minidote.read', { ...train, format: 'json' }), '["train-42"]');

    await useTasks(
      [writeTask('print release train', '${input:releaseTrain}', 'release-train.txt')],
      [{ id: 'releaseTrain', type: 'command', command: 'minidote.read', args: 'ops/release-train' }],
      ['print release train'],
    );
    const { ended } = runTask('print release train');
    assert.equal(await ended, 0);
    assert.equal(readFileSync(path.join(folder(), 'release-train.txt'), 'utf8').trim(), 'train-42');
  });

  it('runs a task that waits on `minidote.waitForFlag` once a peer disables the flag', async () => {
    await headless.update('flag_ew', 'ops', 'wait-freeze', 'enable');
    await until(() => localFlag('wait-freeze') === true, 'the freeze arrived', ext.internals);
    await useTasks(
      [writeTask('deploy after the freeze', 'deployed-${input:freeze}', 'deploy.txt')],
      [{ id: 'freeze', type: 'command', command: 'minidote.waitForFlag', args: { bucket: 'ops', key: 'wait-freeze', timeout: 120 } }],
      ['deploy after the freeze'],
    );
    const deployFile = path.join(folder(), 'deploy.txt');
    let waited: unknown = 'pending';
    const waiting = vscode.commands.executeCommand('minidote.waitForFlag', 'ops/wait-freeze').then((value) => (waited = value));
    const { ended } = runTask('deploy after the freeze');
    // The flag is on in this replica: neither the command nor the task's input can be done yet.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(waited, 'pending');
    assert.equal(existsSync(deployFile), false, 'the task waits for its input');

    await headless.update('flag_ew', 'ops', 'wait-freeze', 'disable');
    assert.equal(await waiting, 'false');
    assert.equal(await ended, 0);
    assert.equal(readFileSync(deployFile, 'utf8').trim(), 'deployed-false');
  });

  it('gives up waiting for a flag at its timeout, says so, and resolves undefined (a task then does not run)', async () => {
    await headless.update('flag_ew', 'ops', 'stuck-freeze', 'enable');
    await until(() => localFlag('stuck-freeze') === true, 'the freeze arrived', ext.internals);
    const from = ext.internals.notifications().length;
    assert.equal(
      await vscode.commands.executeCommand('minidote.waitForFlag', { bucket: 'ops', key: 'stuck-freeze', timeout: 1 }),
      undefined,
    );
    assert.deepEqual(notificationsSince(ext.internals, from), [
      'error: Minidote: wait for flag: ops/stuck-freeze is still enabled after 1 s',
    ]);
  });

  it('registers the walkthrough, and the commands of its steps do what they say', async () => {
    const walkthroughs = ext.extension.packageJSON.contributes.walkthroughs as {
      id: string;
      steps: { id: string; description: string }[];
    }[];
    assert.deepEqual(
      walkthroughs.map((w) => w.id),
      ['gettingStarted'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const nls = JSON.parse(readFileSync(path.join(ext.extension.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const stepCommands = walkthroughs[0].steps.flatMap((s) =>
      [...(nls[s.description.slice(1, -1)] ?? s.description).matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]),
    );
    assert.deepEqual(stepCommands, [
      'minidote.setDisplayName',
      'minidote.joinTeam',
      'minidote.startTeam',
      'minidote.enableFlag',
      'minidote.showFlagInStatusBar',
    ]);
    assert.deepEqual(
      stepCommands.filter((id) => !registered.has(id)),
      [],
    );

    // 1. Set your name: a user setting, which the replica reopens with.
    assert.equal(await vscode.commands.executeCommand('minidote.setDisplayName', 'Walkthrough Ada'), 'Walkthrough Ada');
    assert.equal(config().inspect('displayName')?.globalValue, 'Walkthrough Ada');
    await until(() => node()?.status().displayName === 'Walkthrough Ada', 'the replica runs under the new name', ext.internals);

    // 2a. Join a team: connected now, and kept in the user's peers for next time.
    await vscode.commands.executeCommand('minidote.disconnectPeer', headless.url);
    assert.equal(await vscode.commands.executeCommand('minidote.joinTeam', headless.url), headless.url);
    assert.deepEqual(config().inspect('peers')?.globalValue, [headless.url]);
    await until(
      () =>
        node()
          ?.status()
          .peers.some((p) => p.url === headless.url && p.connected) === true,
      'joined the headless peer',
      ext.internals,
    );
    await until(
      () => (keys()?.['minidote.connectedPeers'] ?? 0) >= 1 && (keys()?.['minidote.outboundPeers'] ?? 0) >= 1,
      'the peer keys count it',
      ext.internals,
    );

    // 2b. Start a team: listening, with the join link on the clipboard.
    const link = await vscode.commands.executeCommand<string>('minidote.startTeam', { host: '127.0.0.1', port: 0 });
    assert.match(link, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await vscode.env.clipboard.readText(), link);
    await until(() => keys()?.['minidote.listening'] === true, 'minidote.listening is set', ext.internals);
    await vscode.commands.executeCommand('minidote.stopListening');
    await until(() => keys()?.['minidote.listening'] === false, 'minidote.listening is cleared', ext.internals);

    // 3. Create your first flag; 4. watch it in the status bar.
    await vscode.commands.executeCommand('minidote.enableFlag', 'ops/first-flag');
    assert.equal(await vscode.commands.executeCommand('minidote.showFlagInStatusBar', 'ops/first-flag'), 'ops/first-flag');
    assert.ok((config().get<string[]>('statusBar.flags') ?? []).includes('ops/first-flag'));
    await until(
      () => /\$\(flag\) ops\/first-flag/.test(ext.internals.statusBar.content?.text ?? ''),
      'the status bar names the flag',
      ext.internals,
    );
    await until(async () => (await headless.read('flag_ew', 'ops', 'first-flag')) === true, 'the team has the flag');
  });

  it('takes the display name from the user settings, not from the repository', () => {
    const workspaceSettings = readFileSync(path.join(folder(), '.vscode/settings.json'), 'utf8');
    const fromRepository = (JSON.parse(workspaceSettings) as Record<string, unknown>)['minidote.displayName'];
    assert.ok(typeof fromRepository === 'string' && fromRepository !== config().get('displayName'), workspaceSettings);
    assert.notEqual(node()?.status().displayName, fromRepository);
  });
});
