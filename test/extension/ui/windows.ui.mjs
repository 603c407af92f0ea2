// Two windows with no folder (scripts/run-ext-tests.mjs --ui-script, with a user data folder in
// $MINIDOTE_UI_USER_DATA). Each browser page is a workbench with an extension host of its own; with
// no folder, both use the extension's global storage, which only one process may hold.
// The first window joins a headless peer (`minidote serve`); the second attaches to the first
// one's replica over the local socket: its status bar, Objects view and commands work, and its
// updates reach the peer. Closing the first window hands the replica over: the lock changes hands
// and the second window keeps writing. Leaves screenshots in $MINIDOTE_SCREENSHOT_DIR.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { connectPeer, eventually, quickInput, runCommand, screenshot, steps, workbenchReady } from './driver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { HeadlessNode } = await tsImport('../support/headless.ts', import.meta.url);

/** Who holds the replica that windows without a folder share (it lives in the global storage). */
function lockHolder(userData) {
  const lock = path.join(userData, 'User/globalStorage/minidote.minidote/lock');
  return existsSync(lock) ? JSON.parse(readFileSync(lock, 'utf8')).pid : undefined;
}

/** The same workbench, extension under development included, as a window with no folder. */
function emptyWindowUrl(page) {
  const url = new URL(page.url());
  url.searchParams.delete('folder');
  url.searchParams.set('ew', 'true');
  return url.href;
}

export default async function drive({ page }) {
  const userData = process.env.MINIDOTE_UI_USER_DATA;
  if (!userData) throw new Error('MINIDOTE_UI_USER_DATA is not set: run this script with `npm run test:host`');
  const { step, finish } = steps('two windows with no folder share one replica (attach, update, hand over)');
  const headless = await HeadlessNode.start(root, 'headless');
  const peerSees = (key, expected) =>
    eventually(
      async () => {
        assert.deepEqual(await headless.read('flag_ew', 'ops', key), expected);
        return true;
      },
      `the headless peer reads ops/${key} = ${JSON.stringify(expected)}`,
    );
  const treeRow = (p, label) =>
    p.locator('[role="treeitem"]').filter({ has: p.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  async function enableFlag(p, key) {
    const { widget, input, rows } = quickInput(p);
    await runCommand(p, 'Minidote: Enable Flag');
    await widget.locator('input[placeholder*="bucket/key"]').waitFor();
    await input.fill(`ops/${key}`);
    await rows
      .filter({ hasText: `ops/${key}` })
      .first()
      .waitFor();
    await p.keyboard.press('Enter');
  }
  let second;
  try {
    await step('a window with no folder joins the headless peer', async () => {
      await page.goto(emptyWindowUrl(page));
      await workbenchReady(page, 'Minidote: local');
      await connectPeer(page, headless.url);
    });

    const firstHolder = lockHolder(userData);
    await step('a second window with no folder uses that replica: it shows the peer and no error', async () => {
      assert.ok(firstHolder, 'the first window holds the lock');
      second = await page.context().newPage();
      await second.goto(emptyWindowUrl(page));
      await workbenchReady(second, 'Minidote: 1 peer');
      assert.equal(await second.locator('.notification-toast', { hasText: /open in another VS Code window|could not open/ }).count(), 0);
      assert.equal(lockHolder(userData), firstHolder, 'still one holder');
    });

    await step('a flag the peer enables shows in the second window’s Objects view', async () => {
      await headless.update('flag_ew', 'ops', 'from-peer', 'enable');
      await second.locator('.activitybar a[aria-label="Minidote"]').click();
      await treeRow(second, 'from-peer').locator('[role="checkbox"][aria-checked="true"]').waitFor({ timeout: 30_000 });
    });

    await step('"Minidote: Enable Flag" in the second window reaches the peer', async () => {
      await enableFlag(second, 'from-second');
      await peerSees('from-second', true);
      await screenshot(second, 'extension-second-window.png');
    });

    await step('closing the first window hands the replica over to the second, which keeps writing', async () => {
      await page.goto('about:blank');
      await page.close();
      await eventually(
        () => {
          const holder = lockHolder(userData);
          return holder !== undefined && holder !== firstHolder;
        },
        'another process holds the replica',
        60_000,
      );
      await second.locator('.statusbar-item', { hasText: 'Minidote: 1 peer' }).first().waitFor({ timeout: 30_000 });
      await enableFlag(second, 'after-handover');
      await peerSees('after-handover', true);
    });
    finish();
  } catch (error) {
    if (second && !second.isClosed()) await screenshot(second, 'windows-second-failure.png').catch(() => undefined);
    throw error;
  } finally {
    await headless.stop();
  }
}
