// The replica panel end to end (scripts/run-ext-tests.mjs --ui-script): a headless peer
// (`minidote serve` from dist/cli.js) joined with "Minidote: Connect to Peer", the panel opened with
// "Minidote: Show Replica State" from the palette; a flag flipped with the command line at the peer
// shows in the panel, and the panel's controls reach the peer. Then a settings change (the fsync
// policy, in the workspace settings) reopens the extension's replica, and the panel follows the new one. Leaves extension-panel-e2e.png in
// $MINIDOTE_SCREENSHOT_DIR (default test-output/).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { connectPeer, eventually, replicaPanel, runCommand, screenshot, steps, workbenchReady } from './driver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { HeadlessNode } = await tsImport('../support/headless.ts', import.meta.url);

/** An object's card in the panel, by key. */
const card = (key) => `.object-card:has(> .object-head .object-key:text-is("${key}"))`;

export default async function drive({ page, folder }) {
  const panel = replicaPanel(page);
  const { step, finish } = steps('replica panel end to end (headless peer, palette, panel)');
  const headless = await HeadlessNode.start(root, 'headless');
  /** Polls the peer with `minidote read` until it holds `expected`. */
  const peerSees = (type, bucket, key, expected) =>
    eventually(
      async () => {
        assert.deepEqual(await headless.read(type, bucket, key), expected);
        return true;
      },
      `the headless peer reads ${bucket}/${key} = ${JSON.stringify(expected)}`,
    );
  try {
    await step('"Minidote: Connect to Peer" from the palette joins the headless peer', async () => {
      await workbenchReady(page, 'Minidote: local');
      await page.locator('.activitybar a[aria-label="Minidote"]').click();
      await connectPeer(page, headless.url);
    });

    await step('"Minidote: Show Replica State" from the palette opens the panel, peer connected', async () => {
      await runCommand(page, 'Minidote: Show Replica State');
      await page.locator('.tab', { hasText: 'Minidote: Replica State' }).waitFor();
      await panel.locator('.status-chips', { hasText: '1/1 peers connected' }).waitFor({ timeout: 30_000 });
    });

    await step('a flag enabled with the CLI at the peer appears in the panel, turned on', async () => {
      await headless.update('flag_ew', 'ops', 'deploy-freeze', 'enable');
      await panel.locator(`${card('deploy-freeze')} .flag-state.on`).waitFor();
      assert.equal(await panel.locator(`${card('deploy-freeze')} vscode-checkbox`).evaluate((el) => el.checked), true);
    });

    await step('the flag toggle in the panel turns it off at the peer', async () => {
      await panel.locator(`${card('deploy-freeze')} vscode-checkbox`).click();
      await peerSees('flag_ew', 'ops', 'deploy-freeze', false);
      await panel.locator(`${card('deploy-freeze')} .flag-state.off`).waitFor();
    });

    await step('a counter from the peer shows in the panel, and its + reaches the peer', async () => {
      await headless.update('counter_pn', 'ops', 'deploys', 'increment', '2');
      await panel.locator(`${card('deploys')} .counter-value`, { hasText: /^2$/ }).waitFor();
      await panel.locator(`${card('deploys')} .counter-inc`).click();
      await peerSees('counter_pn', 'ops', 'deploys', 3);
      await panel.locator(`${card('deploys')} .counter-value`, { hasText: /^3$/ }).waitFor();
    });

    await step('a settings change reopens the replica: the panel shows the new one, live, and acts on it', async () => {
      // The fsync policy is one of the settings the node cannot change live: the replica reopens.
      // (The display name, which also reopens it, is a user setting now, out of the workspace's reach.)
      const onDisk = panel.locator('.figure', { hasText: 'On disk' }).locator('.figure-detail');
      assert.notEqual(await onDisk.textContent(), '0 fsyncs', 'the first replica fsynced its writes');
      mkdirSync(path.join(folder, '.vscode'), { recursive: true });
      writeFileSync(path.join(folder, '.vscode/settings.json'), JSON.stringify({ 'minidote.storage.fsync': 'never' }, null, 2));
      // The reopened replica's storage has not fsynced anything, and never will: the panel shows it.
      await onDisk.filter({ hasText: /^0 fsyncs$/ }).waitFor({ timeout: 30_000 });
      await panel.locator('.status-chips', { hasText: '1/1 peers connected' }).waitFor({ timeout: 30_000 });
      await headless.update('flag_ew', 'ops', 'deploy-freeze', 'enable');
      await panel.locator(`${card('deploy-freeze')} .flag-state.on`).waitFor();
      await panel.locator(`${card('deploys')} .counter-inc`).click();
      await peerSees('counter_pn', 'ops', 'deploys', 4);
      await panel.locator(`${card('deploys')} .counter-value`, { hasText: /^4$/ }).waitFor();
      assert.equal(await onDisk.textContent(), '0 fsyncs', 'the panel shows the reopened replica (fsync never)');
    });

    // The highlight of a changed card fades out first, so the picture shows the settled page.
    await eventually(
      () => panel.locator('body').evaluate(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity)),
      'the panel has no running highlight',
    );
    await screenshot(page, 'extension-panel-e2e.png');
    finish();
  } finally {
    await headless.stop();
  }
}
