// Drives the workbench like a user (scripts/run-ext-tests.mjs --ui-script): the palette prompts
// (quick pick of keys with "type bucket/key to create", type pick, input box validation), the flag
// checkbox and the inline counter action in the Objects view, and the status bar item that opens
// the panel. Leaves a screenshot in $MINIDOTE_SCREENSHOT_DIR (default test-output/).
import assert from 'node:assert/strict';
import { exactly, quickInput, replicaPanel, runCommand, screenshot, steps, workbenchReady } from './driver.mjs';

export default async function drive({ page }) {
  const { widget, input, rows } = quickInput(page);
  const treeRow = (label) => page.locator('[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
  /** Waits until the one Objects row labelled `label` has exactly `description` (a counter's value). */
  const rowShows = async (label, description) => {
    await treeRow(label)
      .locator('.label-description', { hasText: exactly(description) })
      .waitFor();
    assert.equal(await treeRow(label).count(), 1, `one row for ${label}`);
  };
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
    // Which kind of counter: the row named exactly counter_pn, wherever the list puts it.
    const opBased = rows.filter({ has: page.locator('.label-name', { hasText: exactly('counter_pn') }) });
    await rows.filter({ hasText: 'counter_pn_sb' }).waitFor();
    assert.equal(await opBased.count(), 1, 'one counter_pn row in the type pick');
    await opBased.click();
    await widget.getByText('How much to increment by').waitFor();
    assert.equal(await input.inputValue(), '1', 'the amount starts at 1');
    await input.fill('x');
    await widget.locator('.quick-input-message', { hasText: 'Type a whole number' }).waitFor();
    await input.fill('5');
    await page.keyboard.press('Enter');
    await rowShows('ui-count', '5');
  });

  await step('the inline + on a counter adds one', async () => {
    await treeRow('ui-count').hover();
    await treeRow('ui-count').locator('a[aria-label="Increment Counter"]').click();
    await rowShows('ui-count', '6');
  });

  await step('clicking the status bar item opens the replica panel', async () => {
    await page.locator('.statusbar-item', { hasText: 'Minidote:' }).first().click();
    await page.locator('.tab', { hasText: 'Minidote: Replica State' }).waitFor();
    // It shows this replica's objects: the counter made above, of the type picked, with its value.
    const card = replicaPanel(page).locator('.object-card:has(> .object-head .object-key:text-is("ui-count"))');
    await card.locator('.object-head .counter-value', { hasText: exactly('6') }).waitFor({ timeout: 30_000 });
    assert.equal(await card.count(), 1, 'one card for ui-count');
    assert.equal(await card.getAttribute('data-type'), 'counter_pn');
    assert.equal(await card.locator('.type-badge').textContent(), 'counter_pn');
  });

  await screenshot(page, 'extension-workbench.png');
  finish();
}
