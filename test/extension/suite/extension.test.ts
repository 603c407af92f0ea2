import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ReplicaChange } from '../../../src/core/replica';
import { COMMAND_IDS } from '../../../src/extension/commandIds';
import { ObjectNode, ObjectsNode } from '../../../src/extension/objectsModel';
import { Activated, activated, notificationsSince, setSetting, until } from '../support/host';
import { MARKER, testToken } from '../support/marker';

describe('the extension in a VS Code extension host', () => {
  let ext: Activated;
  before(async () => {
    ext = await activated();
    await ext.internals.host.whenReady();
  });

  it('activates on startup, with the replica in the workspace storage folder', () => {
    assert.equal(ext.extension.isActive, true);
    assert.equal(ext.internals.host.phase, 'running');
    assert.match(ext.internals.host.dataDir, /[/\\]User[/\\]workspaceStorage[/\\][^/\\]+[/\\]minidote\.minidote$/);
    assert.equal(ext.internals.host.node?.status().displayName, 'host-test'); // from the workspace settings
  });

  it('registers every command id', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMAND_IDS.filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  function objectNode(bucket: string, key: string): ObjectNode | undefined {
    const objects = ext.internals.objects;
    const b = objects.getChildren().find((n: ObjectsNode) => n.kind === 'bucket' && n.bucket === bucket);
    return b && (objects.getChildren(b).find((n) => n.kind === 'object' && n.key === key) as ObjectNode | undefined);
  }

  function checkbox(bucket: string, key: string): vscode.TreeItemCheckboxState | undefined {
    const node = objectNode(bucket, key);
    return node && (ext.internals.objects.getTreeItem(node).checkboxState as vscode.TreeItemCheckboxState | undefined);
  }

  const FLAG = { bucket: 'ops', key: 'deploy-freeze', type: 'flag_ew' as const };

  it('toggles a flag by command: the replica and the tree checkbox follow', async () => {
    const clock = await vscode.commands.executeCommand('minidote.toggleFlag', { bucket: 'ops', key: 'deploy-freeze' });
    assert.ok(clock, 'the command resolves with the commit clock');
    assert.deepEqual((await ext.api.read([FLAG])).values, [true]);
    assert.equal(checkbox('ops', 'deploy-freeze'), vscode.TreeItemCheckboxState.Checked);

    await vscode.commands.executeCommand('minidote.toggleFlag', 'ops/deploy-freeze');
    assert.deepEqual((await ext.api.read([FLAG])).values, [false]);
    assert.equal(checkbox('ops', 'deploy-freeze'), vscode.TreeItemCheckboxState.Unchecked);

    await vscode.commands.executeCommand('minidote.enableFlag', { bucket: 'ops', key: 'deploy-freeze' });
    assert.equal(checkbox('ops', 'deploy-freeze'), vscode.TreeItemCheckboxState.Checked);
    await vscode.commands.executeCommand('minidote.disableFlag', { bucket: 'ops', key: 'deploy-freeze' });
    assert.equal(checkbox('ops', 'deploy-freeze'), vscode.TreeItemCheckboxState.Unchecked);
  });

  it('runs the set, counter and register commands with arguments, as tree items pass them', async () => {
    const run = (id: string, arg: unknown) => vscode.commands.executeCommand(id, arg);
    await run('minidote.addToSet', { bucket: 'team', key: 'on-call', element: 'alice' });
    await run('minidote.addToSet', { bucket: 'team', key: 'on-call', element: 'bob' });
    const set = objectNode('team', 'on-call');
    assert.deepEqual(
      set?.children.map((c) => c.label),
      ['alice', 'bob'],
    );
    await run('minidote.removeFromSet', set?.children[0]); // the inline remove action on an element
    await run('minidote.addToSet', { bucket: 'team', key: 'reviewed', type: 'set_2p', element: 'pr-1' });
    await run('minidote.incrementCounter', { bucket: 'ops', key: 'builds', amount: 5 });
    await run('minidote.decrementCounter', objectNode('ops', 'builds')); // the inline − action: one step
    await run('minidote.assignRegister', { bucket: 'team', key: 'lead', value: { name: 'ada' } });
    const { values } = await ext.api.read([
      { bucket: 'team', key: 'on-call', type: 'set_aw' },
      { bucket: 'team', key: 'reviewed', type: 'set_2p' },
      { bucket: 'ops', key: 'builds', type: 'counter_pn' },
      { bucket: 'team', key: 'lead', type: 'register_mv' },
    ]);
    assert.deepEqual(values, [['bob'], ['pr-1'], 4, [{ name: 'ada' }]]);
  });

  it('reports bad arguments and refused operations as notifications, and resolves', async () => {
    const from = ext.internals.notifications().length;
    assert.equal(await vscode.commands.executeCommand('minidote.enableFlag', 'no-bucket'), undefined);
    assert.equal(await vscode.commands.executeCommand('minidote.incrementCounter', { bucket: 'b', key: 'k', amount: 'x' }), undefined);
    await vscode.commands.executeCommand('minidote.removeFromSet', { bucket: 'team', key: 'reviewed', element: 'pr-1' });
    assert.equal(
      await vscode.commands.executeCommand('minidote.addToSet', { bucket: 'team', key: 'reviewed', element: 'pr-1' }),
      undefined,
      'set_2p refuses a re-add',
    );
    assert.equal(await vscode.commands.executeCommand('minidote.connectPeer', 'http://example.invalid'), undefined);
    const shown = notificationsSince(ext.internals, from);
    assert.equal(shown.length, 4, shown.join('\n'));
    assert.match(shown[0], /^error: Minidote: enable flag: "no-bucket" is not a bucket\/key/);
    assert.match(shown[1], /"amount" must be an integer/);
    assert.match(shown[2], /add to set: .*pr-1/);
    assert.match(shown[3], /connect peer: .*not a WebSocket address/);
  });

  it('exports read, update and onDidChange to other extensions', async () => {
    const seen: ReplicaChange[] = [];
    const subscription = ext.api.onDidChange((change) => seen.push(change));
    const clock = await ext.api.update([
      { ...MARKER, op: 'assign', args: [{ token: testToken(), id: ext.internals.host.node?.id ?? '' }] },
    ]);
    subscription.dispose();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].kind === 'transaction' && seen[0].local, true);
    const read = await ext.api.read([MARKER], clock);
    assert.deepEqual(read.values[0], [{ token: testToken(), id: ext.internals.host.node?.id }]);
    await assert.rejects(ext.api.update([{ ...MARKER, op: 'nope' }]), /unknown operation "nope"/);
  });

  it('opens the replica panel', async () => {
    const from = ext.internals.notifications().length;
    await vscode.commands.executeCommand('minidote.showPanel');
    const panelTab = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Minidote: Replica State');
    await until(() => panelTab() !== undefined, 'the panel tab is open');
    assert.deepEqual(notificationsSince(ext.internals, from), []);
    await vscode.window.tabGroups.close(panelTab() as vscode.Tab);
  });

  it('reopens the same storage when the fsync setting changes, keeping the state', async () => {
    const reopened = async (change: () => Promise<void>) => {
      const before = ext.internals.host.node;
      await change();
      await until(
        () => ext.internals.host.node !== before && ext.internals.host.phase === 'running',
        'the replica reopened',
        ext.internals,
      );
      assert.equal(ext.internals.host.node?.id, before?.id);
    };
    await reopened(() => setSetting('storage.fsync', 'never'));
    assert.deepEqual((await ext.api.read([FLAG, { bucket: 'ops', key: 'builds', type: 'counter_pn' }])).values, [false, 4]);
    assert.equal(checkbox('ops', 'deploy-freeze'), vscode.TreeItemCheckboxState.Unchecked);
    await reopened(() => setSetting('storage.fsync', undefined));
  });
});
