import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import { Json } from '../../../src/core/json';
import { JoinConfirmation, buildJoinLink, decodedParts, parseJoinLink } from '../../../src/extension/inviteModel';
import { HeadlessNode } from '../support/headless';
import { Activated, EXTENSION_ID, activated, until } from '../support/host';

/** Runs the `minidote` CLI of this build with the hub's secret file. */
function cli(extensionPath: string, secretFile: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(extensionPath, 'dist/cli.js'), ...args, '--secret-file', secretFile], (error, stdout, stderr) => {
      if (error) reject(new Error(`minidote ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function userPeers(): unknown {
  return vscode.workspace.getConfiguration('minidote').inspect('peers')?.globalValue;
}

describe('one-click join: a vscode:// join link to a headless node with a team secret', () => {
  let ext: Activated;
  let hub: HeadlessNode;
  let dir: string;
  let secretFile: string;
  const secret = randomBytes(24).toString('base64url');
  const confirmations: JoinConfirmation[] = [];

  before(async () => {
    ext = await activated();
    await ext.internals.host.whenReady();
    dir = mkdtempSync(path.join(os.tmpdir(), 'minidote-join-'));
    secretFile = path.join(dir, 'secret');
    writeFileSync(secretFile, `${secret}\n`);
    hub = await HeadlessNode.start(ext.extension.extensionPath, 'hub', ['--secret-file', secretFile]);
  });

  after(async () => {
    ext.internals.join.answerConfirmationsWith(undefined);
    await vscode.commands.executeCommand('minidote.stopListening');
    if (hub) await vscode.commands.executeCommand('minidote.disconnectPeer', hub.url);
    await vscode.workspace.getConfiguration('minidote').update('peers', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('minidote.setTeamSecret', '');
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const link = () => buildJoinLink({ scheme: vscode.env.uriScheme, extensionId: EXTENSION_ID }, { peer: hub.url, secret });
  const hubPeer = () => ext.internals.host.node?.status().peers.find((p) => p.url === hub.url);

  it('changes nothing when the confirmation is declined', async () => {
    ext.internals.join.answerConfirmationsWith(async (c) => {
      confirmations.push(c);
      return false;
    });
    const outcome = await ext.internals.join.open(vscode.Uri.parse(link()));
    assert.equal(outcome, undefined);
    assert.equal(confirmations.length, 1);
    assert.equal(await ext.internals.secret.get(), undefined);
    assert.equal(hubPeer(), undefined);
    assert.equal(userPeers(), undefined);
  });

  it('opens the link through its URI handler, confirms once, keeps the secret in secret storage, connects and replicates both ways', async () => {
    confirmations.length = 0;
    ext.internals.join.answerConfirmationsWith(async (c) => {
      confirmations.push(c);
      return true;
    });
    // The handler registered with registerUriHandler, called as the workbench calls it: code-server
    // (the test host) does not route its own scheme from vscode.env.openExternal to extensions, it
    // navigates the browser tab away instead (tried: the workbench then shows "All done. You can close
    // this tab now.").
    await ext.internals.join.handleUri(vscode.Uri.parse(link()));
    const outcome = ext.internals.join.outcomes.at(-1);
    assert.equal(confirmations.length, 1, 'asked exactly once');
    assert.match(confirmations[0].message, new RegExp(hub.url.replace(/[.]/g, '\\.')));
    assert.match(confirmations[0].detail, /contains the team secret/);
    assert.deepEqual(outcome && { peer: outcome.peer, secretStored: outcome.secretStored, connected: outcome.connected }, {
      peer: hub.url,
      secretStored: true,
      connected: true,
    });
    assert.equal(await ext.internals.secret.get(), secret, 'the secret is in secret storage');
    assert.deepEqual(userPeers(), [hub.url], 'the peer is in the user settings');
    assert.ok(
      ext.internals.notifications().some((n) => n.severity === 'info' && n.message.includes(`joined the team at ${hub.url}`)),
      JSON.stringify(ext.internals.notifications()),
    );

    await vscode.commands.executeCommand('minidote.addToSet', { bucket: 'team', key: 'joined', element: 'editor' });
    await until(
      async () =>
        isDeepStrictEqual(
          (
            JSON.parse(await cli(ext.extension.extensionPath, secretFile, ['read', '--node', hub.url, 'set_aw', 'team', 'joined'])) as {
              value: Json;
            }
          ).value,
          ['editor'],
        ),
      'the hub has the editor write',
    );
    await cli(ext.extension.extensionPath, secretFile, ['update', '--node', hub.url, 'counter_pn', 'team', 'from-hub', 'increment', '5']);
    const counter = { bucket: 'team', key: 'from-hub', type: 'counter_pn' as const };
    await until(async () => (await ext.api.read([counter])).values[0] === 5, 'the editor has the hub write', ext.internals);
    assert.equal(hubPeer()?.connected, true);
  });

  it('invites a teammate with a link that carries the secret and reads back to this listener', async () => {
    const listening = await vscode.commands.executeCommand<string>('minidote.startListening', { host: '127.0.0.1', port: 0 });
    const invite = await vscode.commands.executeCommand<{ link: string; peer: string; serveLine: string }>('minidote.inviteTeammate', {
      includeSecret: true,
    });
    assert.equal(invite.peer, listening);
    assert.equal(await vscode.env.clipboard.readText(), invite.link);
    const parts = decodedParts(invite.link);
    assert.equal(parts.scheme, vscode.env.uriScheme);
    assert.equal(parts.authority, EXTENSION_ID);
    assert.deepEqual(parseJoinLink(parts), { peer: listening, secret });
    assert.match(invite.serveLine, new RegExp(`--peer ${listening.replace(/[.]/g, '\\.')} --secret-file `));

    const without = await vscode.commands.executeCommand<{ link: string }>('minidote.inviteTeammate', { includeSecret: false });
    assert.deepEqual(parseJoinLink(decodedParts(without.link)), { peer: listening });
  });
});
