// The editor features of team state, used as a person does in the real workbench
// (scripts/run-ext-tests.mjs --ui-script, with a user data folder in $MINIDOTE_UI_USER_DATA): the
// Objects welcome view's buttons; a bucket/key typed (pasted) and Enter pressed at once in a key
// picker; the confirmation before a permanent set_2p removal; Undo after a checkbox flip; the
// walkthrough; "Show Log"; and a keybinding whose `when` clause names a flag's context key,
// which follows a flag a headless peer (`minidote serve`) flips. Leaves screenshots in
// $MINIDOTE_SCREENSHOT_DIR (default test-output/).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { eventually, quickInput, runCommand, screenshot, steps, workbenchReady } from './driver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { HeadlessNode } = await tsImport('../support/headless.ts', import.meta.url);

export default async function drive({ page }) {
  const userData = process.env.MINIDOTE_UI_USER_DATA;
  if (!userData) throw new Error('MINIDOTE_UI_USER_DATA is not set: run this script with `npm run test:host`');
  // scripts/test-host.mjs puts editor.keybindings.json there before the workbench starts (a file
  // written while it runs is not always noticed by code-server).
  if (!existsSync(path.join(userData, 'User/keybindings.json')))
    throw new Error('the editor keybindings were not installed before the workbench started');

  const { widget, input } = quickInput(page);
  const exactly = (text) => new RegExp(`^${text}$`);
  const treeRow = (label) => page.locator('[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
  const checkbox = (label, checked) => treeRow(label).locator(`[role="checkbox"][aria-checked="${checked}"]`);
  const dialog = page.locator('.monaco-dialog-box');
  const { step, finish } = steps('editor features (welcome view, key picker, confirmation, undo, walkthrough, when clauses)');
  const headless = await HeadlessNode.start(root, 'ui-peer');

  /** Pastes `text` into the open picker and presses Enter with no pause, as a fast typist does. */
  const typeAndEnter = async (text) => {
    await widget.locator('input[placeholder*="bucket/key"]').waitFor();
    await input.fill(text);
    await page.keyboard.press('Enter');
  };
  /** Answers the element input box of "Add to Set", and waits until it has closed. */
  const element = async (text) => {
    await widget.getByText('Element to add').waitFor();
    await input.fill(text);
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });
  };
  const removeElement = async (label) => {
    await treeRow(label).hover();
    await treeRow(label).locator('a[aria-label="Remove from Set"]').click();
  };

  try {
    await step('the empty Objects view offers one button, Join a Team, and a secondary link, Create a Flag', async () => {
      await workbenchReady(page, 'Minidote: local');
      await page.locator('.activitybar a[aria-label="Minidote"]').click();
      const welcome = page.locator('.welcome-view-content');
      await welcome.locator('.monaco-button', { hasText: exactly('Join a Team') }).waitFor();
      assert.equal(await welcome.locator('.monaco-button').count(), 1, 'one button');
      await welcome.locator('a', { hasText: exactly('Create a Flag') }).waitFor();
      await screenshot(page, 'extension-welcome.png');
    });

    await step('Add to Set: a new bucket/key typed and Enter pressed at once creates the key', async () => {
      await runCommand(page, 'Minidote: Add to Set');
      await typeAndEnter('team/reviewers');
      await widget.getByText('Which kind of set is team/reviewers?').waitFor({ timeout: 10_000 });
      await widget
        .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('set_2p') }) })
        .click();
      await element('alice');
      await treeRow('reviewers').waitFor();
    });

    await step('the same key typed and Enter pressed at once picks the existing set', async () => {
      for (const [name, count] of [
        ['bob', 2],
        ['carol', 3],
      ]) {
        await runCommand(page, 'Minidote: Add to Set');
        await typeAndEnter('team/reviewers');
        await element(name);
        await treeRow('reviewers')
          .filter({ hasText: `set_2p · ${count} elements` })
          .waitFor();
      }
    });

    await step('removing from a set_2p asks first, once per session: Cancel keeps the element', async () => {
      const reviewers = treeRow('reviewers');
      if ((await reviewers.getAttribute('aria-expanded')) !== 'true') await reviewers.locator('.monaco-tl-twistie').click();
      await treeRow('alice').waitFor();
      await removeElement('alice');
      await dialog.filter({ hasText: 'for good?' }).waitFor();
      assert.match(await dialog.textContent(), /can never be added again/);
      await screenshot(page, 'extension-set2p-confirmation.png');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await removeElement('alice');
      await dialog.filter({ hasText: 'for good?' }).waitFor();
      await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
      await treeRow('alice').waitFor({ state: 'detached' });
      // Confirmed once: the next removal of this session does not ask.
      await removeElement('bob');
      await treeRow('bob').waitFor({ state: 'detached' });
      assert.equal(await dialog.count(), 0, 'no second confirmation');
      await treeRow('carol').waitFor();
    });

    await step('a flag flipped from its checkbox offers Undo, which flips it back', async () => {
      await runCommand(page, 'Minidote: Enable Flag');
      await typeAndEnter('ops/ui-undo');
      await checkbox('ui-undo', 'true').waitFor();
      await treeRow('ui-undo').locator('[role="checkbox"]').click();
      await checkbox('ui-undo', 'false').waitFor();
      const toast = page.locator('.notification-toast', { hasText: 'ops/ui-undo disabled.' });
      await toast.waitFor();
      await toast.getByRole('button', { name: 'Undo' }).click();
      await checkbox('ui-undo', 'true').waitFor();
    });

    await step('the walkthrough lists its steps, and "Set Your Name" renames the replica', async () => {
      await runCommand(page, 'Welcome: Open Walkthrough...');
      await quickInput(page).rows.filter({ hasText: 'Get Started with Minidote' }).first().click();
      const walkthrough = page.locator('.gettingStartedContainer');
      for (const title of ['Set your name', 'Join a team, or start one', 'Create your first flag', 'Watch it in the status bar']) {
        await walkthrough.getByText(title, { exact: true }).first().waitFor();
      }
      // The step's media (markdown, in a webview) renders beside it.
      const media = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await media.getByText('Your name on every change').waitFor({ timeout: 30_000 });
      await screenshot(page, 'extension-walkthrough.png');
      await walkthrough.getByRole('button', { name: 'Set Your Name', exact: true }).click();
      await widget.getByText('The name your teammates see').waitFor();
      await input.fill('Walkthrough Ada');
      await page.keyboard.press('Enter');
      await page.locator('[role="treeitem"]', { hasText: 'Walkthrough Ada (this replica)' }).waitFor({ timeout: 30_000 });
    });

    await step('"Minidote: Show Log" opens the Minidote output channel', async () => {
      await runCommand(page, 'Minidote: Show Log');
      await page.locator('.part.panel .monaco-editor', { hasText: 'Minidote' }).first().waitFor();
    });

    await step('"Minidote: Join a Team" connects to the headless peer', async () => {
      await runCommand(page, 'Minidote: Join a Team');
      await widget.getByText('Paste the join link').waitFor();
      await input.fill(headless.url);
      await page.keyboard.press('Enter');
      await page.locator('.statusbar-item', { hasText: 'Minidote: 1 peer' }).first().waitFor({ timeout: 30_000 });
    });

    await step('a keybinding `when` clause on minidote.flag.ops/deploy-freeze follows the flag the peer flips', async () => {
      const count = async (key) => Number(await headless.read('counter_pn', 'ui', key));
      /** Presses Ctrl+Alt+D in the workbench and says which binding ran, from the counter that moved at the peer. */
      const press = async () => {
        const before = { deploys: await count('deploys'), blocked: await count('blocked') };
        await page.locator('.part.statusbar').click({ position: { x: 640, y: 5 } }); // focus the workbench, not a webview
        await page.keyboard.press('Control+Alt+KeyD');
        let moved;
        await eventually(
          async () => {
            if ((await count('blocked')) > before.blocked) moved = 'blocked';
            else if ((await count('deploys')) > before.deploys) moved = 'deploys';
            return moved !== undefined;
          },
          'a counter moved at the peer',
          15_000,
        );
        return moved;
      };
      assert.equal(await press(), 'deploys', 'no freeze: the deploy binding runs');
      await headless.update('flag_ew', 'ops', 'deploy-freeze', 'enable');
      // The flag reaches the editor in its own time; until then the deploy binding still applies.
      await eventually(async () => (await press()) === 'blocked', 'the freeze switches the binding', 60_000);
      assert.equal(await press(), 'blocked', 'and it stays switched while the freeze is on');
      await headless.update('flag_ew', 'ops', 'deploy-freeze', 'disable');
      await eventually(async () => (await press()) === 'deploys', 'lifting the freeze switches it back', 60_000);
      assert.equal(await press(), 'deploys');
    });

    await screenshot(page, 'extension-editor.png');
    finish();
  } finally {
    await headless.stop();
  }
}
