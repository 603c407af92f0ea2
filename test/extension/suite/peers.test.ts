import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import { PeerNode } from '../../../src/extension/peersModel';
import { HeadlessNode } from '../support/headless';
import { Activated, activated, notificationsSince, setSetting, until } from '../support/host';

describe('the extension with headless nodes (minidote serve) on 127.0.0.1', () => {
  let ext: Activated;
  let headless: HeadlessNode;
  let joiner: HeadlessNode | undefined;

  before(async () => {
    ext = await activated();
    await ext.internals.host.whenReady();
    headless = await HeadlessNode.start(ext.extension.extensionPath, 'headless');
  });

  after(async () => {
    await setSetting('peers', undefined);
    await setSetting('statusBar.flags', undefined);
    await joiner?.stop();
    await headless?.stop();
  });

  const peer = (url: string) => ext.internals.host.node?.status().peers.find((p) => p.url === url);
  const describePeers = () => JSON.stringify(ext.internals.host.node?.status().peers);
  const shownSince = (from: number) => notificationsSince(ext.internals, from);

  it('connects to the peers in the settings and replicates both ways', async () => {
    await setSetting('peers', [headless.url]);
    await until(
      () => peer(headless.url)?.connected === true,
      () => `connected to the headless node: ${describePeers()}`,
      ext.internals,
    );

    await vscode.commands.executeCommand('minidote.addToSet', { bucket: 'sync', key: 'from-editor', element: 'hello' });
    await until(
      async () => isDeepStrictEqual(await headless.read('set_aw', 'sync', 'from-editor'), ['hello']),
      'the headless node has the editor write',
    );

    await headless.update('counter_pn', 'sync', 'from-cli', 'increment', '7');
    const counter = { bucket: 'sync', key: 'from-cli', type: 'counter_pn' as const };
    await until(async () => (await ext.api.read([counter])).values[0] === 7, 'the editor has the headless write', ext.internals);

    await until(
      () => {
        const row = ext.internals.peers.getChildren().find((n) => n.kind === 'peer' && n.label === 'headless') as PeerNode | undefined;
        return row?.description === 'connected' && row.clock.some((c) => c.label === 'headless');
      },
      'the Peers view shows the headless node connected, with its clock',
      ext.internals,
    );
    assert.match(ext.internals.statusBar.content?.text ?? '', /Minidote: 1 peer/);
  });

  it('says who changed a watched flag, and shows it in the status bar while enabled', async () => {
    await setSetting('statusBar.flags', ['deploy-freeze']);
    const from = ext.internals.notifications().length;
    await headless.update('flag_ew', 'ops', 'deploy-freeze', 'enable');
    await until(
      () => shownSince(from).includes('info: Minidote: deploy-freeze was enabled by headless'),
      () => `the notification; shown: ${JSON.stringify(shownSince(from))}`,
      ext.internals,
    );
    await until(
      () => /\$\(flag\) deploy-freeze/.test(ext.internals.statusBar.content?.text ?? ''),
      'the status bar names the flag',
      ext.internals,
    );

    await vscode.commands.executeCommand('minidote.disableFlag', 'ops/deploy-freeze');
    await until(() => !/deploy-freeze/.test(ext.internals.statusBar.content?.text ?? ''), 'the status bar drops the flag', ext.internals);
    assert.deepEqual(shownSince(from), ['info: Minidote: deploy-freeze was enabled by headless'], 'a local change does not notify');
  });

  it('reports a bad peer URL in the settings and keeps everything else working', async () => {
    const from = ext.internals.notifications().length;
    await setSetting('peers', ['not a url', headless.url]);
    await until(
      () => shownSince(from).some((n) => /^error: Minidote: minidote\.peers: ignoring "not a url": .*not a valid address/.test(n)),
      () => `the error; shown: ${JSON.stringify(shownSince(from))}`,
    );
    assert.equal(ext.internals.host.phase, 'running');
    assert.equal(peer(headless.url)?.connected, true);
    await vscode.commands.executeCommand('minidote.enableFlag', 'sync/still-works');
    await until(async () => (await headless.read('flag_ew', 'sync', 'still-works')) === true, 'the headless node has the write');
  });

  it('connects and disconnects a peer by command', async () => {
    await setSetting('peers', undefined);
    await until(() => peer(headless.url) === undefined, 'the settings peer is dropped', ext.internals);
    assert.equal(await vscode.commands.executeCommand('minidote.connectPeer', headless.url), headless.url);
    await until(() => peer(headless.url)?.connected === true, 'connected by command', ext.internals);
    await vscode.commands.executeCommand('minidote.disconnectPeer', { url: headless.url });
    assert.equal(peer(headless.url), undefined);
  });

  it('keeps a team secret in secret storage and applies it to links live', async () => {
    await vscode.commands.executeCommand('minidote.connectPeer', headless.url);
    await until(() => peer(headless.url)?.connected === true, 'connected', ext.internals);
    const from = ext.internals.notifications().length;
    // Strong enough to be accepted (src/net/auth.ts: 16+ characters, 8+ different ones).
    await vscode.commands.executeCommand('minidote.setTeamSecret', { secret: 'team-secret-for-the-host-test' });
    const shown = shownSince(from);
    assert.ok(shown.some((m) => m.includes('team secret saved')) && !shown.some((m) => m.startsWith('error:')), JSON.stringify(shown));
    // The headless node has no secret: with ours set, neither side accepts the other.
    await until(
      () => !peer(headless.url)?.connected && /team secret/.test(peer(headless.url)?.lastError ?? ''),
      () => `refused for the secret: ${describePeers()}`,
      ext.internals,
    );
    await vscode.commands.executeCommand('minidote.setTeamSecret', '');
    await until(
      () => peer(headless.url)?.connected === true,
      () => `reconnected without the secret: ${describePeers()}`,
      ext.internals,
    );
    await vscode.commands.executeCommand('minidote.disconnectPeer', headless.url);
  });

  it('listens, copies a join link that `minidote serve --peer` joins with, and stops', async () => {
    const url = await vscode.commands.executeCommand<string>('minidote.startListening', { port: 0 });
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await vscode.commands.executeCommand('minidote.copyJoinLink'), url);
    assert.equal(await vscode.env.clipboard.readText(), url);

    joiner = await HeadlessNode.start(ext.extension.extensionPath, 'joiner', ['--peer', await vscode.env.clipboard.readText()]);
    const node = joiner;
    await until(async () => isDeepStrictEqual(await node.read('set_aw', 'sync', 'from-editor'), ['hello']), 'the joiner caught up');
    assert.ok(
      ext.internals.host.node?.status().peers.some((p) => p.direction === 'inbound' && p.id === 'joiner'),
      describePeers(),
    );

    await vscode.commands.executeCommand('minidote.stopListening');
    assert.equal(ext.internals.host.node?.listenUrl, undefined);
    const from = ext.internals.notifications().length;
    assert.equal(await vscode.commands.executeCommand('minidote.copyJoinLink'), undefined);
    assert.match(shownSince(from)[0] ?? '', /^error: Minidote: not listening/);
  });
});
