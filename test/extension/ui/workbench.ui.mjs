// Drives the workbench like a user (scripts/run-ext-tests.mjs --ui-script): the palette prompts
// (quick pick of keys with "type bucket/key to create", type pick, input box validation), the flag
// checkbox and the inline counter action in the Objects view, and the status bar item that opens
// the panel. Leaves a screenshot in $MINIDOTE_SCREENSHOT_DIR (default test-output/).
import assert from 'node:assert/strict';
import { quickInput, replicaPanel, runCommand, screenshot, steps, workbenchReady } from './driver.mjs';

export default async function drive({ page }) {
  const { widget, input, rows } = quickInput(page);
  const treeRow = (label) =>
    page.locator('[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  const { step, finish } = steps('workbench UI');

  await step('the status bar shows the replica', async () => {
    await workbenchReady(page, 'Minidote: local');
    await page.locator('.activitybar a[aria-label="Minidote"]').click();
    await page.locator('.pane-header', { hasText: 'Objects' }).waitFor();
    await page.locator('.pane-header', { hasText: 'Peers' }).waitFor();
  });

  await step('Enable Flag: typing a new bucket/key in the quick pick creates it', async () => {
    await runCommand(page, 'Minidote: Enable Flag');
    await widget.locator('input[placeholder*="bucket/key"]').waitFor();
    await input.fill('ui-flag');
    await rows.filter({ hasText: 'Add a bucket: bucket/ui-flag' }).waitFor();
    await page.keyboard.press('Enter'); // the hint row: nothing happens, the picker stays open
    await input.fill('ops/ui-flag');
    await rows.filter({ hasText: 'ops/ui-flag' }).filter({ hasText: 'new flag' }).waitFor();
    await page.keyboard.press('Enter');
    await treeRow('ui-flag').locator('[role="checkbox"][aria-checked="true"]').waitFor();
  });

  await step('the flag checkbox disables it', async () => {
    await treeRow('ui-flag').locator('[role="checkbox"]').click();
    await treeRow('ui-flag').locator('[role="checkbox"][aria-checked="false"]').waitFor();
    await treeRow('ui-flag').filter({ hasText: 'disabled' }).waitFor();
  });

  await step('Increment Counter: type pick, then an amount validated as you type', async () => {
    await runCommand(page, 'Minidote: Increment Counter');
    await widget.locator('input[placeholder*="bucket/key"]').waitFor();
    await input.fill('ops/ui-count');
    await rows.filter({ hasText: 'new counter' }).waitFor();
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'counter_pn_sb' }).waitFor(); // which kind of counter
    await page.keyboard.press('Enter'); // the first: counter_pn
    await widget.getByText('How much to increment by').waitFor();
    assert.equal(await input.inputValue(), '1', 'the amount starts at 1');
    await input.fill('x');
    await widget.locator('.quick-input-message', { hasText: 'Type a whole number' }).waitFor();
    await input.fill('5');
    await page.keyboard.press('Enter');
    await treeRow('ui-count').filter({ hasText: '5' }).waitFor();
  });

  await step('the inline + on a counter adds one', async () => {
    await treeRow('ui-count').hover();
    await treeRow('ui-count').locator('a[aria-label="Increment Counter"]').click();
    await treeRow('ui-count').filter({ hasText: '6' }).waitFor();
  });

  await step('clicking the status bar item opens the replica panel', async () => {
    await page.locator('.statusbar-item', { hasText: 'Minidote:' }).first().click();
    await page.locator('.tab', { hasText: 'Minidote: Replica State' }).waitFor();
    await replicaPanel(page).getByText('ui-count').first().waitFor({ timeout: 30_000 }); // it shows this replica's objects
  });

  await screenshot(page, 'extension-workbench.png');
  finish();
}
